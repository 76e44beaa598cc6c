"""Assets in ``.keras`` files: ``assets/<object path>/<file>``, Keras 3's layout.

A saveable with ``save_assets(dir_path)`` / ``load_assets(dir_path)`` (the vocabulary of a
``TextVectorization`` or ``StringLookup``: ``vocabulary.txt``) writes files into a folder
named after its path in the model (``layers/text_vectorization``), the same path as its
weights' h5 group, so Keras 3 files with vocabularies load here and ours load in Keras.
"""

from __future__ import annotations

import os
import tempfile
import zipfile

from mini_keras.saving import file_limits

ASSETS_PREFIX = "assets/"
#: most bytes all asset files of one model may inflate to when loading
MAX_ASSETS_BYTES = 256 * 2**20


def _saveables_with(model, method: str):
    from mini_keras.saving.saving_lib import _walk
    found = []
    _walk(model, "", lambda obj, path: found.append((obj, path))
          if callable(getattr(obj, method, None)) else None, set())
    return found


def write_assets(model, zf: zipfile.ZipFile) -> None:
    """Write every saveable's asset files into ``zf`` under ``assets/<path>/``."""
    owners = _saveables_with(model, "save_assets")
    if not owners:
        return
    with tempfile.TemporaryDirectory() as tmp:
        for obj, path in owners:
            folder = os.path.join(tmp, *path.split("/"))
            os.makedirs(folder, exist_ok=True)
            obj.save_assets(folder)
        for root, _, files in os.walk(tmp):
            for name in sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, tmp).replace(os.sep, "/")
                zf.write(full, ASSETS_PREFIX + rel)


def read_asset_files(zf: zipfile.ZipFile, filepath: str) -> dict[str, bytes]:
    """The asset members of ``zf`` (``path inside assets/`` -> bytes), size-bounded."""
    out, total = {}, 0
    for name in zf.namelist():
        if not name.startswith(ASSETS_PREFIX) or name.endswith("/"):
            continue
        rel = name[len(ASSETS_PREFIX):]
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(file_limits.corrupt(filepath, f"asset path {name!r} leaves the "
                                                           "assets folder"))
        data = file_limits.read_member(zf, name, filepath, MAX_ASSETS_BYTES - total,
                                       "MAX_ASSETS_BYTES")
        total += len(data)
        out[rel] = data
    return out


def load_assets(model, files: dict[str, bytes]) -> None:
    """Hand each saveable with ``load_assets`` the folder of its saved asset files."""
    if not files:
        return
    owners = _saveables_with(model, "load_assets")
    with tempfile.TemporaryDirectory() as tmp:
        for rel, data in files.items():
            full = os.path.join(tmp, *rel.split("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        for obj, path in owners:
            folder = os.path.join(tmp, *path.split("/"))
            if os.path.isdir(folder):
                obj.load_assets(folder)
