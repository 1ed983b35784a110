"""Every CUDA source of the GPU backend compiles (with nvcc, else NVRTC), so a syntax error cannot land.

Compiles exactly what the backend hands to NVRTC at run time: each cuda/*.cu with its headers inlined.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tlboard.engine.backends import cupy_backend

MODULES = sorted(p.stem for p in cupy_backend.CUDA_DIR.glob("*.cu"))
# Every entry point the backend launches: (module, base name); each exists in 4 (dtype, index) variants.
ENTRY_POINTS = [
    ("conv", "im2col"), ("conv", "col2im"),
    ("pool", "max_pool"), ("pool", "max_pool_grad"), ("pool", "avg_pool"), ("pool", "avg_pool_grad"),
    ("softmax_xent", "softmax_xent"), ("softmax_xent", "sparse_softmax_xent"),
    ("elementwise", "bias_add_relu"), ("elementwise", "relu_grad"), ("elementwise", "dropout_mask"),
    ("optimizers", "apply_sgd"), ("optimizers", "apply_momentum"), ("optimizers", "apply_adam"),
    ("optimizers", "apply_rmsprop"), ("optimizers", "apply_adagrad"),
]
VARIANTS = ("f32_i32", "f32_i64", "f64_i32", "f64_i64")


def _nvcc() -> str | None:
    for candidate in (shutil.which("nvcc"), "/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc
        nvrtc.getVersion()
        return nvrtc
    except Exception:  # noqa: BLE001 - library absent or not loadable
        return None


def _compile_to_ptx(module: str, tmp_path: Path) -> str:
    source = cupy_backend.kernel_source(module)
    nvcc = _nvcc()
    if nvcc is not None:
        src = tmp_path / f"{module}.cu"
        src.write_text(source)
        out = tmp_path / f"{module}.ptx"
        proc = subprocess.run([nvcc, "-ptx", "-arch=compute_90", "-std=c++17", "-o", str(out), str(src)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"nvcc failed for {module}.cu:\n{proc.stderr}"
        return out.read_text()
    nvrtc = _nvrtc()
    if nvrtc is None:
        pytest.skip("neither nvcc nor NVRTC is available to compile the CUDA sources")
    prog = nvrtc.createProgram(source, f"{module}.cu", [], [])
    try:
        nvrtc.compileProgram(prog, ["--std=c++17", "-arch=compute_90"])
    except Exception as e:  # noqa: BLE001 - report the compiler log
        pytest.fail(f"NVRTC failed for {module}.cu: {e}\n{nvrtc.getProgramLog(prog)}")
    return nvrtc.getPTX(prog)


def test_sources_found():
    assert set(MODULES) == {m for m, _ in ENTRY_POINTS}


@pytest.mark.parametrize("module", MODULES)
def test_source_compiles_with_every_entry_point(module, tmp_path):
    ptx = _compile_to_ptx(module, tmp_path)
    for mod, base in ENTRY_POINTS:
        if mod == module:
            for variant in VARIANTS:
                # extern "C" keeps names unmangled: this is the name RawModule.get_function looks up.
                assert f".entry {base}_{variant}(" in ptx, f"{base}_{variant} missing from {module}.cu"


def test_inlined_source_has_no_remaining_local_includes():
    for module in MODULES:
        assert '#include "' not in cupy_backend.kernel_source(module)
