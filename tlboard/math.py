"""`tf.math`: the math ops under their TF 1.13+ `tf.math` names."""
