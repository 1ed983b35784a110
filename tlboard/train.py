"""`tf.train`."""
# ruff: noqa: F401, F403
from tlboard.engine.train import *
