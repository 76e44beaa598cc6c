"""The MLX backend: package facts, lazy-graph evaluation in ``compile``, dtype errors, the
refused distributions, and cross-backend agreement (initial weights, 20 SGD steps vs numpy)."""

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core")

import mini_keras as keras
from mini_keras import backends, config
from mini_keras.backends import contract
from mini_keras.backends import mlx as mlx_backend

B = backends.get("mlx")


def test_package_declares_its_facts_and_the_whole_contract():
    assert mlx_backend.FRAMEWORK == "mlx"
    assert mlx_backend.PIP_EXTRA == "mini_keras[mlx]"
    assert {"autodiff", "float16", "bfloat16"} <= set(mlx_backend.CAPABILITIES)
    exported = set(mlx_backend.__all__) - {"CAPABILITIES", "FRAMEWORK", "PIP_EXTRA"}
    assert set(contract.functions()) <= exported
    assert exported - set(contract.functions()) == {"adam_update", "sgd_update", "lstm", "gru"}


def test_variables_mix_with_mlx_arrays_in_operators():
    config.set_backend("mlx")
    try:
        v = keras.Variable(np.array([1.0, 2.0], "float32"))
        out = B.convert_to_tensor(np.array([3.0, 4.0], "float32")) * v
        np.testing.assert_array_equal(B.convert_to_numpy(out), [3.0, 8.0])
    finally:
        config.set_backend("numpy")


def test_compile_evaluates_the_new_state_every_step():
    config.set_backend("mlx")
    try:
        v = keras.Variable(np.zeros(3, "float32"))

        def step(x):
            v.assign(v.value + x)
            return v.value * 2

        compiled = B.compile(step, [v], jit_compile=True)
        for _ in range(5):
            out = compiled(B.convert_to_tensor(np.ones(3, "float32")))
        np.testing.assert_array_equal(B.convert_to_numpy(v.value), [5.0, 5.0, 5.0])
        np.testing.assert_array_equal(B.convert_to_numpy(out), [10.0, 10.0, 10.0])
        # mx.eval ran on the state: the handle is a materialised array, not a pending graph
        assert isinstance(v._handle, mx.array)
    finally:
        config.set_backend("numpy")


def test_compile_traces_the_step_once_and_falls_back_where_values_are_needed():
    config.set_backend("mlx")
    try:
        v = keras.Variable(np.zeros(2, "float32"))
        traces = []

        def step(x):
            traces.append(1)  # Python runs only while mx.compile traces
            v.assign(v.value + x)
            return v.value

        compiled = B.compile(step, [v], jit_compile=True)
        for _ in range(4):
            compiled(B.convert_to_tensor(np.ones(2, "float32")))
        assert len(traces) == 1
        np.testing.assert_array_equal(B.convert_to_numpy(v.value), [4.0, 4.0])

        def concrete(x):  # .item() needs a value: cannot be traced, runs eagerly instead
            v.assign(v.value + float(B.sum(x).item()))
            return v.value

        compiled = B.compile(concrete, [v], jit_compile=True)
        for _ in range(2):
            out = compiled(B.convert_to_tensor(np.ones(2, "float32")))
        np.testing.assert_array_equal(B.convert_to_numpy(out), [8.0, 8.0])
    finally:
        config.set_backend("numpy")


def test_compiled_random_draws_follow_the_seed_state():
    from mini_keras import random as krandom

    config.set_backend("mlx")
    try:
        gen = keras.random.SeedGenerator(7)
        compiled = B.compile(lambda: krandom.uniform((3,), seed=gen), [gen.state],
                             jit_compile=True)
        draws = [B.convert_to_numpy(compiled()) for _ in range(3)]
        eager_gen = keras.random.SeedGenerator(7)
        eager = [B.convert_to_numpy(krandom.uniform((3,), seed=eager_gen)) for _ in range(3)]
    finally:
        config.set_backend("numpy")
    np.testing.assert_array_equal(draws, eager)  # the traced key is the eager key
    assert not np.array_equal(draws[0], draws[1])  # the counter advanced inside the step


def test_unknown_dtype_raises_naming_the_op():
    with pytest.raises(TypeError, match="cast: dtype 'complex128'"):
        B.cast(np.ones(2, "float32"), "complex128")


def test_float64_exists_on_the_cpu():
    x = B.convert_to_tensor(np.arange(3, dtype="float64"))
    assert B.dtype(x) == "float64"
    np.testing.assert_array_equal(B.convert_to_numpy(x * 2), [0.0, 2.0, 4.0])


def test_data_parallel_is_refused_with_a_clear_error():
    from mini_keras.backends.mlx import distribution_lib

    assert distribution_lib.list_devices() == ["cpu:0"]
    with pytest.raises(ValueError, match="MLX backend runs on one device"):
        distribution_lib.distribute_data({}, object())


def test_undefined_decomposition_gradients_raise_naming_the_op():
    # (defined qr/svd/eigh gradients are checked against finite differences in tests/ops)
    wide = B.convert_to_tensor(np.arange(6, dtype="float32").reshape(2, 3))
    cases = {"qr": lambda v: B.sum(B.qr(v)[0]),
             "svd": lambda v: B.sum(B.svd(v, full_matrices=True)[0])}
    for op, body in cases.items():
        with pytest.raises(NotImplementedError, match=f"{op}.*no gradient"):
            B.value_and_grad(lambda v, body=body: body(v[0]))([wide])


def _model(backend):
    config.set_backend(backend)
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.parametrize("other", ["numpy", "torch", "jax", "tensorflow"])
def test_same_seed_gives_bit_identical_initial_weights(other):
    if other not in backends.available():
        pytest.skip(f"{other} not installed")
    try:
        ours = _model("mlx").get_weights()
        theirs = _model(other).get_weights()
    finally:
        config.set_backend("numpy")
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_twenty_sgd_steps_agree_with_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    losses = {}
    try:
        for name in ("numpy", "mlx"):
            model = _model(name)
            history = model.fit(x, y, batch_size=32, epochs=20, shuffle=False, verbose=0)
            losses[name] = history.history["loss"]
    finally:
        config.set_backend("numpy")
    assert losses["numpy"][-1] < losses["numpy"][0]  # it trained
    # float32 arithmetic in both, 20 dependent steps: 1e-4 relative (the bound)
    np.testing.assert_allclose(losses["mlx"], losses["numpy"], rtol=1e-4)


@pytest.mark.parametrize("shape", [(2, 5, 3), (3, 5), (4, 4)])
def test_complete_qr_of_tall_and_wide_matrices(shape):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    q, r = (B.convert_to_numpy(t) for t in B.qr(x, mode="complete"))
    ref_q, ref_r = np.linalg.qr(x.astype("float64"), mode="complete")
    assert q.shape == ref_q.shape and r.shape == ref_r.shape
    m = shape[-2]
    np.testing.assert_allclose(q @ r, x, atol=1e-5)
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(m), q.shape),
                               atol=1e-5)
    np.testing.assert_array_equal(np.tril(r, -1), 0)
    # the factorisation is unique up to the signs of R's diagonal
    np.testing.assert_allclose(np.abs(r), np.abs(ref_r), atol=1e-4)


def test_keras3_file_loads_on_mlx(tmp_path):
    import os

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    x = np.random.default_rng(5).normal(size=(6, 6, 6, 1)).astype("float32")
    layers = keras3.layers
    reference = keras3.Sequential([keras3.Input((6, 6, 1)), layers.Conv2D(3, 3, activation="relu"),
                                   layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)])
    reference.compile(optimizer=keras3.optimizers.Adam(0.01), loss="mse")
    reference.fit(x, np.ones((6, 2), "float32"), epochs=1, verbose=0)
    expected = np.asarray(reference.predict(x, verbose=0))
    reference.save(tmp_path / "from_keras.keras")
    config.set_backend("mlx")
    try:
        ours = keras.models.load_model(tmp_path / "from_keras.keras")
        assert ours.backend == "mlx"
        got = ours.predict(x, verbose=0)
        iterations = int(ours.optimizer.iterations.numpy())
    finally:
        config.set_backend("numpy")
    np.testing.assert_allclose(got, expected, atol=1e-5)  # float32 conv + dense, tiny sums
    assert iterations == 1


def test_auto_compile_is_eager_on_the_cpu_and_compiles_on_request():
    """jit_compile "auto" (None) on MLX's CPU runs the pure step eagerly: Python runs on every
    call. jit_compile=True traces once. Both give the same state."""
    if mx.default_device().type == mx.gpu:
        pytest.skip("auto compiles on an MLX GPU")
    with backends.backend_scope("mlx"):
        results = {}
        for jit in (None, True):
            v = keras.Variable(np.zeros(2, "float32"))
            calls = []

            def step(x, v=v, calls=calls):
                calls.append(1)
                v.assign(v.value + x)
                return v.value

            compiled = B.compile(step, [v], jit_compile=jit)
            for _ in range(3):
                compiled(B.convert_to_tensor(np.ones(2, "float32")))
            results[jit] = (len(calls), np.asarray(v.value))
    assert results[None][0] == 3 and results[True][0] == 1
    np.testing.assert_array_equal(results[None][1], results[True][1])
    np.testing.assert_array_equal(results[None][1], [3.0, 3.0])
