"""`tf.logging`: TF1's logging functions and verbosity levels."""
