"""The run-time switches of Keras 3's ``keras.config`` beyond backend/dtype/format.

``max_epochs`` / ``max_steps_per_epoch`` cap ``fit`` (and every epoch of fit/evaluate/predict)
for quick debugging runs, also from ``KERAS_MAX_EPOCHS`` / ``KERAS_MAX_STEPS_PER_EPOCH``.
Interactive logging sends the progress bar and epoch lines to the ``mini_keras`` logger
instead of stdout when disabled. Flash attention and Flax NNX are switches Keras 3 reads only in
its JAX/torch attention kernels and Flax integration; mini_keras has neither, so they are
recorded and reported (``is_flash_attention_enabled()``: None, "auto", or False) and change
no computation, which is what Keras does on a backend without those kernels.
"""

from __future__ import annotations

import logging
import os
import sys

_STATE = {
    "max_epochs": int(os.environ["KERAS_MAX_EPOCHS"]) if "KERAS_MAX_EPOCHS" in os.environ
    else None,
    "max_steps_per_epoch": int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"])
    if "KERAS_MAX_STEPS_PER_EPOCH" in os.environ else None,
    "interactive_logging": True,
    "flash_attention": None,
    "nnx": os.environ.get("KERAS_NNX_ENABLED", "").lower() in ("true", "1"),
}


def _limit(value, name: str):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value <= 0):
        raise ValueError(f"set_{name}: expected a positive int or None, received {value!r}")
    _STATE[name] = value


def max_epochs() -> int | None:
    """The cap on ``fit(epochs=...)`` (None: no cap)."""
    return _STATE["max_epochs"]


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every ``fit`` (None removes the cap); for debugging."""
    _limit(max_epochs, "max_epochs")


def max_steps_per_epoch() -> int | None:
    """The cap on the steps of one epoch of fit/evaluate/predict (None: no cap)."""
    return _STATE["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch of fit/evaluate/predict (None removes the cap)."""
    _limit(max_steps_per_epoch, "max_steps_per_epoch")


def enable_interactive_logging() -> None:
    """Progress bars and epoch lines go to stdout (the default)."""
    _STATE["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Progress bars and epoch lines go to the ``mini_keras`` logger (INFO) instead of stdout."""
    _STATE["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress output goes to stdout."""
    return _STATE["interactive_logging"]


def print_msg(message: str, line_break: bool = True) -> None:
    """Write ``message`` to stdout, or log it when interactive logging is disabled."""
    if _STATE["interactive_logging"]:
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logging.getLogger("mini_keras").info(message)


def enable_flash_attention() -> None:
    """Back to automatic (None), as in Keras 3: flash attention where a kernel supports the
    inputs (mini_keras has no flash kernels, see the module)."""
    _STATE["flash_attention"] = None


def disable_flash_attention() -> None:
    """Refuse flash attention (recorded; mini_keras never uses it)."""
    _STATE["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """False after :func:`disable_flash_attention`, else None (automatic)."""
    return _STATE["flash_attention"]


def enable_unsafe_deserialization() -> None:
    """Allow loading Python-bytecode lambdas outside ``load_model`` (whose own ``safe_mode``
    argument still rules inside it), as Keras 3's switch does."""
    _STATE["unsafe_deserialization"] = True


def unsafe_deserialization_enabled() -> bool:
    """Whether :func:`enable_unsafe_deserialization` was called."""
    return _STATE.get("unsafe_deserialization", False)


def is_nnx_enabled() -> bool:
    """Whether Flax NNX integration was asked for (``KERAS_NNX_ENABLED``)."""
    return _STATE["nnx"]
