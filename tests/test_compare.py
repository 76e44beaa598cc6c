"""``python -m mini_keras.compare``: table columns, identical losses, PNG, missing backends."""

import numpy as np
import pytest

from mini_keras import backends, compare


def test_compare_two_backends_prints_table_and_writes_png(tmp_path, capsys):
    names = [n for n in ("numpy", "jax", "torch", "tensorflow") if n in backends.available()][:2]
    if len(names) < 2:
        pytest.skip("needs two installed backends")
    png = tmp_path / "curves.png"
    results = compare.main(["--backends", ",".join(names), "--epochs", "2", "--limit", "256",
                            "--output", str(png), "--no-progress"])
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("| backend"))
    for column in ("backend", "device", "params", "1st epoch (s)", "s/epoch", "samples/s",
                   "final loss", "test acc"):
        assert column in header
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [r.backend for r in results] == names and all(r.ok for r in results)
    first, second = results
    assert first.params == second.params == 8 * 8 * 64 + 64 + 64 * 10 + 10
    assert len(first.losses) == 2 and first.losses[1] < first.losses[0]
    np.testing.assert_allclose(first.losses, second.losses, rtol=1e-4)  # same seed, same model
    for r in results:
        assert r.backend in out and r.device in out


def test_missing_backend_is_reported_not_raised(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(backends, "available", lambda: ["numpy"])
    results = compare.main(["--backends", "numpy,torch", "--epochs", "1", "--limit", "64",
                            "--output", str(tmp_path / "c.png"), "--no-progress"])
    out = capsys.readouterr().out
    assert results[0].ok and not results[1].ok
    assert "not installed (pip install mini_keras[torch])" in out


def test_unknown_model_or_backend_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        compare.main(["--backends", "numpy,mxnet"])
    assert "unknown backend" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown model"):
        compare.compare(["numpy"], model="gru")


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_cnn_and_lstm_models_train_on_numpy(kind):
    [result] = compare.compare(["numpy"], model=kind, epochs=1, limit=64, progress=False)
    assert result.ok, result.status
    assert result.params > 0 and np.isfinite(result.loss)
