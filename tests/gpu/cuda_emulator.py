"""A CPU stand-in for CuPy, for testing the GPU backend where there is no GPU.

Our CUDA sources are compiled with g++ behind a small shim (blockIdx/threadIdx as thread-locals,
__syncthreads as a std::barrier, __shared__ as static storage) and launched through ctypes; the array API
the backend uses (empty, matmul, asarray, ...) is NumPy's. So the backend's Python code and the very kernel
sources run, with CUDA's execution model: grid-stride kernels run as one thread, block-cooperative
kernels (softmax cross-entropy) with one OS thread per CUDA thread and a real barrier (built for blocks
of 8 threads here instead of 256, to keep thread counts low; the reduction code is the same).
Launch arguments are checked strictly: arrays must be C-contiguous with the kernel's value type, scalars
explicit NumPy scalars of the kernel's index/value types (as real launches need).
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import shutil
import subprocess
import tempfile
import traceback
import types
from pathlib import Path

import numpy as np

COOPERATIVE_BLOCK = 8  # block size the emulator builds cooperative kernels for (XENT_BLOCK), to spare threads

SHIM = r"""
#define XENT_BLOCK 8
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>
using std::max;
using std::min;
struct tl_dim3 { unsigned int x, y, z; };
static thread_local tl_dim3 threadIdx = {0, 0, 0};
static thread_local tl_dim3 blockIdx = {0, 0, 0};
static tl_dim3 blockDim = {1, 1, 1};
static tl_dim3 gridDim = {1, 1, 1};
static std::barrier<>* tl_bar = nullptr;
inline void __syncthreads() { if (tl_bar) tl_bar->arrive_and_wait(); }
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, sizeof f); return f; }
inline double __longlong_as_double(long long i) { double d; std::memcpy(&d, &i, sizeof d); return d; }
static unsigned tl_grid = 1, tl_block = 1;
extern "C" void tl_set_launch(unsigned g, unsigned b) { tl_grid = g; tl_block = b; }
template <class F> void tl_emulate(F f) {
    gridDim = {tl_grid, 1, 1};
    blockDim = {tl_block, 1, 1};
    for (unsigned b = 0; b < tl_grid; ++b) {
        if (tl_block == 1) {
            blockIdx = {b, 0, 0};
            threadIdx = {0, 0, 0};
            f();
            continue;
        }
        std::barrier<> bar(tl_block);
        tl_bar = &bar;
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < tl_block; ++t)
            threads.emplace_back([&f, t, b] { blockIdx = {b, 0, 0}; threadIdx = {t, 0, 0}; f(); });
        for (auto& th : threads) th.join();
        tl_bar = nullptr;
    }
}
#define TL_INSTANTIATE(NAME, PARAMS, ARGS)                                                           \
    extern "C" void NAME##_f32_i32 PARAMS(float, int) { tl_emulate([&] { NAME##_body<float, int> ARGS; }); } \
    extern "C" void NAME##_f32_i64 PARAMS(float, long long) {                                        \
        tl_emulate([&] { NAME##_body<float, long long> ARGS; });                                     \
    }                                                                                                \
    extern "C" void NAME##_f64_i32 PARAMS(double, int) { tl_emulate([&] { NAME##_body<double, int> ARGS; }); } \
    extern "C" void NAME##_f64_i64 PARAMS(double, long long) {                                       \
        tl_emulate([&] { NAME##_body<double, long long> ARGS; });                                    \
    }
"""

_CTYPES = {np.dtype(np.int32): ctypes.c_int, np.dtype(np.int64): ctypes.c_longlong,
           np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}
_VALUE = {"f32": np.dtype(np.float32), "f64": np.dtype(np.float64)}
_INDEX = {"i32": np.dtype(np.int32), "i64": np.dtype(np.int64)}


def available() -> bool:
    return shutil.which("g++") is not None


class EmulatedKernel:
    """One extern "C" entry point; called like cupy.RawKernel: kernel(grid, block, args)."""

    def __init__(self, lib, name: str):
        self.name = name
        self.fn = getattr(lib, name)
        self.fn.restype = None
        self.set_launch = lib.tl_set_launch
        self.value = _VALUE[name.rsplit("_", 2)[1]]
        self.index = _INDEX[name.rsplit("_", 2)[2]]
        self.launches = 0

    def __call__(self, grid, block, args):
        assert len(grid) == 1 and len(block) == 1 and grid[0] >= 1 and block[0] >= 1, (grid, block)
        cargs = []
        for a in args:
            if isinstance(a, np.ndarray):
                assert a.flags.c_contiguous, f"{self.name}: non-contiguous array argument"
                if a.dtype.kind == "f":
                    assert a.dtype == self.value, f"{self.name}: {a.dtype} array for a {self.value} kernel"
                cargs.append(ctypes.c_void_p(a.ctypes.data))
            elif isinstance(a, np.generic) and a.dtype in _CTYPES:
                if a.dtype.kind == "f":
                    assert a.dtype == self.value, f"{self.name}: {a.dtype} scalar for a {self.value} kernel"
                cargs.append(_CTYPES[a.dtype](a.item()))
            else:
                raise TypeError(f"{self.name}: launch argument {a!r} is not an array or a sized NumPy scalar")
        # Grid-stride loops cover any launch shape: run them as one thread. Cooperative kernels run with
        # the block size they were built for here (the barrier counts its threads); any grid works.
        cooperative = "xent" in self.name
        self.set_launch(1, COOPERATIVE_BLOCK if cooperative else 1)
        self.fn(*cargs)
        self.launches += 1


class EmulatedModule:
    """cupy.RawModule(code=...) compiled for the host."""

    cache_dir = Path(tempfile.gettempdir()) / "tlboard-cuda-emulator"

    def __init__(self, code: str, options=()):
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        source = SHIM + code
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        lib = self.cache_dir / f"k_{digest}.so"
        if not lib.exists():
            src = self.cache_dir / f"k_{digest}.cpp"
            src.write_text(source)
            tmp = lib.with_suffix(".tmp.so")
            proc = subprocess.run(["g++", "-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-w",
                                   "-o", str(tmp), str(src)], capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                raise RuntimeError(f"host compile of the CUDA source failed:\n{proc.stderr}")
            tmp.replace(lib)
        self.lib = ctypes.CDLL(str(lib))
        self.kernels: dict[str, EmulatedKernel] = {}

    def get_function(self, name: str) -> EmulatedKernel:
        if name not in self.kernels:
            self.kernels[name] = EmulatedKernel(self.lib, name)
        return self.kernels[name]


_sync_log: list[list[str]] = []  # one list per active watch_syncs()


def _synced(what: str) -> None:
    if _sync_log:
        frames = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in traceback.extract_stack()[:-2]
                  if "/engine/" in f.filename or "/summaries/" in f.filename]
        _sync_log[-1].append(f"{what} at {' <- '.join(reversed(frames[-3:]))}")


class DeviceArray(np.ndarray):
    """A host array standing in for a CuPy array. Reading one of its values on the host (float(), int(),
    bool(), item(), tolist()) is what a device-to-host synchronisation is on a GPU: inside watch_syncs()
    each such read is recorded. get() is the explicit copy to the host (the fetch), so it is not."""

    def get(self) -> np.ndarray:
        return np.array(self.view(np.ndarray))

    def __float__(self):
        _synced("float()")
        return float(self.view(np.ndarray))

    def __int__(self):
        _synced("int()")
        return int(self.view(np.ndarray))

    def __bool__(self):
        _synced("bool()")
        return bool(self.view(np.ndarray))

    def item(self, *args):
        _synced("item()")
        return self.view(np.ndarray).item(*args)

    def tolist(self):
        _synced("tolist()")
        return self.view(np.ndarray).tolist()


@contextlib.contextmanager
def watch_syncs():
    """Records every host read of an emulated device array made inside the block (see DeviceArray)."""
    log: list[str] = []
    _sync_log.append(log)
    try:
        yield log
    finally:
        _sync_log.remove(log)


def _on_device(fn):
    def make(*args, **kwargs):
        return fn(*args, **kwargs).view(DeviceArray)
    return make


def fake_cupyx() -> types.ModuleType:
    """cupyx's scatter_add, as NumPy's unbuffered add.at."""
    m = types.ModuleType("cupyx_emulated")
    m.scatter_add = np.add.at
    return m


def fake_cupy() -> types.ModuleType:
    """A module with the slice of CuPy's API the backend uses, on NumPy and the emulated kernels."""
    m = types.ModuleType("cupy_emulated")
    m.ndarray = DeviceArray
    m.empty, m.empty_like, m.zeros = _on_device(np.empty), _on_device(np.empty_like), _on_device(np.zeros)
    m.matmul, m.concatenate = _on_device(np.matmul), _on_device(np.concatenate)
    m.ascontiguousarray = _on_device(np.ascontiguousarray)
    m.asarray = _on_device(lambda x, dtype=None: np.asarray(x, dtype=dtype))
    m.RawModule = EmulatedModule
    m.random = types.SimpleNamespace(default_rng=np.random.default_rng)
    return m


class _EmulatedXP:
    """CuPy's namespace for the emulator: the fake module's members, else NumPy's."""

    def __init__(self, fake):
        self._fake = fake

    def __getattr__(self, attr):
        return getattr(self._fake, attr) if hasattr(self._fake, attr) else getattr(np, attr)


def emulate(monkeypatch) -> None:
    """Routes tlboard's GPU backend to this emulator for one test (all undone by `monkeypatch`)."""
    import sys

    from tlboard.engine import session as session_mod
    from tlboard.engine.backends import cupy_backend

    fake = _EmulatedXP(fake_cupy())
    monkeypatch.setattr(cupy_backend, "cupy", fake)
    monkeypatch.setattr(cupy_backend, "xp", fake)
    monkeypatch.setitem(sys.modules, "cupyx", fake_cupyx())
    monkeypatch.setattr(cupy_backend, "is_available", lambda: True)
    monkeypatch.setattr(session_mod, "gpu_available", lambda: True)
    # Fresh kernel caches for the test: emulated kernels never outlive it into a real-GPU test.
    monkeypatch.setattr(cupy_backend, "_module", functools.cache(cupy_backend._module.__wrapped__))
    monkeypatch.setattr(cupy_backend, "_function", functools.cache(cupy_backend._function.__wrapped__))
