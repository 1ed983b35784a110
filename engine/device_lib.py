"""The devices this process can run ops on, as TensorFlow's device_lib reports them."""
from __future__ import annotations

from dataclasses import dataclass

from .backends import get_backend, gpu_available

_CPU_MEMORY_LIMIT = 268435456  # what TF reports for the host device


@dataclass(frozen=True)
class DeviceAttributes:
    """One local device: TF's DeviceAttributes fields that scripts read."""

    name: str
    device_type: str
    memory_limit: int
    incarnation: int = 0
    physical_device_desc: str = ""


def gpu_properties() -> list[dict]:
    """(index, name, total memory, compute capability, PCI bus) of each visible CUDA device; [] without one."""
    if not gpu_available():
        return []
    cupy = get_backend("GPU").xp
    out = []
    try:
        for i in range(cupy.cuda.runtime.getDeviceCount()):
            p = cupy.cuda.runtime.getDeviceProperties(i)
            dev_name = p["name"].decode() if isinstance(p["name"], bytes) else str(p["name"])
            out.append({"index": i, "name": dev_name, "memory": int(p["totalGlobalMem"]),
                        "compute_capability": (int(p["major"]), int(p["minor"])),
                        "pci_bus_id": f"{int(p.get('pciDomainID', 0)):04x}:{int(p.get('pciBusID', 0)):02x}:"
                                      f"{int(p.get('pciDeviceID', 0)):02x}.0"})
    except Exception:  # noqa: BLE001 - a driver failure after the availability check: report no GPU
        return []
    return out


def list_local_devices(session_config=None) -> list[DeviceAttributes]:
    """The CPU and every usable GPU (TF's `device_lib.list_local_devices`)."""
    devices = [DeviceAttributes("/device:CPU:0", "CPU", _CPU_MEMORY_LIMIT)]
    for p in gpu_properties():
        major, minor = p["compute_capability"]
        desc = (f"device: {p['index']}, name: {p['name']}, pci bus id: {p['pci_bus_id']}, "
                f"compute capability: {major}.{minor}")
        devices.append(DeviceAttributes(f"/device:GPU:{p['index']}", "GPU", p["memory"],
                                        p["index"] + 1, desc))
    return devices
