"""Download a dataset file once, verify its checksum, and cache it.

Files live in ``$MINI_KERAS_HOME/datasets`` (default ``~/.mini_keras/datasets``). A download is
streamed into a temporary ``.part`` file next to its destination, hashed while it streams, and
moved into place only when the checksum matches, so an interrupted or corrupted download never
leaves a file in the cache that a later call would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tarfile
import urllib.error
import urllib.request

from mini_keras.utils.progbar import Progbar

_CHUNK = 1 << 16
_timeout = {"seconds": float(os.environ.get("MINI_KERAS_DOWNLOAD_TIMEOUT", "30"))}


class DownloadError(OSError):
    """A dataset file could not be downloaded (offline, unreachable URL, or bad checksum)."""


def cache_dir(subdir: str = "datasets") -> str:
    """Return (and create) the cache folder: ``$MINI_KERAS_HOME/<subdir>``.

    Args:
        subdir: folder under the mini_keras home (``~/.mini_keras`` unless ``MINI_KERAS_HOME``).
    """
    home = os.environ.get("MINI_KERAS_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".mini_keras")
    path = os.path.join(home, subdir)
    os.makedirs(path, exist_ok=True)
    return path


@contextlib.contextmanager
def download_timeout(seconds: float):
    """Use a network timeout of ``seconds`` for downloads inside a ``with`` block.

    Examples use a short timeout so that, offline, they fall back to bundled data at once
    instead of waiting. The default (30 s) comes from ``MINI_KERAS_DOWNLOAD_TIMEOUT``.
    """
    previous = _timeout["seconds"]
    _timeout["seconds"] = float(seconds)
    try:
        yield
    finally:
        _timeout["seconds"] = previous


def hash_file(path: str, algorithm: str = "sha256") -> str:
    """Return the hex digest of a file (``"sha256"`` or ``"md5"``)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _algorithm(expected: str) -> str:
    # Keras' convention: a 32-character hash is md5, a 64-character one sha256.
    return "md5" if len(expected) == 32 else "sha256"


def get_file(fname: str, origin: str, file_hash: str | None = None, cache_subdir: str = "",
             extract: bool = False, verbose: bool = True) -> str:
    """Return the local path of ``fname``, downloading it from ``origin`` the first time.

    Args:
        fname: file name inside the cache folder.
        origin: URL (``https://``, ``http://`` or ``file://``).
        file_hash: expected sha256 (64 hex) or md5 (32 hex) of the file; checked on download
            and on every later use (a cached file that no longer matches is downloaded again).
        cache_subdir: folder under the datasets cache (e.g. ``"fashion-mnist"``).
        extract: the file is a ``.tar.gz``: extract it next to itself and return the folder.
        verbose: show a progress bar while downloading.

    Raises:
        DownloadError: offline / unreachable (the message names the URL and the cache path),
            or the downloaded bytes do not match ``file_hash`` (nothing is left in the cache).
    """
    folder = os.path.join(cache_dir(), cache_subdir) if cache_subdir else cache_dir()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, fname)
    if not (os.path.exists(path) and _matches(path, file_hash)):
        _download(origin, path, file_hash, verbose)
    if not extract:
        return path
    target = path[: -len(".tar.gz")] if path.endswith(".tar.gz") else path + "_extracted"
    if not os.path.isdir(target):
        _extract_tar(path, target)
    return target


def _matches(path: str, expected: str | None) -> bool:
    return expected is None or hash_file(path, _algorithm(expected)) == expected.lower()


def _download(origin: str, path: str, expected: str | None, verbose: bool) -> None:
    part = path + ".part"
    digest = hashlib.new(_algorithm(expected)) if expected else None
    try:
        with urllib.request.urlopen(origin, timeout=_timeout["seconds"]) as response, \
                open(part, "wb") as out:
            total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
            total_kb = int(total) // 1024 if total else None
            bar = Progbar(total_kb, verbose=1, stream=sys.stderr) if verbose else None
            if bar is not None:
                sys.stderr.write(f"Downloading {origin} (KiB)\n")
            done = 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                if digest is not None:
                    digest.update(chunk)
                done += len(chunk)
                if bar is not None:
                    bar.update(done // 1024, finalize=False)
            if bar is not None:
                bar.update(done // 1024, finalize=True)
    except (urllib.error.URLError, OSError, ValueError) as e:
        _remove(part)
        reason = getattr(e, "reason", None) or e
        raise DownloadError(
            f"Could not download {origin} ({reason}). mini_keras caches this file at {path}; "
            "connect to the network, or copy the file there yourself to use it offline.") from e
    if digest is not None and digest.hexdigest() != expected.lower():
        _remove(part)
        raise DownloadError(
            f"Checksum mismatch for {origin}: expected {_algorithm(expected)} {expected}, "
            f"received {digest.hexdigest()}. The download is corrupted or the file changed; "
            f"nothing was written to the cache ({path}). Try again.")
    os.replace(part, path)


def _extract_tar(archive: str, target: str) -> None:
    partial = target + ".part"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():  # refuse absolute paths and '..' (path traversal)
            if member.name.startswith(("/", "\\")) or ".." in member.name.split("/"):
                raise DownloadError(f"Refusing to extract {archive}: unsafe member {member.name}")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(partial, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tar.extractall(partial)
    os.replace(partial, target)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
