"""A plain install (numpy only) imports and trains: no optional package is imported eagerly."""

import subprocess
import sys
import textwrap

OPTIONAL = ["torch", "jax", "tensorflow", "h5py", "scipy", "sklearn", "matplotlib",
            "tensorboard", "keras"]


def test_numpy_only_install_imports_and_trains():
    code = textwrap.dedent(f"""
        import sys
        for name in {OPTIONAL!r}:
            sys.modules[name] = None  # any import of these now raises ImportError
        import numpy as np
        import mini_keras as keras
        assert keras.config.backend() == "numpy"
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                      metrics=["accuracy"])
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
        y = np.array([[0], [1], [1], [0]], dtype="float32")
        history = model.fit(x, y, epochs=150, batch_size=4, verbose=0)
        print(history.history["accuracy"][-1])
        try:
            keras.config.set_backend("torch")
        except ImportError as e:
            print("IMPORT-ERROR:", e)
    """)
    env_code = ["-c", code]
    out = subprocess.run([sys.executable, *env_code], capture_output=True, text=True, check=False,
                         env={"MINI_KERAS_BACKEND": "numpy", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert float(lines[0]) == 1.0
    assert 'IMPORT-ERROR: Backend \'torch\' needs the \'torch\' package' in lines[1]
    assert 'pip install "mini_keras[torch]"' in lines[1]
