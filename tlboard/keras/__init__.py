"""`tf.keras`, also importable by path: `from tlboard.keras.layers import Dense` works as with TensorFlow.

The implementation lives in tlboard.engine.keras; its public submodules are registered under this name too
(the same module objects, so classes stay identical whichever path imported them).
"""
# ruff: noqa: F401
import sys

from tlboard.engine import keras as _impl
from tlboard.engine.keras import (
    Input,
    Model,
    Sequential,
    __version__,
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

for _name in ("activations", "backend", "callbacks", "constraints", "initializers", "layers", "losses",
              "metrics", "models", "optimizers", "regularizers", "utils"):
    sys.modules[f"{__name__}.{_name}"] = getattr(_impl, _name)
