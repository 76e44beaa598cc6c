#!/usr/bin/env bash
# Install everything, then run the whole test suite on all four backends.
# Two pytest workers (one per core), each framework limited to one thread so the workers do
# not oversubscribe the cores; test files stay whole per worker (--dist loadfile).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export TF_CPP_MIN_LOG_LEVEL=2 OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
workers="${PYTEST_WORKERS:-2}"
exec "${PYTHON:-python3}" -m pytest tests -n "$workers" --dist loadfile "$@"
