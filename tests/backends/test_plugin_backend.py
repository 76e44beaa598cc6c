"""A backend installed as a package (an entry point in ``mini_keras.backends``) works exactly
like a built-in one, and a plugin that breaks the contract is refused by name."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mini_keras
from mini_keras import backends, config
from mini_keras.backends import discovery

REPO_ROOT = os.path.dirname(os.path.dirname(mini_keras.__file__))

# The plugin re-exports the numpy backend: same functions, so the same numbers, bit for bit.
GOOD_PLUGIN = """
from mini_keras.backends.numpy import *  # noqa: F403
from mini_keras.backends.numpy import __all__  # noqa: F401

FRAMEWORK = "numpy"
PIP_EXTRA = "mk-test-plugin"
CAPABILITIES = frozenset({"float64", "autodiff", "plugin_only_capability"})
"""
MISSING_FUNCTION_PLUGIN = GOOD_PLUGIN + "\ndel matmul  # noqa: F821\n"
WRONG_SIGNATURE_PLUGIN = GOOD_PLUGIN + "\ndef add(x1):\n    return x1\n"

TRAIN = textwrap.dedent("""
    import numpy as np
    import mini_keras as keras

    def train():
        keras.utils.set_random_seed(3)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(32, 4)).astype("float32")
        y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")).astype("float32")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
        return [float(v) for v in history.history["loss"]]
""")


def _install(root, backend_name, module_name, source):
    """Write ``module_name`` and a ``*.dist-info`` announcing it as backend ``backend_name``."""
    (root / f"{module_name}.py").write_text(source)
    info = root / f"{module_name}-0.1.dist-info"
    info.mkdir()
    info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module_name.replace('_', '-')}\nVersion: 0.1\n")
    info.joinpath("entry_points.txt").write_text(
        f"[mini_keras.backends]\n{backend_name} = {module_name}\n")


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """Three throwaway plugins on sys.path: a good one, one missing matmul, one with a bad add."""
    _install(tmp_path, "mk_plugin", "mk_plugin_backend", GOOD_PLUGIN)
    _install(tmp_path, "mk_missing", "mk_missing_backend", MISSING_FUNCTION_PLUGIN)
    _install(tmp_path, "mk_badsig", "mk_badsig_backend", WRONG_SIGNATURE_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    discovery.refresh()
    previous = backends.default_name()
    yield tmp_path
    config.set_backend(previous)
    monkeypatch.undo()
    discovery.refresh()


def _train_in_process():
    namespace = {}
    exec(TRAIN, namespace)  # noqa: S102 - the same script the subprocess runs
    return namespace["train"]()


def test_plugin_is_discovered_with_its_facts(plugins):
    assert "mk_plugin" in backends.names()
    assert "mk_plugin" in backends.available()
    assert backends.names()[:1] == ("numpy",)  # built-ins first
    assert backends.supports("plugin_only_capability", "mk_plugin")
    assert not backends.supports("bfloat16", "mk_plugin")


def test_plugin_by_set_backend_trains_to_numpys_exact_losses(plugins):
    config.set_backend("numpy")
    reference = _train_in_process()
    config.set_backend("mk_plugin")
    assert config.backend() == "mk_plugin"
    losses = _train_in_process()
    assert reference[-1] < reference[0]  # it really trained
    np.testing.assert_array_equal(losses, reference)


def test_plugin_by_environment_variable_trains_to_numpys_exact_losses(plugins):
    script = TRAIN + textwrap.dedent("""
        import json
        print(json.dumps({"backend": keras.config.backend(), "losses": train()}))
    """)

    def run(backend_name):
        env = dict(os.environ, MINI_KERAS_BACKEND=backend_name,
                   PYTHONPATH=os.pathsep.join([str(plugins), REPO_ROOT]))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, timeout=300, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    plugin, numpy_run = run("mk_plugin"), run("numpy")
    assert plugin["backend"] == "mk_plugin"
    assert numpy_run["backend"] == "numpy"
    np.testing.assert_array_equal(plugin["losses"], numpy_run["losses"])


def test_plugin_missing_a_function_is_refused_by_name(plugins):
    with pytest.raises(backends.BackendContractError) as info:
        config.set_backend("mk_missing")
    message = str(info.value)
    assert "'mk_missing'" in message and "missing matmul(" in message
    assert config.backend() != "mk_missing"


def test_plugin_with_a_wrong_signature_is_refused_by_name(plugins):
    with pytest.raises(backends.BackendContractError, match=r"'mk_badsig'.*add has signature \(x1\)"):
        backends.get("mk_badsig")


def test_optional_hooks_may_be_left_out(plugins):
    source = GOOD_PLUGIN + "\ndel adam_update, sgd_update, lstm, gru  # noqa: F821\n"
    _install(plugins, "mk_lean", "mk_lean_backend", source)
    discovery.refresh()
    config.set_backend("mk_lean")
    assert backends.optional_hook("adam_update") is None
    assert backends.optional_hook("lstm") is None


def test_plugin_whose_framework_is_missing_is_skipped_not_an_error(plugins):
    from tests.conftest import require_backend

    _install(plugins, "mk_absent", "mk_absent_backend",
             "import mk_framework_that_is_not_installed  # noqa: F401\n")
    discovery.refresh()
    assert "mk_absent" in backends.names()
    assert "mk_absent" not in backends.available()
    assert "mk_plugin" in backends.available()
    with pytest.raises(pytest.skip.Exception, match="mk_absent"):
        require_backend("mk_absent")
    with pytest.raises(ImportError, match=r"'mk_absent'.*mk_framework_that_is_not_installed"):
        config.set_backend("mk_absent")
    assert config.backend() != "mk_absent"
