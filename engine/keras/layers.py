"""`tf.keras.layers`: every layer class by its Keras 2 name."""
# ruff: noqa: F401
from .base_layer import Layer
from .conv_layers import (
    AveragePooling2D,
    AvgPool2D,
    Conv2D,
    Convolution2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from .core_layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape
from .embeddings import Embedding
from .normalization import BatchNormalization
