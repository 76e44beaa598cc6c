"""Fourier ops of ``ops.math`` (fft, fft2, ifft2, rfft, irfft): values vs numpy on every
backend, gradients vs finite differences, symbolic shapes/dtypes and errors vs Keras 3."""

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
]
IDS = [c[0] for c in CASES]


def _parts(out):
    if isinstance(out, tuple):
        return [np.asarray(ops.convert_to_numpy(o)) for o in out]
    return [np.asarray(ops.convert_to_numpy(out))]


def _expected(reference, z):
    out = reference(z)
    return [out.real, out.imag] if np.iscomplexobj(out) else [out]


@pytest.mark.parametrize("call, reference", [c[1:] for c in CASES], ids=IDS)
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
                                           "irfft-crop")]


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
