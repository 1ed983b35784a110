"""Array backends: one module per backend with identical function names.

A backend module provides `name`, `device_type`, `xp` (its NumPy-like array namespace), `asarray`,
`to_numpy`, `make_rng`, `is_available`, plus the few kernels NumPy-style code can't express well
(convolution, pooling, fused updates). Ops call `k.xp.<fn>` or `k.b.<kernel>` and never branch on the
backend. `numpy_backend` is the default; `cupy_backend` runs on NVIDIA GPUs.
"""
from __future__ import annotations

import importlib
from types import ModuleType

_MODULES = {"CPU": "numpy_backend", "GPU": "cupy_backend"}
_loaded: dict[str, ModuleType] = {}


def get_backend(device_type: str = "CPU") -> ModuleType:
    """The backend module for a device type ('CPU' or 'GPU')."""
    device_type = device_type.upper()
    mod = _loaded.get(device_type)
    if mod is None:
        if device_type not in _MODULES:
            raise ValueError(f"Unknown device type {device_type!r}")
        mod = importlib.import_module(f"{__name__}.{_MODULES[device_type]}")
        _loaded[device_type] = mod
    return mod


def gpu_available() -> bool:
    """True when CuPy imports and sees at least one CUDA device."""
    try:
        return get_backend("GPU").is_available()
    except Exception:  # noqa: BLE001 - any import/driver failure means no usable GPU
        return False
