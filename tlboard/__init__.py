"""tlboard: `import tlboard as tf` gives TensorFlow 1's graph-mode API on NumPy (CuPy on GPUs), writes real
TensorBoard event files, and ships a fast dashboard (`tlboard --logdir runs/`).

The TF API (tlboard/_api.py) loads on first use, so the dashboard process, which imports
`tlboard.dashboard`, does not pay for the graph engine.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"
_loading = False


def _load_api() -> dict:
    global _loading
    _loading = True
    try:
        api = importlib.import_module("tlboard._api")
    finally:
        _loading = False
    names = {k: v for k, v in vars(api).items() if not k.startswith("__")}
    globals().update(names)  # later lookups are plain module attributes
    return names


def __getattr__(name: str):
    if name.startswith("__") or _loading:  # during loading, `from tlboard import x` finds submodules
        raise AttributeError(name)
    names = _load_api()
    if name in names:
        return names[name]
    raise AttributeError(f"module 'tlboard' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_load_api()))
