"""Assertions and numeric checks: tf.Assert, tf.assert_*, tf.check_numerics."""
__all__: list[str] = []
