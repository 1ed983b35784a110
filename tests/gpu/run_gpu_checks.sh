#!/usr/bin/env bash
# The one prepared GPU check: on a machine with an NVIDIA GPU, make CuPy importable, run the GPU tests
# and the GPU benchmark. Results (pytest log, JUnit XML, benchmark JSON) go to $OUT (or ./gpu-results).
#
# Offline machines: put wheels in .whl/ at the repo root beforehand (it is git-ignored, carry it along):
#   pip download --only-binary=:all: --python-version 3.11 -d .whl 'cupy-cuda12x[ctk]' cuda-pathfinder
#   pip download --only-binary=:all: --python-version 3.11 -d .whl torch   # optional, for the comparison
# (use the python version of the GPU machine; cupy-cuda12x needs an NVIDIA driver >= 525, its [ctk] extra
# brings NVRTC and cuBLAS when no CUDA toolkit is installed). Online machines install from PyPI.
# Usage: bash tests/gpu/run_gpu_checks.sh [--quick]   (--quick: tests only, no benchmark)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT_DIR="${OUT:-$PWD/gpu-results}"
mkdir -p "$OUT_DIR"
PY="${PYTHON:-python}"
log() { echo "[gpu-checks] $*" | tee -a "$OUT_DIR/summary.txt"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$OUT_DIR/nvidia-smi.txt"

if ! "$PY" -c "import cupy" 2>/dev/null; then
  if ls .whl/*.whl >/dev/null 2>&1; then
    log "installing CuPy from .whl/"
    "$PY" -m pip install --no-index --find-links .whl 'cupy-cuda12x[ctk]' 2>&1 | tail -3 \
      || "$PY" -m pip install --no-index --find-links .whl cupy-cuda12x 2>&1 | tail -3
    "$PY" -m pip install --no-index --find-links .whl torch 2>&1 | tail -1 || true
  else
    log "installing CuPy from PyPI"
    "$PY" -m pip install 'cupy-cuda12x[ctk]' 2>&1 | tail -3
  fi
fi
"$PY" -m pip install -q -e . --no-deps 2>/dev/null || true

"$PY" - <<'PY' 2>&1 | tee -a "$OUT_DIR/summary.txt"
import cupy, tlboard as tf
from tlboard.engine.backends import cupy_backend
print("cupy", cupy.__version__, "cuda runtime", cupy.cuda.runtime.runtimeGetVersion(),
      "driver", cupy.cuda.runtime.driverGetVersion())
print("is_available:", cupy_backend.is_available(), "| tf.test.is_gpu_available():", tf.test.is_gpu_available())
print("devices:", tf.config.list_physical_devices())
PY

log "GPU tests"
timeout 420 "$PY" -m pytest -q -rs tests/gpu tests/test_cuda_sources.py --junitxml="$OUT_DIR/gpu-tests.xml" \
  2>&1 | tee "$OUT_DIR/gpu-tests.log" | tail -40
TEST_RC=${PIPESTATUS[0]}
log "tests exit code: $TEST_RC"

if [[ "${1:-}" != "--quick" ]]; then
  log "benchmark"
  timeout 240 "$PY" benchmarks/bench_gpu.py --steps 100 --json "$OUT_DIR/bench_gpu.json" 2>&1 \
    | tee "$OUT_DIR/bench_gpu.log"
fi
exit "$TEST_RC"
