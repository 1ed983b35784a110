#!/usr/bin/env bash
# Downloads, into the git-ignored .whl/, the wheels of tlboard's dependencies that the lent (offline) GPU
# machines lack: run it here, then carry .whl to the GPU machine for tests/gpu/run_gpu_checks.sh.
# PY_VERSION picks the GPU machine's Python (3.12 on the H200 image).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY_VERSION="${PY_VERSION:-3.12}"
PKGS=("protobuf==$(python3 -c 'import google.protobuf as p; print(p.__version__)')" "crc32c>=2.3")
mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version "$PY_VERSION" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform manylinux1_x86_64 -d .whl "${PKGS[@]}"
ls -la .whl
