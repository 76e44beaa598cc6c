"""get_file against Keras 3: same cache layout and contents, from file:// and a local HTTP
server; hash checks and extraction."""

import functools
import hashlib
import http.server
import os
import pathlib
import tarfile
import threading
import zipfile

import pytest

import mini_keras

keras = pytest.importorskip("keras")


@pytest.fixture
def files(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "data.txt").write_text("hello mini_keras\n")
    with tarfile.open(src / "pack.tar.gz", "w:gz") as tar:
        tar.add(src / "data.txt", arcname="pack/data.txt")
    with zipfile.ZipFile(src / "pack.zip", "w") as z:
        z.write(src / "data.txt", arcname="inner/data.txt")
    return src


@pytest.fixture
def server(files):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(files))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _tree(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


@pytest.mark.parametrize("kwargs", [
    {"fname": "data.txt", "file": "data.txt"},
    {"fname": None, "file": "data.txt"},
    {"fname": "pack.tar.gz", "file": "pack.tar.gz", "extract": True},
    {"fname": "pack", "file": "pack.zip", "extract": True},
])
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_get_file_matches_keras(tmp_path, files, server, kwargs, scheme):
    kwargs = dict(kwargs)
    name = kwargs.pop("file")
    origin = (files / name).as_uri() if scheme == "file" else f"{server}/{name}"
    (tmp_path / "k").mkdir()  # Keras falls back to /tmp/.keras for a cache_dir that is missing
    ours = mini_keras.utils.get_file(origin=origin, cache_dir=str(tmp_path / "mk"), **kwargs)
    ref = keras.utils.get_file(origin=origin, cache_dir=str(tmp_path / "k"), **kwargs)
    assert os.path.relpath(ours, tmp_path / "mk") == os.path.relpath(ref, tmp_path / "k")
    assert _tree(tmp_path / "mk") == _tree(tmp_path / "k")
    if os.path.isfile(ref):
        assert pathlib.Path(ours).read_bytes() == pathlib.Path(ref).read_bytes()


def test_get_file_hash_check_and_cache(tmp_path, files):
    origin = (files / "data.txt").as_uri()
    digest = hashlib.sha256((files / "data.txt").read_bytes()).hexdigest()
    path = mini_keras.utils.get_file("d.txt", origin, file_hash=digest, cache_dir=str(tmp_path))
    assert pathlib.Path(path).read_text() == "hello mini_keras\n"
    (files / "data.txt").write_text("changed")
    assert mini_keras.utils.get_file("d.txt", origin, file_hash=digest,
                                     cache_dir=str(tmp_path)) == path  # cached, hash matches
    with pytest.raises(ValueError, match="sha256 does not match"):
        mini_keras.utils.get_file("d.txt", origin, file_hash=digest, cache_dir=str(tmp_path),
                                  force_download=True)
    assert not os.path.exists(path)
    with pytest.raises(ValueError, match="paths are not accepted"):
        mini_keras.utils.get_file("a/b.txt", origin, cache_dir=str(tmp_path))
