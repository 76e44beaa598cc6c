"""Bad data sources fail with a message naming the source, the step and what was expected; a
failing or dying worker never hangs fit. PyDataset workers in threads and processes."""

import os

import numpy as np
import pytest

import mini_keras as keras

X = np.random.default_rng(2).normal(size=(16, 3)).astype("float32")
Y = X[:, :1] * 2.0


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


class Rows(keras.utils.PyDataset):
    """Four batches of X/Y; ``fail_at`` raises (or, with ``die``, kills the process)."""

    def __init__(self, fail_at=None, die=False, **kwargs):
        super().__init__(**kwargs)
        self.fail_at, self.die = fail_at, die
        self.epochs_ended = 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == self.fail_at:
            if self.die:
                os._exit(3)
            raise KeyError(f"no file for batch {i}")
        return X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_generator_that_yields_nothing(backend):
    with pytest.raises(ValueError, match=r"fit\(x\): a Python generator yielded no batch; "
                                         r"expected batches `x`, `\(x, y\)`"):
        _model().fit((b for b in []), verbose=0)


def test_generator_that_changes_structure_names_the_step(backend):
    def gen():
        yield X[:4], Y[:4]
        yield X[4:8], Y[4:8]
        yield X[8:12]

    with pytest.raises(ValueError, match=r"a Python generator\), step 2: the batch changed "
                                         r"structure; expected x: rank 2 float, y: rank 2 float"):
        _model().fit(gen(), verbose=0)


def test_wrong_shape_from_a_source_is_annotated_with_step(backend):
    def gen():
        yield X[:4], Y[:4]
        yield X[4:8, :2], Y[4:8]

    with pytest.raises(ValueError, match="expected axis -1") as info:
        _model().fit(gen(), verbose=0)
    assert any("at step 1 of epoch 1, reading a Python generator" in note
               for note in getattr(info.value, "__notes__", []))


def test_mismatched_lengths_inside_a_batch(backend):
    with pytest.raises(ValueError, match=r"step 0: Data cardinality is ambiguous"):
        _model().fit(iter([(X[:4], Y[:3])]), verbose=0)


@pytest.mark.parametrize("workers", [1, 2])
def test_py_dataset_getitem_error_is_chained(backend, workers):
    with pytest.raises(RuntimeError, match=r"PyDataset Rows.__getitem__\(2\) raised KeyError") as e:
        _model().fit(Rows(fail_at=2, workers=workers), epochs=1, verbose=0)
    assert isinstance(e.value.__cause__, KeyError)


def test_unsupported_object_lists_supported_kinds(backend):
    with pytest.raises(TypeError, match=r"unsupported data of type builtins.str; expected numpy "
                                         r"arrays.*a tf.data.Dataset, a torch DataLoader"):
        _model().fit("data.csv", Y, verbose=0)
    with pytest.raises(TypeError, match="builtins.object"):
        _model().predict({"a": object()}, verbose=0)


def test_py_dataset_epoch_hooks_and_shuffle(backend):
    ds = Rows()
    model = _model()
    model.fit(ds, epochs=3, shuffle=False, verbose=0)
    assert ds.epochs_ended == 3
    ref = _model()
    ref.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], ref.get_weights()[0], rtol=1e-5)
    shuffled = _model()
    keras.utils.set_random_seed(1)
    shuffled.fit(Rows(), epochs=3, shuffle=True, verbose=0)
    assert not np.allclose(shuffled.get_weights()[0], ref.get_weights()[0], rtol=1e-6)


def test_py_dataset_processes_train_like_threads_and_a_dead_worker_raises():
    ref = _model()
    ref.fit(Rows(workers=2), epochs=2, shuffle=False, verbose=0)
    model = _model()
    model.fit(Rows(workers=2, use_multiprocessing=True), epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"__getitem__\(1\) raised BrokenProcessPool"):
        _model().fit(Rows(fail_at=1, die=True, workers=1, use_multiprocessing=True), verbose=0)
