"""Fourier ops of ``ops.math`` (fft, fft2, ifft2, rfft, irfft, stft, istft) and segment_min /
segment_prod: values vs numpy or Keras 3 on every backend, gradients vs finite differences,
symbolic shapes/dtypes and errors vs Keras 3."""

import os

import numpy as np
import pytest

from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

rng = np.random.default_rng(3)
RE = rng.standard_normal((2, 3, 6)).astype(np.float32)
IM = rng.standard_normal((2, 3, 6)).astype(np.float32)
Z = RE.astype(np.float64) + 1j * IM.astype(np.float64)

CASES = [  # (id, call on (real, imag) numpy parts, numpy reference on the complex input)
    ("fft", lambda r, i: ops.fft((r, i)), lambda z: np.fft.fft(z)),
    ("fft2", lambda r, i: ops.fft2((r, i)), lambda z: np.fft.fft2(z)),
    ("ifft2", lambda r, i: ops.ifft2((r, i)), lambda z: np.fft.ifft2(z)),
    ("rfft", lambda r, i: ops.rfft(r), lambda z: np.fft.rfft(z.real)),
    ("rfft-crop", lambda r, i: ops.rfft(r, 5), lambda z: np.fft.rfft(z.real, 5)),
    ("rfft-pad", lambda r, i: ops.rfft(r, 9), lambda z: np.fft.rfft(z.real, 9)),
    ("irfft", lambda r, i: ops.irfft((r, i)), lambda z: np.fft.irfft(z)),
    ("irfft-odd", lambda r, i: ops.irfft((r, i), 11), lambda z: np.fft.irfft(z, 11)),
    ("irfft-crop", lambda r, i: ops.irfft((r, i), 4), lambda z: np.fft.irfft(z, 4)),
    ("irfft-pad", lambda r, i: ops.irfft((r, i), 15), lambda z: np.fft.irfft(z, 15)),
    ("stft", lambda r, i: ops.stft(r, 4, 2, 4), None),
    ("istft", lambda r, i: ops.istft((r, i), 8, 4, 10, center=False), None),
]
IDS = [c[0] for c in CASES]


def _parts(out):
    if isinstance(out, tuple):
        return [np.asarray(ops.convert_to_numpy(o)) for o in out]
    return [np.asarray(ops.convert_to_numpy(out))]


def _expected(reference, z):
    out = reference(z)
    return [out.real, out.imag] if np.iscomplexobj(out) else [out]


@pytest.mark.parametrize("call, reference", [c[1:] for c in CASES if c[2]],
                         ids=[c[0] for c in CASES if c[2]])
def test_values_match_numpy(backend, call, reference):
    got = _parts(call(RE, IM))
    for g, want in zip(got, _expected(reference, Z), strict=True):
        assert g.dtype == np.float32 and g.shape == want.shape
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("backend_name", ["numpy", "torch", "tensorflow"])
def test_float64_keeps_its_precision(use_backend, backend_name):
    use_backend(backend_name)
    r, i = ops.fft((RE.astype(np.float64), IM.astype(np.float64)))
    assert ops.dtype(r) == ops.dtype(i) == "float64"
    np.testing.assert_allclose(ops.convert_to_numpy(r), np.fft.fft(Z).real, rtol=1e-12, atol=1e-12)


def test_mlx_refuses_float64(use_backend):
    use_backend("mlx")
    with pytest.raises(TypeError, match="ops.fft: the mlx backend has no complex128"):
        ops.fft((RE.astype(np.float64), IM.astype(np.float64)))


def test_half_precision_is_computed_in_float32(backend):
    r, i = ops.fft((ops.cast(RE, "float16"), ops.cast(IM, "float16")))
    assert ops.dtype(r) == ops.dtype(i) == "float16"
    want = np.fft.fft(RE.astype(np.float16).astype(np.float64)
                      + 1j * IM.astype(np.float16).astype(np.float64))
    np.testing.assert_allclose(ops.convert_to_numpy(r).astype(np.float64), want.real, atol=2e-2)


def test_rfft_casts_integers_to_floatx(backend):
    r, _ = ops.rfft(np.arange(6, dtype=np.int32))
    assert ops.dtype(r) == "float32"
    np.testing.assert_allclose(ops.convert_to_numpy(r), np.fft.rfft(np.arange(6)).real, atol=1e-5)


# --------------------------------------------------------------------------- gradients

W = rng.standard_normal((4, 2, 3, 8))  # weights of each output part in the loss


def _loss(call, dtype):
    def loss(values):
        parts = call(*values)
        parts = parts if isinstance(parts, tuple) else (parts,)
        total = 0.0
        for k, p in enumerate(parts):
            w = np.resize(W[k].ravel(), tuple(ops.shape(p)))
            total = ops.add(total, ops.sum(ops.multiply(p, ops.cast(w, dtype))))
        return total
    return loss


def _numeric_grad(call, r, i, eps=1e-6):
    def f(r, i):
        from mini_keras import backends
        with backends.backend_scope("numpy"):
            return float(ops.convert_to_numpy(_loss(call, "float64")([r, i])))
    grads = []
    for which in (0, 1):
        g = np.zeros_like(r)
        for idx in np.ndindex(r.shape):
            plus, minus = [r.copy(), i.copy()], [r.copy(), i.copy()]
            plus[which][idx] += eps
            minus[which][idx] -= eps
            g[idx] = (f(*plus) - f(*minus)) / (2 * eps)
        grads.append(g)
    return grads


GRAD_CASES = [c for c in CASES if c[0] in ("fft", "fft2", "ifft2", "rfft-pad", "irfft-odd",
                                           "irfft-crop", "stft", "istft")]


@pytest.mark.parametrize("call", [c[1] for c in GRAD_CASES], ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(backend, call):
    r, i = RE[0, :2].astype(np.float64), IM[0, :2].astype(np.float64)
    numeric = _numeric_grad(call, r, i)
    dtype = "float32" if backend in ("jax", "mlx") else "float64"
    _, grads = ops.value_and_grad(_loss(call, dtype))(
        [ops.convert_to_tensor(r.astype(dtype)), ops.convert_to_tensor(i.astype(dtype))])
    tol = 1e-6 if dtype == "float64" else 2e-4
    for got, want in zip(grads, numeric, strict=True):
        got = ops.convert_to_numpy(got) if got is not None else np.zeros_like(want)
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# --------------------------------------------------------------------------- Keras 3 parity

def _keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name, args, kwargs", [
    ("fft", "pair", {}), ("fft2", "pair", {}), ("ifft2", "pair", {}), ("rfft", "real", {}),
    ("rfft", "real", {"fft_length": 5}), ("irfft", "pair", {}),
    ("irfft", "pair", {"fft_length": 7}),
])
def test_symbolic_and_eager_match_keras(name, args, kwargs):
    keras = _keras()
    import mini_keras as mk
    theirs_in = (keras.Input((3, 6)), keras.Input((3, 6)))
    ours_in = (mk.Input((3, 6)), mk.Input((3, 6)))
    pick = (lambda p: p) if args == "pair" else (lambda p: p[0])
    theirs = getattr(keras.ops, name)(pick(theirs_in), **kwargs)
    ours = getattr(ops, name)(pick(ours_in), **kwargs)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    ours = ours if isinstance(ours, tuple) else (ours,)
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
    assert [t.dtype for t in ours] == [t.dtype for t in theirs]
    eager = (RE[0], IM[0])
    want = getattr(keras.ops, name)(pick(eager), **kwargs)
    got = getattr(ops, name)(pick(eager), **kwargs)
    want = want if isinstance(want, tuple) else (want,)
    got = got if isinstance(got, tuple) else (got,)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(ops.convert_to_numpy(g), np.asarray(w), rtol=1e-5, atol=2e-5)


SIGNAL = rng.standard_normal((2, 20)).astype(np.float32)
STFT_CASES = [
    {"sequence_length": 6, "sequence_stride": 2, "fft_length": 8},
    {"sequence_length": 5, "sequence_stride": 3, "fft_length": 5, "window": "hamming",
     "center": False},
    {"sequence_length": 4, "sequence_stride": 4, "fft_length": 7, "window": None},
    {"sequence_length": 6, "sequence_stride": 2, "fft_length": 8,
     "window": np.linspace(0.1, 1, 6).astype(np.float32)},
]


@pytest.mark.parametrize("kwargs", STFT_CASES, ids=["hann", "hamming-odd", "none", "tensor"])
def test_stft_and_istft_match_keras(backend, kwargs):
    keras = _keras()
    want = keras.ops.stft(SIGNAL, **kwargs)
    got = ops.stft(SIGNAL, **kwargs)
    for g, w in zip(got, want, strict=True):
        assert tuple(ops.shape(g)) == tuple(w.shape) and ops.dtype(g) == "float32"
        np.testing.assert_allclose(ops.convert_to_numpy(g), np.asarray(w), rtol=1e-5, atol=1e-5)
    for length in (None, 13):
        inverse = keras.ops.istft(want, length=length, **kwargs)
        ours = ops.istft(got, length=length, **kwargs)
        np.testing.assert_allclose(ops.convert_to_numpy(ours), np.asarray(inverse), rtol=1e-5,
                                   atol=1e-5)


def test_stft_symbolic_shapes_match_keras():
    keras = _keras()
    import mini_keras as mk
    kwargs = {"sequence_length": 6, "sequence_stride": 2, "fft_length": 8}
    theirs = keras.ops.stft(keras.Input((20,)), **kwargs)
    ours = ops.stft(mk.Input((20,)), **kwargs)
    assert [t.shape for t in ours] == [tuple(t.shape) for t in theirs]
    theirs = keras.ops.istft(theirs, **kwargs)
    ours = ops.istft(ours, **kwargs)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == theirs.dtype


def test_stft_errors_name_the_op():
    with pytest.raises(TypeError, match="ops.stft: `x` must be float32 or float64"):
        ops.stft(np.arange(8, dtype=np.int32), 4, 2, 4)
    with pytest.raises(ValueError, match="ops.stft: `sequence_stride` must be a positive"):
        ops.stft(SIGNAL, 4, 0, 4)
    with pytest.raises(ValueError, match="ops.stft: `fft_length` must be >= `sequence_length`"):
        ops.stft(SIGNAL, 8, 2, 4)
    with pytest.raises(ValueError, match='ops.istft: a string `window` must be "hann"'):
        ops.istft(ops.stft(SIGNAL, 4, 2, 4), 4, 2, 4, window="kaiser")
    with pytest.raises(ValueError, match=r"ops.stft: `window` must have shape \(4,\)"):
        ops.stft(SIGNAL, 4, 2, 4, window=np.ones(3, np.float32))


DATA = rng.standard_normal((6, 3)).astype(np.float32)
SEGMENT_IDS = np.array([0, 2, 0, 3, 2, 0], np.int32)


@pytest.mark.parametrize("name", ["segment_min", "segment_prod"])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_segment_reductions_match_keras(backend, name, dtype):
    keras = _keras()
    data = (DATA * 4).astype(dtype)
    for kwargs in ({}, {"num_segments": 5}):
        want = np.asarray(getattr(keras.ops, name)(data, SEGMENT_IDS, **kwargs))
        got = ops.convert_to_numpy(getattr(ops, name)(data, SEGMENT_IDS, **kwargs))
        assert got.dtype == want.dtype
        if name == "segment_min" and dtype == "float32":  # Keras (TF): float max, ours: +inf
            want = np.where(want == np.finfo(np.float32).max, np.inf, want)
        np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("name", ["segment_min", "segment_prod"])
def test_segment_reduction_gradients(backend, name):
    data = DATA[:, :2].astype(np.float64)
    weights = np.arange(1.0, 9.0).reshape(4, 2)

    def loss(values):
        out = getattr(ops, name)(values[0], SEGMENT_IDS, num_segments=4)
        return ops.sum(ops.multiply(out, ops.cast(weights, ops.dtype(out))))
    dtype = "float32" if backend in ("jax", "mlx") else "float64"
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(data.astype(dtype))])
    expected = np.zeros_like(data)
    for row, s in enumerate(SEGMENT_IDS):
        rows = SEGMENT_IDS == s
        if name == "segment_min":
            expected[row] = weights[s] * (data[row] == data[rows].min(0))
        else:
            others = np.prod(data[rows], 0) / data[row]
            expected[row] = weights[s] * others
    np.testing.assert_allclose(ops.convert_to_numpy(grad), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("x, match", [
    (RE, "tuple of two tensors"),
    ((RE,), "tuple of two tensors"),
    ((RE, IM[..., :3]), "same shape"),
    ((RE.astype(np.int32), IM.astype(np.int32)), "float tensors"),
    ((RE, IM.astype(np.float64)), "same dtype"),
])
def test_bad_pairs_are_refused_naming_the_op(x, match):
    with pytest.raises(ValueError, match=f"ops.fft: .*{match}"):
        ops.fft(x)


def test_rank_and_length_errors():
    with pytest.raises(ValueError, match="ops.fft2: `x` must have rank >= 2"):
        ops.fft2((RE[0, 0], IM[0, 0]))
    with pytest.raises(ValueError, match="ops.rfft: `fft_length` must be a positive int"):
        ops.rfft(RE, 0)
    with pytest.raises(ValueError, match="ops.irfft: cannot infer"):
        ops.irfft((RE[..., :1], IM[..., :1]))


def test_functional_models_with_signal_ops_move_through_keras_files(tmp_path):
    """Op nodes are saved under Keras 3's classes (FFT, RFFT, IRFFT, STFT, Unfold):
    Keras loads our file, and we load Keras'."""
    keras = _keras()
    import mini_keras as mk
    x = SIGNAL[:, :16]

    def build(lib, tensor_ops):
        inp = lib.Input((16,))
        real, imag = tensor_ops.rfft(inp)
        outs = [tensor_ops.irfft((real, imag), 16), tensor_ops.fft((real, imag))[1],
                tensor_ops.stft(inp, 4, 2, 4)[0],
                tensor_ops.unfold(tensor_ops.reshape(inp, (-1, 1, 4, 4)), 2)]
        return lib.Model(inp, outs)
    ours, theirs = build(mk, ops), build(keras, keras.ops)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    expected = [np.asarray(o) for o in theirs.predict(x, verbose=0)]
    for model in (keras.models.load_model(tmp_path / "ours.keras"),
                  mk.models.load_model(tmp_path / "theirs.keras")):
        for got, want in zip(model.predict(x, verbose=0), expected, strict=True):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=2e-5)
