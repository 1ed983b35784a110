"""Namespaces being built by other parts of the project, attached when their modules exist."""
from __future__ import annotations

import importlib

# name in `tf.` -> module providing it
_NAMESPACES = {
    "summary": "tlboard.summary",
    "keras": "tlboard.keras",
    "losses": "tlboard.losses",
    "initializers": "tlboard.initializers",
    "test": "tlboard.test",
    "config": "tlboard.config",
    "random": "tlboard.random",
    "math": "tlboard.math",
    "layers": "tlboard.layers",
}


def load_optional_namespaces(ns: dict) -> None:
    for name, module in _NAMESPACES.items():
        try:
            ns[name] = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
