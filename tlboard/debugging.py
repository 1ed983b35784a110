"""`tf.debugging`: assertions and numeric checks under their tf.debugging names."""
