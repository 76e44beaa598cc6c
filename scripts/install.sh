#!/usr/bin/env bash
# Install mini_keras with every backend and the test tools into the current Python.
# torch==2.13.0 goes first: on these machines it is a local CPU wheel, and the project's
# `torch>=2.1` extra is then already satisfied (a bare `torch` would pull a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install --quiet "torch==2.13.0"
# `.[dev]` includes `all`, hence the mlx extra (mlx[cpu] on Linux), so CI tests the MLX backend,
# and the export extra (onnx, onnxruntime, ai-edge-litert), so the export tests run, not skip.
"$PY" -m pip install --quiet -e ".[dev]"
