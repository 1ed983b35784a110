"""`tf.layers`: TF1's functional layers (dense, conv2d, pooling, dropout, flatten, batch_normalization)."""
# ruff: noqa: F401
from tlboard.engine.layers import (
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPooling2D,
    average_pooling2d,
    batch_normalization,
    conv2d,
    dense,
    dropout,
    flatten,
    max_pooling2d,
)
