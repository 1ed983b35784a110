"""`tf.test`: GPU queries used by scripts that pick a device."""
from __future__ import annotations

from tlboard.engine import device_lib
from tlboard.engine.backends import cupy_backend


def is_built_with_cuda() -> bool:
    """True when GPU support is installed (CuPy imports), whether or not a GPU is present."""
    return cupy_backend.cupy is not None


def is_built_with_gpu_support() -> bool:
    """Same as is_built_with_cuda(): CUDA is tlboard's only GPU platform."""
    return is_built_with_cuda()


def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability: tuple[int, int] | None = None) -> bool:
    """True when a usable GPU exists (with at least `min_cuda_compute_capability` when given)."""
    for p in device_lib.gpu_properties():
        if min_cuda_compute_capability is None or p["compute_capability"] >= tuple(min_cuda_compute_capability):
            return True
    return False


def gpu_device_name() -> str:
    """'/device:GPU:0' when a GPU is usable, else ''."""
    for d in device_lib.list_local_devices():
        if d.device_type == "GPU":
            return d.name
    return ""
