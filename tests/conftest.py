"""Shared fixtures: run a test once per backend, with that backend as the default."""

import importlib
import os

import numpy as np
import pytest

from mini_keras import backends, config  # imports no framework: backends load lazily

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any backend imports tensorflow

ALL_BACKENDS = list(backends.names())  # discovered: a new backend folder or plugin joins
SEED = 1337


def _seed_everything(seed: int) -> None:
    """Seed numpy's global generator and, when it exists, ``mini_keras.utils.set_random_seed``."""
    np.random.seed(seed)
    try:
        utils = importlib.import_module("mini_keras.utils")
    except ImportError:
        return
    if hasattr(utils, "set_random_seed"):
        utils.set_random_seed(seed)


def require_backend(name: str) -> None:
    """Skip the calling test when ``name``'s framework is not installed."""
    if name not in backends.available():
        pytest.skip(f"backend {name!r} not installed (pip install the '{name}' extra)")


@pytest.fixture(params=ALL_BACKENDS, ids=ALL_BACKENDS)
def backend(request):
    """The backend name; it is the default backend for the duration of the test."""
    name = request.param
    require_backend(name)
    previous = backends.default_name()
    config.set_backend(name)
    _seed_everything(SEED)
    try:
        yield name
    finally:
        config.set_backend(previous)


@pytest.fixture
def reference_backends():
    """The installed backends other than numpy (handy as references for cross-backend tests)."""
    return [name for name in backends.available() if name != "numpy"]


@pytest.fixture
def use_backend():
    """``use(name)`` switches the default backend inside a test (skipping when ``name`` is not
    installed); the previous default comes back afterwards."""
    previous = backends.default_name()

    def use(name):
        require_backend(name)
        config.set_backend(name)
    yield use
    config.set_backend(previous)
