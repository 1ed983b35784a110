"""Logging ops: tf.Print and tf.print."""
__all__: list[str] = []
