"""`tf.errors`."""
# ruff: noqa: F401, F403
from tlboard.engine.errors import *
from tlboard.engine.errors import OpError
