#!/bin/sh
# Install what tests/browser needs on Debian/Ubuntu: the distribution's Chromium and Playwright's Python
# package. Never runs `playwright install`: that downloads a browser of its own; the tests drive the system one.
set -eu
PYTHON="${PYTHON:-python3}"
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium
fi
"$PYTHON" -m pip install "playwright>=1.45"
"$PYTHON" -c "import playwright.sync_api" && chromium --version
