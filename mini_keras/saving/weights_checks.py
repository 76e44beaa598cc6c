"""Checks on a weights file's contents: numeric dtypes, and no weights the model did not read.

A weights file with an extra layer's weights loads "fine" in Keras 3 (they are ignored), which
means the file and the model disagree about the architecture: a wrong model that raises no
error. Here the unread datasets are listed and loading raises, unless ``skip_mismatch=True``.
"""

from __future__ import annotations

import warnings

import numpy as np


def check_numeric(array: np.ndarray, obj, variable, key: str) -> None:
    """Raise TypeError if a saved array is not numeric (e.g. an h5 kernel stored as strings).

    Args:
        array: the array read from the file.
        obj: the layer or optimizer being loaded.
        variable: the variable it would fill.
        key: the h5 group it came from.
    """
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Layer '{obj.name}' ({type(obj).__name__}): variable '{variable.path}' "
                        f"expects a numeric array of dtype {variable.dtype}, but the file holds "
                        f"dtype {array.dtype} (h5 group '{key}'). The weights file is corrupted "
                        "or was not written by save_weights().")


def check_all_read(h5, read_groups: set, skip_prefixes: tuple, skip_mismatch: bool,
                   filepath: str | None = None) -> None:
    """Raise ValueError naming every dataset of ``h5`` outside the groups the model read.

    Args:
        h5: the open h5 file.
        read_groups: the ``.../vars`` groups the model's layers and optimizer read.
        skip_prefixes: top-level paths not to check (``"optimizer"`` when the model has none).
        skip_mismatch: warn instead of raising.
        filepath: the file (for the message).
    """
    unexpected: list[str] = []

    def visit(name, item):
        if (hasattr(item, "shape") and not name.startswith(skip_prefixes)
                and name.rpartition("/")[0] not in read_groups):
            unexpected.append(name)

    h5.visititems(visit)
    if not unexpected:
        return
    shown = ", ".join(f"'{p}'" for p in unexpected[:10])
    more = f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else ""
    message = (f"The weights file{f' {filepath!r}' if filepath else ''} holds weights that no "
               f"layer of the model reads: {shown}{more}. The file was saved from a different "
               "architecture (an extra or renamed layer). Pass `skip_mismatch=True` to ignore "
               "them.")
    if skip_mismatch:
        warnings.warn(message, stacklevel=3)
        return
    raise ValueError(message)
