"""`tf.nn`."""
# ruff: noqa: F401, F403
from tlboard.engine.ops.nn_ops import *
