"""keras.losses.CTC / ctc: the same values as Keras 3 on every backend, config and training."""

import os

import numpy as np
import pytest

import mini_keras as mk
from mini_keras import losses, ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

rng = np.random.default_rng(5)
Y_PRED = rng.standard_normal((3, 6, 4)).astype(np.float32)
Y_TRUE = np.array([[1, 2, 2], [3, 0, 0], [1, 3, 0]], np.int32)
WEIGHTS = np.array([0.5, 1.0, 2.0], np.float32)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_ctc_matches_keras(backend, reduction):
    keras = pytest.importorskip("keras")
    np.testing.assert_allclose(ops.convert_to_numpy(losses.ctc(Y_TRUE, Y_PRED)),
                               np.asarray(keras.losses.ctc(Y_TRUE, Y_PRED)), rtol=1e-5)
    ours, theirs = losses.CTC(reduction=reduction), keras.losses.CTC(reduction=reduction)
    for kwargs in ({}, {"sample_weight": WEIGHTS}):
        np.testing.assert_allclose(ops.convert_to_numpy(ours(Y_TRUE, Y_PRED, **kwargs)),
                                   np.asarray(theirs(Y_TRUE, Y_PRED, **kwargs)), rtol=1e-5)


def test_ctc_config_and_lookup_match_keras():
    keras = pytest.importorskip("keras")
    assert losses.CTC(name="c").get_config() == keras.losses.CTC(name="c").get_config()
    assert isinstance(losses.get("CTC"), losses.CTC) and losses.get("ctc").fn is losses.ctc
    restored = losses.deserialize(losses.serialize(losses.CTC(reduction="sum")))
    assert isinstance(restored, losses.CTC) and restored.reduction == "sum"


def test_ctc_refuses_bad_ranks():
    with pytest.raises(ValueError, match=r"losses.ctc: targets `y_true` must have shape"):
        losses.ctc(Y_TRUE[0], Y_PRED)
    with pytest.raises(ValueError, match=r"losses.ctc: logits `y_pred` must have shape"):
        losses.ctc(Y_TRUE, Y_PRED[0])


def test_a_model_trains_with_ctc(backend):
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input((6, 3)), mk.layers.Dense(4)])
    model.compile(optimizer=mk.optimizers.Adam(0.05), loss=losses.CTC())
    x = rng.standard_normal((8, 6, 3)).astype(np.float32)
    y = np.tile(Y_TRUE, (3, 1))[:8]
    history = model.fit(x, y, epochs=8, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
