"""Where an export writes: checked before the work, replaced in one step after it.

An export writes into a hidden temporary sibling of ``filepath`` and moves it into place only
once the writer returned, so a failure (an op the format cannot express, a full disk, Ctrl-C)
never leaves a half-written file, and an earlier export at ``filepath`` survives it. As in
Keras 3, an existing export at ``filepath`` is replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile


def check_target(filepath: str, directory: bool, what: str) -> None:
    """Raise a clear error when ``filepath`` cannot hold ``what`` (a directory or a file).

    Raises:
        FileExistsError: a file is where a directory must go.
        IsADirectoryError: a directory is where a file must go.
        FileNotFoundError: the parent directory of a file does not exist.
    """
    if directory and os.path.isfile(filepath):
        raise FileExistsError(f"{what}: {filepath!r} is an existing file, and a SavedModel is a "
                              "directory. Remove the file or choose another path.")
    if not directory and os.path.isdir(filepath):
        raise IsADirectoryError(f"{what}: {filepath!r} is an existing directory; this format "
                                "writes one file. Remove the directory or choose another path.")
    parent = os.path.dirname(os.path.abspath(filepath))
    if not directory and not os.path.isdir(parent):
        raise FileNotFoundError(f"{what}: the directory {parent!r} of {filepath!r} does not "
                                "exist.")


@contextlib.contextmanager
def atomic_write(filepath: str, directory: bool):
    """Yield a temporary path to write; on success it replaces ``filepath``, else vanishes."""
    filepath = os.path.abspath(filepath)
    parent, base = os.path.split(filepath)
    os.makedirs(parent, exist_ok=True)  # tf.saved_model.save creates parents too
    tmp = tempfile.mkdtemp(prefix=f".{base}.", suffix=".tmp", dir=parent)
    try:
        written = os.path.join(tmp, base)
        yield written
        if not os.path.exists(written):
            raise RuntimeError(f"export: the writer did not create {written!r}.")
        if directory and os.path.isdir(filepath):
            os.rename(filepath, os.path.join(tmp, "previous"))  # removed with tmp below
        os.replace(written, filepath)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
