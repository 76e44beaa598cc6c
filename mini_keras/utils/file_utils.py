"""``keras.utils.get_file``: download a file once into a cache, check its hash, extract it.

Keras 3's signature and cache layout (``<cache_dir>/<cache_subdir>/<fname>``; with ``extract``,
the archive is ``<name>.<ext>`` or ``<name>_archive`` and the folder ``<name>_extracted`` or
``<name>``). Downloads stream into a ``.part`` file and are moved into place only once the hash
matches (``mini_keras.datasets._files``); archives members that escape the folder are refused.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import urllib.parse
import zipfile

from mini_keras.datasets._files import DownloadError, _download, _extract_tar, hash_file


def _home() -> str:
    return os.environ.get("MINI_KERAS_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".mini_keras")


def _targets(fname, origin, datadir, extract):
    provided = fname
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"get_file: can't parse the file name from origin {origin!r}; pass "
                         "fname=...")
    if provided and os.sep in fname:
        raise ValueError("get_file: paths are not accepted as `fname`; use `cache_dir` for the "
                         f"parent folder. Received fname={fname}")
    if not extract:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:
        return (os.path.join(datadir, fname),
                os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted"))
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def _extract(archive: str, target: str, archive_format) -> None:
    formats = {"auto": ("tar", "zip"), None: ()}.get(archive_format, (archive_format,))
    if isinstance(archive_format, (list, tuple)):
        formats = tuple(archive_format)
    if "tar" in formats and tarfile.is_tarfile(archive):
        shutil.rmtree(target, ignore_errors=True)
        _extract_tar(archive, target)
        return
    if "zip" in formats and zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    raise DownloadError(f"Refusing to extract {archive}: unsafe member {name}")
            shutil.rmtree(target, ignore_errors=True)
            z.extractall(target)
        return
    raise ValueError(f"get_file: {archive} is not an archive of format {archive_format!r}")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False) -> str:
    """Return the path of ``fname``, downloading it from ``origin`` (``http(s)://``, ``file://``)
    the first time; a cached file whose hash no longer matches is downloaded again.

    Args:
        fname: file name in the cache (default: the last part of ``origin``).
        origin: URL of the file.
        untar: deprecated Keras alias of ``extract`` with ``archive_format="tar"``.
        md5_hash: deprecated; use ``file_hash``.
        file_hash: expected sha256 or md5 hex digest.
        cache_subdir: folder under ``cache_dir``.
        hash_algorithm: "auto" (by length), "sha256" or "md5".
        extract: extract the archive; the extraction folder is returned.
        archive_format: "auto", "tar", "zip", a list of them, or None.
        cache_dir: cache root (default ``$MINI_KERAS_HOME`` or ``~/.mini_keras``).
        force_download: download even when cached.

    Raises:
        ValueError: no origin, a bad fname, or a hash mismatch after download.
        DownloadError: the URL could not be read.
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (URL of the file).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', received "
                         f"{hash_algorithm!r}")
    algorithm = (("sha256" if file_hash and len(file_hash) == 64 else "md5")
                 if hash_algorithm == "auto" else hash_algorithm)
    datadir = os.path.join(os.path.expanduser(cache_dir or _home()), cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    target, extraction_dir = _targets(fname, origin, datadir, extract or untar)
    cached = os.path.exists(target) and not force_download and (
        file_hash is None or hash_file(target, algorithm) == file_hash.lower())
    if not cached:
        _download(origin, target, None, verbose=False)
        if file_hash is not None and hash_file(target, algorithm) != file_hash.lower():
            os.remove(target)
            raise ValueError(f"get_file: incomplete or corrupted file from {origin}: its "
                             f"{algorithm} does not match the provided value {file_hash}.")
    if extract or untar:
        _extract(target, extraction_dir, "tar" if untar else archive_format)
        return extraction_dir
    return target
