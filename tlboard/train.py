"""`tf.train`: optimizers, the global step, learning-rate schedules, checkpoints, and `write_graph`."""
# ruff: noqa: F401, F403
from tlboard.engine.train import *
from tlboard.summaries.graph_def import write_graph
