#!/usr/bin/env bash
# Install everything, then train the same model on every backend and compare them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export TF_CPP_MIN_LOG_LEVEL=2
exec "${PYTHON:-python3}" examples/compare_backends.py "$@"
