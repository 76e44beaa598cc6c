"""Traceback filtering (Keras 3's ``keras.config.enable_traceback_filtering``).

An error raised inside ``fit``, a layer call, ``save``... reaches the user with the frames of
mini_keras and of the frameworks under it removed, so the traceback ends at the user's own
line and the message (which names the layer/op and what was expected) is what they read. The
full traceback comes back with ``disable_traceback_filtering()``. Nothing is done until an
exception is raised: the hot paths pay nothing.
"""

from __future__ import annotations

import functools
import os
import sys
import types

_STATE = {"enabled": os.environ.get("KERAS_TRACEBACK_FILTERING", "1").lower()
          not in ("0", "false")}

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Framework internals are hidden too: the error message already says what was wrong.
_FRAMEWORKS = ("torch", "jax", "jaxlib", "tensorflow", "mlx", "keras", "numpy", "optree")
_NOTE = ("(mini_keras filtered its own and the frameworks' frames out of this traceback; "
         "call mini_keras.config.disable_traceback_filtering() to see them all.)")


def enable_traceback_filtering() -> None:
    """Hide mini_keras' and the frameworks' internal frames from tracebacks (the default)."""
    _STATE["enabled"] = True


def disable_traceback_filtering() -> None:
    """Show full tracebacks, mini_keras' internal frames included."""
    _STATE["enabled"] = False


def is_traceback_filtering_enabled() -> bool:
    """Whether tracebacks are filtered."""
    return _STATE["enabled"]


def active() -> bool:
    """Filter now? (enabled, and no debugger or tracer attached: those see every frame)."""
    return _STATE["enabled"] and sys.gettrace() is None


def _internal(filename: str) -> bool:
    if filename.startswith(_PACKAGE_DIR + os.sep):
        return True
    parts = filename.replace("\\", "/").split("/")
    return any(p in ("site-packages", "dist-packages") and i + 1 < len(parts)
               and parts[i + 1] in _FRAMEWORKS for i, p in enumerate(parts))


def filtered(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` without internal frames (None when every frame is internal)."""
    kept = []
    while tb is not None:
        if not _internal(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    out = None
    for frame_tb in reversed(kept):
        out = types.TracebackType(out, frame_tb.tb_frame, frame_tb.tb_lasti,
                                  frame_tb.tb_lineno)
    return out


def with_filtered_traceback(error: BaseException) -> BaseException:
    """``error`` with its internal frames removed and a note saying so; ``raise`` it again
    from the ``except`` block (the frames above, the user's, are added as it propagates)."""
    if _NOTE not in getattr(error, "__notes__", ()):
        error.add_note(_NOTE)
    return error.with_traceback(filtered(error.__traceback__))


def filter_traceback(fn):
    """Decorate a public entry point so that its errors reach the user filtered."""
    @functools.wraps(fn)
    def entry_point(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            if not active():
                raise
            raise with_filtered_traceback(error)  # keeps __cause__ and __context__
    return entry_point
