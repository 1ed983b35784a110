"""`tf.config`: the physical and logical devices tlboard can place ops on (a minimal subset)."""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from tlboard.engine import device_lib


@dataclass(frozen=True)
class PhysicalDevice:
    """A device as `tf.config.list_physical_devices` names it."""

    name: str
    device_type: str


@dataclass(frozen=True)
class LogicalDevice:
    """A device as `tf.config.list_logical_devices` names it."""

    name: str
    device_type: str


def _matching(device_type: str | None) -> list:
    want = device_type.upper() if device_type else None
    return [d for d in device_lib.list_local_devices() if want is None or d.device_type == want]


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The physical devices, optionally only those of `device_type` ('CPU' or 'GPU')."""
    return [PhysicalDevice(d.name.replace("/device:", "/physical_device:"), d.device_type)
            for d in _matching(device_type)]


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """The logical devices (one per physical device in tlboard)."""
    return [LogicalDevice(d.name, d.device_type) for d in _matching(device_type)]


def get_visible_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """All physical devices are visible in tlboard."""
    return list_physical_devices(device_type)


def set_memory_growth(device: PhysicalDevice, enable: bool) -> None:
    """Accepted for compatibility: CuPy's memory pool already grows on demand."""
    if not isinstance(device, PhysicalDevice):
        raise ValueError(f"Unrecognized device: {device!r}")


def get_memory_growth(device: PhysicalDevice) -> bool:
    """Always True: CuPy's memory pool grows on demand."""
    return True


experimental = SimpleNamespace(
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices,
    set_memory_growth=set_memory_growth,
    get_memory_growth=get_memory_growth,
)
