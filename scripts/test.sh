#!/usr/bin/env bash
# Install everything, then run the whole test suite on all four backends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export TF_CPP_MIN_LOG_LEVEL=2
exec "${PYTHON:-python3}" -m pytest tests "$@"
