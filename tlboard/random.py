"""`tf.random`: the random ops under their TF 1.13+ `tf.random` names."""
# ruff: noqa: F401
from tlboard.engine.ops.random_ops import (
    get_seed,
    multinomial,
    set_random_seed,
    truncated_normal,
)
from tlboard.engine.ops.random_ops import random_normal as normal
from tlboard.engine.ops.random_ops import random_shuffle as shuffle
from tlboard.engine.ops.random_ops import random_uniform as uniform
