"""`tf.metrics`: streaming metrics returning (value, update_op), kept in local variables."""
