"""Dataset loaders: download once from a local server, verify checksums, parse canonical formats.

Fixture files in each dataset's real format are written to a temporary folder and served from
http://127.0.0.1 (a ``http.server`` thread) or ``file://`` URLs; the loaders' URL and checksum
constants are pointed at them and the cache at a temporary ``MINI_KERAS_HOME``.
"""

import functools
import gzip
import hashlib
import http.server
import io
import os
import pickle
import tarfile
import threading

import numpy as np
import pytest

from mini_keras import config, datasets
from mini_keras.datasets import (
    _safe_pickle,
    boston_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty cache: ``MINI_KERAS_HOME`` in a temporary folder; returns its datasets folder."""
    monkeypatch.setenv("MINI_KERAS_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "datasets"


@pytest.fixture
def server(tmp_path):
    """Serve ``tmp_path / "www"`` on 127.0.0.1; yields (folder, base URL ending in /)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _closed_port_url():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _write_mnist(folder):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 5, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 3, dtype=np.uint8)}
    np.savez(folder / "mnist.npz", **arrays)
    return arrays


# ---------------------------------------------------------------- download, cache, checksum
def test_mnist_downloads_once_then_reads_the_cache(home, server, monkeypatch, capsys):
    root, url = server
    arrays = _write_mnist(root)
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", url)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(root / "mnist.npz"))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert "Downloading" in capsys.readouterr().err  # the progress bar
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and x_test.shape == (3, 28, 28) and y_train.shape == (5,)
    assert sorted(os.listdir(home)) == ["mnist.npz"]
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", _closed_port_url())  # now "offline"
    (x_again, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_again, arrays["x_train"])


def test_corrupted_download_raises_and_leaves_no_file(home, server, monkeypatch):
    root, url = server
    _write_mnist(root)
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", url)
    monkeypatch.setattr(mnist, "FILE_HASH", "0" * 64)
    with pytest.raises(datasets.DownloadError, match="Checksum mismatch") as info:
        mnist.load_data()
    assert url + "mnist.npz" in str(info.value)
    assert os.listdir(home) == []  # neither mnist.npz nor a .part file


def test_cached_file_with_wrong_checksum_is_downloaded_again(home, server, monkeypatch):
    root, url = server
    arrays = _write_mnist(root)
    home.mkdir(parents=True)
    (home / "mnist.npz").write_bytes(b"truncated")
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", url)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(root / "mnist.npz"))
    (x_train, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])


def test_offline_error_names_the_url_and_the_cache_path(home, monkeypatch):
    url = _closed_port_url()
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", url)
    with datasets.download_timeout(2), pytest.raises(datasets.DownloadError) as info:
        mnist.load_data()
    message = str(info.value)
    assert url + "mnist.npz" in message
    assert str(home / "mnist.npz") in message
    assert os.listdir(home) == []


def test_default_cache_is_under_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MINI_KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert datasets.cache_dir() == str(tmp_path / ".mini_keras" / "datasets")


# ---------------------------------------------------------------- formats
def test_fashion_mnist_reads_gzipped_idx_files_from_file_urls(home, tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    folder = tmp_path / "fashion"
    folder.mkdir()
    images = {"train": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "t10k": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)}
    labels = {"train": np.array([0, 9, 3, 1], np.uint8), "t10k": np.array([5, 7], np.uint8)}
    hashes = {}
    for split in ("train", "t10k"):
        for kind, header, data in (("labels-idx1", 8, labels[split]),
                                   ("images-idx3", 16, images[split])):
            name = f"{split}-{kind}-ubyte.gz"
            (folder / name).write_bytes(gzip.compress(b"\0" * header + data.tobytes()))
            hashes[name] = hashlib.md5((folder / name).read_bytes()).hexdigest()
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", folder.as_uri() + "/")
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", hashes)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, images["train"])
    np.testing.assert_array_equal(y_test, labels["t10k"])
    assert x_test.shape == (2, 28, 28) and y_train.shape == (4,)
    assert sorted(os.listdir(home / "fashion-mnist")) == sorted(hashes)


def _cifar_batch(n, rng, label_keys):
    batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"batch_label": b"x",
             b"filenames": [b"f%d.png" % i for i in range(n)]}
    for key, classes in label_keys.items():
        batch[key.encode()] = list(rng.integers(0, classes, n).tolist())
    return batch


def _tar(path, folder_name, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in members.items():
            data = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(f"{folder_name}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar10_parses_pickled_batches_in_a_tar_gz(home, server, monkeypatch):
    root, url = server
    rng = np.random.default_rng(2)
    batches = {f"data_batch_{i}": _cifar_batch(2, rng, {"labels": 10}) for i in range(1, 6)}
    batches["test_batch"] = _cifar_batch(3, rng, {"labels": 10})
    _tar(root / "cifar-10-python.tar.gz", "cifar-10-batches-py", batches)
    monkeypatch.setattr(cifar10, "ORIGIN", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(root / "cifar-10-python.tar.gz"))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1)
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1)
    first = batches["data_batch_1"][b"data"][0].reshape(3, 32, 32)  # stored channels first
    np.testing.assert_array_equal(x_train[0], first.transpose(1, 2, 0))
    np.testing.assert_array_equal(y_test.ravel(), batches["test_batch"][b"labels"])
    config.set_image_data_format("channels_first")
    try:
        (x_cf, _), _ = cifar10.load_data()
    finally:
        config.set_image_data_format("channels_last")
    np.testing.assert_array_equal(x_cf[0], first)


def test_cifar100_fine_and_coarse_labels(home, server, monkeypatch):
    root, url = server
    rng = np.random.default_rng(3)
    keys = {"fine_labels": 100, "coarse_labels": 20}
    members = {"train": _cifar_batch(4, rng, keys), "test": _cifar_batch(2, rng, keys)}
    _tar(root / "cifar-100-python.tar.gz", "cifar-100-python", members)
    monkeypatch.setattr(cifar100, "ORIGIN", url + "cifar-100-python.tar.gz")
    monkeypatch.setattr(cifar100, "FILE_HASH", sha256(root / "cifar-100-python.tar.gz"))
    (x_train, y_fine), _ = cifar100.load_data("fine")
    (_, y_coarse), (_, y_test) = cifar100.load_data(label_mode="coarse")
    assert x_train.shape == (4, 32, 32, 3) and y_fine.shape == (4, 1)
    np.testing.assert_array_equal(y_fine.ravel(), members["train"][b"fine_labels"])
    np.testing.assert_array_equal(y_coarse.ravel(), members["train"][b"coarse_labels"])
    assert y_test.shape == (2, 1)
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data("medium")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_refuses_code(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Exploit()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        _safe_pickle.load_pickle(str(path))
    ok = tmp_path / "ok"
    ok.write_bytes(pickle.dumps({b"data": np.arange(3, dtype=np.uint8), b"labels": [1]}, 2))
    loaded = _safe_pickle.load_pickle(str(ok))
    np.testing.assert_array_equal(loaded[b"data"], [0, 1, 2])


def _ragged(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def test_imdb_reads_object_arrays_and_applies_keras_conventions(home, server, monkeypatch):
    root, url = server
    x_train = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [1]]
    x_test = [[2, 2], [9, 1, 4]]
    np.savez(root / "imdb.npz", x_train=_ragged(x_train), y_train=np.array([1, 0, 1, 0]),
             x_test=_ragged(x_test), y_test=np.array([0, 1]))
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", url)
    monkeypatch.setattr(imdb, "FILE_HASH", sha256(root / "imdb.npz"))
    (xs, ys), (xt, yt) = imdb.load_data(num_words=10, seed=113)
    rng = np.random.RandomState(113)  # Keras: one generator shuffles train, then test
    order_train, order_test = np.arange(4), np.arange(2)
    rng.shuffle(order_train)
    rng.shuffle(order_test)
    expected = [[1] + [w + 3 if w + 3 < 10 else 2 for w in x_train[i]] for i in order_train]
    assert xs.dtype == object and [list(x) for x in xs] == expected
    np.testing.assert_array_equal(ys, np.array([1, 0, 1, 0])[order_train])
    assert [list(x) for x in xt] == [[1] + [w + 3 if w + 3 < 10 else 2 for w in x_test[i]]
                                    for i in order_test]
    np.testing.assert_array_equal(yt, np.array([0, 1])[order_test])
    (short, _), _ = imdb.load_data(maxlen=4)
    assert all(len(x) < 4 for x in short)


def test_reuters_and_boston_housing_splits(home, server, monkeypatch):
    root, url = server
    rng = np.random.default_rng(4)
    np.savez(root / "reuters.npz", x=_ragged([[i, i + 1] for i in range(10)]),
             y=np.arange(10) % 46)
    np.savez(root / "boston_housing.npz", x=rng.normal(size=(10, 13)), y=rng.normal(size=10))
    for module, name in ((reuters, "reuters.npz"), (boston_housing, "boston_housing.npz")):
        monkeypatch.setattr(module, "ORIGIN_FOLDER", url)
        monkeypatch.setattr(module, "FILE_HASH", sha256(root / name))
    (xr, yr), (xr_test, yr_test) = reuters.load_data(test_split=0.2)
    assert len(xr) == 8 and len(xr_test) == 2 and yr.shape == (8,) and yr_test.shape == (2,)
    assert all(x[0] == 1 for x in xr)  # start_char
    (xb, yb), (xb_test, yb_test) = boston_housing.load_data(test_split=0.2)
    assert xb.shape == (8, 13) and yb.shape == (8,) and xb_test.shape == (2, 13)
    with np.load(root / "boston_housing.npz") as f:
        order = np.arange(10)
        np.random.RandomState(113).shuffle(order)
        np.testing.assert_array_equal(yb_test, f["y"][order][8:])


def test_digits_are_bundled():
    (x_train, y_train), (x_test, y_test) = datasets.digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert y_train.shape == (1438,) and set(np.unique(y_test)) == set(range(10))
    assert x_train.max() == 16
