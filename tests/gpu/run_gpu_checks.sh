#!/usr/bin/env bash
# The one prepared GPU check: on a machine with an NVIDIA GPU, make tlboard and CuPy importable, run the GPU
# tests and the GPU benchmark. Results (summary, pytest log, JUnit XML, benchmark JSON) go to $OUT (or
# ./gpu-results).
#
# The lent GPU machines are offline. Their image has python3 (3.12) with NumPy, CuPy (cupy-cuda13x),
# PyTorch and pytest, but not all of tlboard's own dependencies: fetch those wheels here first, into the
# git-ignored .whl/, and carry .whl along:
#   bash tests/gpu/fetch_wheels.sh            # protobuf and crc32c for CPython 3.12 on x86-64 Linux
# tlboard itself needs no install: a link farm in /tmp mirrors pyproject's package-dir mapping.
# Online machines without CuPy install cupy-cuda12x[ctk] from PyPI.
# Usage: bash tests/gpu/run_gpu_checks.sh [--quick]   (--quick: tests only, no benchmark)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT_DIR="${OUT:-$PWD/gpu-results}"
mkdir -p "$OUT_DIR"
PY="${PYTHON:-$(command -v python3 || command -v python)}"
log() { echo "[gpu-checks] $*" | tee -a "$OUT_DIR/summary.txt"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$OUT_DIR/nvidia-smi.txt"

# Carried wheels go to a private site folder (put first on the path: they are the versions tlboard needs).
if ls .whl/*.whl >/dev/null 2>&1; then
  log "installing carried wheels: $(ls .whl | tr '\n' ' ')"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/tlboard-deps \
    .whl/*.whl 2>&1 | tail -3
  export PYTHONPATH="/tmp/tlboard-deps${PYTHONPATH:+:$PYTHONPATH}"
fi

# tlboard from this tree: tlboard/ plus tlboard.engine -> engine/, tlboard.summaries -> summaries/, ...
if ! "$PY" -c "import tlboard.engine" 2>/dev/null; then
  FARM=/tmp/tlboard-tree
  rm -rf "$FARM" && mkdir -p "$FARM/tlboard"
  for f in tlboard/*; do ln -s "$PWD/$f" "$FARM/tlboard/"; done
  for d in engine summaries dashboard web; do ln -s "$PWD/$d" "$FARM/tlboard/$d"; done
  export PYTHONPATH="$FARM:$PYTHONPATH"
  log "tlboard imported from this tree through $FARM"
fi

if ! "$PY" -c "import cupy" 2>/dev/null; then
  log "no CuPy here: installing cupy-cuda12x[ctk] from PyPI"
  "$PY" -m pip install 'cupy-cuda12x[ctk]' 2>&1 | tail -3
fi

"$PY" -P - <<'PY' 2>&1 | tee -a "$OUT_DIR/summary.txt"
import cupy, tlboard as tf
from tlboard.engine.backends import cupy_backend
print("cupy", cupy.__version__, "cuda runtime", cupy.cuda.runtime.runtimeGetVersion(),
      "driver", cupy.cuda.runtime.driverGetVersion())
print("is_available:", cupy_backend.is_available(), "| tf.test.is_gpu_available():", tf.test.is_gpu_available())
print("devices:", tf.config.list_physical_devices())
PY

log "GPU tests"
timeout 420 "$PY" -P -m pytest -q -rs -p no:cacheprovider tests/gpu tests/test_cuda_sources.py \
  --junitxml="$OUT_DIR/gpu-tests.xml" 2>&1 | tee "$OUT_DIR/gpu-tests.log" | tail -40
TEST_RC=${PIPESTATUS[0]}
log "tests exit code: $TEST_RC"

if [[ "${1:-}" != "--quick" ]]; then
  log "benchmark"
  timeout 240 "$PY" benchmarks/bench_gpu.py --steps 100 --json "$OUT_DIR/bench_gpu.json" 2>&1 \
    | tee "$OUT_DIR/bench_gpu.log"
fi
exit "$TEST_RC"
