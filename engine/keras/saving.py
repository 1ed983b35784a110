"""Weights on disk, tlboard's documented format: an uncompressed NumPy .npz archive holding one array per
weight keyed by the weight's name ('dense_1/kernel:0'), and `__order__`, a string array of those names
in `model.weights` order. `load_weights` assigns in that order (as Keras loads by topology) or by name."""
from __future__ import annotations

import os

import numpy as np

from . import backend as K

ORDER_KEY = "__order__"


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes the model's weights to `filepath` (exactly that path; no suffix is added)."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    weights = model.weights
    names = [w.name for w in weights]
    if len(set(names)) != len(names):
        raise ValueError(f"Weight names must be unique to be saved; got duplicates in {names}")
    values = K.batch_get_value(weights)
    arrays = {name: np.asarray(v) for name, v in zip(names, values)}
    arrays[ORDER_KEY] = np.array(names, dtype=np.str_)
    tmp = filepath + ".tmp"
    with open(tmp, "wb") as f:  # a file object: np.savez would otherwise append '.npz' to the name
        np.savez(f, **arrays)
    os.replace(tmp, filepath)


def load_weights(model, filepath, by_name: bool = False) -> None:
    """Assigns weights saved by `save_weights` to `model`, checking counts and shapes."""
    filepath = os.fspath(filepath)
    with np.load(filepath, allow_pickle=False) as data:
        if ORDER_KEY not in data.files:
            raise ValueError(f"{filepath} is not a tlboard Keras weights file (no {ORDER_KEY!r} entry).")
        names = [str(n) for n in data[ORDER_KEY]]
        saved = {n: data[n] for n in names}
    weights = model.weights
    if by_name:
        pairs = [(w, saved[w.name]) for w in weights if w.name in saved]
    else:
        if len(names) != len(weights):
            raise ValueError(f"You are trying to load a weight file containing {len(names)} weights into a model "
                             f"with {len(weights)} weights.")
        pairs = list(zip(weights, (saved[n] for n in names)))
    for (w, value), name in zip(pairs, names if not by_name else [w.name for w, _ in pairs]):
        want = tuple(w.shape.as_list())
        if tuple(value.shape) != want:
            raise ValueError(f"Weight {name} in {filepath} has shape {tuple(value.shape)}, but the model's weight "
                             f"{w.name} has shape {want}.")
    K.batch_set_value(pairs)
