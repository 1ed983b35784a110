"""`tf.linalg`: linear-algebra ops under their `tf.linalg` names."""
