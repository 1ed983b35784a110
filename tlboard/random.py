"""`tf.random`: the random ops under their TF 1.13+ `tf.random` names."""
