"""`tf.app`: `tf.app.run` and `tf.app.flags`."""
