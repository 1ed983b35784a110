"""`tf.losses`."""
# ruff: noqa: F401, F403
from tlboard.engine.losses import *
from tlboard.engine.losses import __all__
