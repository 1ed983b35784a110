"""Image ops (tf.image)."""
__all__: list[str] = []
