"""`tf.layers`: TF1's functional layers (dense, conv2d, pooling, dropout, flatten, batch_normalization)."""
