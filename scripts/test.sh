#!/usr/bin/env bash
# Installs everything the test suite needs (Debian's Chromium for the browser test, the package with its
# test extras) and runs the whole suite. Used verbatim by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test,examples]'
python3 -m pytest -q "$@"
