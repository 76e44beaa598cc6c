"""Bounded reads of ``.keras`` members, so an untrusted file cannot exhaust memory.

A zip entry declares its uncompressed size, and a 1 MB entry can inflate to gigabytes (a zip
bomb). Every member is read through :func:`read_member`, which compares the declared size with
a limit before reading anything and then counts the bytes actually inflated (the declared
size can lie), stopping at the limit. ``config.json`` gets a fixed limit
(``max_config_bytes``) and a nesting-depth limit; ``model.weights.h5`` a limit derived from
the model that the config describes (its variables, with room for optimizer slots), since a
legitimate weights file cannot be much larger than the model it fills.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

import numpy as np

from mini_keras.core.allocation_budget import allocation_budget

DEFAULT_MAX_CONFIG_BYTES = 64 * 2**20
# Real configs nest a few dozen levels (model > layers > layer > config > initializer > ...,
# nested models add a handful each); Python's own parser fails near 1,000 with a RecursionError.
MAX_CONFIG_DEPTH = 256
# The weights file holds the variables, up to ~3 optimizer slots per variable, and h5 metadata.
_WEIGHTS_FACTOR = 8
_WEIGHTS_SLACK = 64 * 2**20
_CHUNK = 2**20
# What zipfile raises on a damaged archive (a flipped flag bit reads as "encrypted", a bad
# header as an unpackable struct...).
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError,
              RuntimeError, struct.error, UnicodeDecodeError)
# While the config builds the model: at most twice the weights member's bytes (+ slack).
_BUILD_FACTOR = 2
_MAX_DEFLATE_RATIO = 1032
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


def read_member(zf: zipfile.ZipFile, name: str, filepath: str, limit: int, option: str) -> bytes:
    """Read zip member ``name``, refusing more than ``limit`` uncompressed bytes.

    Args:
        zf: the open archive.
        name: the member, e.g. ``"config.json"``.
        filepath: the archive's path (for messages).
        limit: most bytes allowed.
        option: the loader argument that raises the limit (named in the error).

    Raises:
        ValueError: the member is missing, corrupted, or larger than ``limit``.
    """
    if name not in zf.namelist():
        raise ValueError(corrupt(filepath, f"it has no {name!r} (members: {zf.namelist()})"))
    declared = zf.getinfo(name).file_size
    if declared > limit:
        raise ValueError(_too_big(name, filepath, f"declares {declared:,} bytes", limit, option))
    chunks, total = [], 0
    try:
        with zf.open(name) as f:
            while chunk := f.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise ValueError(_too_big(name, filepath, "inflates to more bytes than the "
                                              f"{declared:,} it declares", limit, option))
                chunks.append(chunk)
    except ZIP_ERRORS as e:
        raise ValueError(corrupt(filepath, e)) from e
    return b"".join(chunks)


def _too_big(name, filepath, what, limit, option) -> str:
    return (f"Refusing to read {name!r} from {filepath!r}: it {what}, over the limit of "
            f"{limit:,} bytes. A file from an untrusted source can inflate to exhaust memory. "
            f"If you trust the file and the model is this big, pass a larger `{option}=` to "
            "the loading function.")


def check_config_depth(text: bytes, filepath: str, limit: int = MAX_CONFIG_DEPTH) -> None:
    """Raise ValueError if the JSON ``text`` nests deeper than ``limit`` (checked without
    recursion, before parsing, so a 200,000-deep file gives this error and not a RecursionError).
    """
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", text))
    if not brackets:
        return
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    depth = int(np.cumsum(steps).max())
    if depth > limit:
        raise ValueError(f"Refusing to load 'config.json' from {filepath!r}: it is nested "
                         f"{depth:,} levels deep, over the limit of {limit} levels (a model "
                         "config nests a few dozen). The file is malformed or was crafted to "
                         "crash the loader.")


def build_budget(zf: zipfile.ZipFile, name: str, filepath: str, max_weights_bytes=None):
    """The cap on variable bytes while the config builds the model (a context manager).

    A config alone could ask for any size (``Dense(units=10**9)``); a legitimate model's
    variables all live in its weights member, so the model may hold at most twice the bytes
    that member declares, plus 64 MiB (``max_weights_bytes`` replaces this when given). The
    declared size itself is checked against what deflate can achieve (about 1,032:1), so a
    small file cannot claim a huge member.

    Raises:
        ValueError: the weights member is missing, or declares more than its compressed bytes
            could inflate to.
    """
    if name not in zf.namelist():
        raise ValueError(corrupt(filepath, f"it has no {name!r} (members: {zf.namelist()})"))
    info = zf.getinfo(name)
    if info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + _CHUNK:
        raise ValueError(corrupt(filepath, f"{name!r} declares {info.file_size:,} bytes, more "
                                 f"than its {info.compress_size:,} compressed bytes can hold"))
    limit = max_weights_bytes or _BUILD_FACTOR * info.file_size + _WEIGHTS_SLACK

    def explain(variable: str, needed: int, limit: int) -> str:
        return (f"Refusing to build the model of {filepath!r}: its config asks for variable "
                f"{variable}, bringing the model to {needed:,} bytes, over the limit of "
                f"{limit:,} bytes derived from its {info.file_size:,}-byte {name!r}. The config "
                "describes a model far bigger than the weights the file holds (it was edited "
                "or crafted to exhaust memory). If you trust the file, pass a larger "
                "`max_weights_bytes=` to the loading function.")

    return allocation_budget(limit, explain)


def weights_limit(model) -> int:
    """Most bytes a legitimate weights file for ``model`` can hold (variables, optimizer slots,
    h5 metadata)."""
    nbytes = sum(int(np.prod(v.shape)) * np.dtype(_numpy_dtype(v.dtype)).itemsize
                 for v in getattr(model, "variables", ()))
    return _WEIGHTS_FACTOR * nbytes + _WEIGHTS_SLACK


def _numpy_dtype(name: str) -> str:
    return "float16" if name == "bfloat16" else name


def corrupt(filepath, reason) -> str:
    """The message for a file that is not a readable ``.keras``/``.weights.h5``."""
    return (f"Could not read {filepath!r}: the file is corrupted or truncated, or is not a "
            f"file written by model.save()/save_weights() ({reason}).")
