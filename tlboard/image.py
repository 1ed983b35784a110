"""`tf.image`: resizing, flips, crops and colour adjustments of NHWC images."""
