"""Read the two canonical formats that need pickle, without letting a file run code.

CIFAR's batches are Python pickles, and IMDB/Reuters store ragged sequences as numpy object
arrays (which ``.npy`` can only hold as a pickle stream). This module is the one place mini_keras
unpickles anything: :class:`RestrictedUnpickler` resolves only the globals needed to rebuild
numpy arrays (``numpy.ndarray``, ``numpy.dtype``, ``multiarray._reconstruct``/``scalar``, and
``_codecs.encode`` for bytes); any other global (``os.system``, ``builtins.eval``, ...) raises
``UnpicklingError``, so a tampered file cannot execute a ``__reduce__`` gadget. Dicts, lists, ints and bytes need no global at all.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

_ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),  # files written by numpy < 2 (CIFAR: Python 2)
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes (harmless)
})


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that only builds numpy arrays, dtypes and plain Python containers."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            if module == "numpy.core.multiarray":  # numpy 2 renamed numpy.core to numpy._core
                module = "numpy._core.multiarray" if hasattr(np, "_core") else module
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load the global {module}.{name} from a dataset file: only numpy "
            "arrays are allowed. The file may be corrupted or malicious.")


def load_pickle(path: str, encoding: str = "bytes"):
    """Unpickle ``path`` with :class:`RestrictedUnpickler` (``encoding="bytes"`` for Python 2)."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding=encoding).load()


def _read_npy(buffer: io.BytesIO) -> np.ndarray:
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)
    except ValueError:  # an object array: skip the header, then unpickle restrictedly
        buffer.seek(0)
        major, _ = np.lib.format.read_magic(buffer)
        if major == 1:
            np.lib.format.read_array_header_1_0(buffer)
        else:
            np.lib.format.read_array_header_2_0(buffer)
        return RestrictedUnpickler(buffer).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` archive (object arrays through the restricted unpickler)."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    return arrays
