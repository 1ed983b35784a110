"""`tf.keras`: Keras 2 (as TensorFlow 1.x ships it) on tlboard's graph engine: layers, Sequential and
functional models, compile/fit/evaluate/predict, callbacks (TensorBoard included)."""
# ruff: noqa: F401
from . import (
    activations,
    backend,
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from .core_layers import Input
from .sequential import Sequential
from .training import Model

__version__ = "2.2.4-tf"
