"""Benchmark worker: run ONE (workload, backend, implementation) in this process, print JSON.

``benchmarks/run.py`` starts this module in a fresh process for every measurement, so memory
numbers are clean, Keras 3 gets its own ``KERAS_BACKEND`` and no framework warms another up.

    python benchmarks/workloads.py --workload mlp --backend torch --impl mk --samples 4096

Implementations:
    mk     mini_keras, public API only: Sequential + compile(Adam) + fit(verbose=0) / predict.
    raw    an idiomatic hand-written loop in the framework itself: torch eager + torch.optim.Adam,
           jax.jit + optax.adam, tf.function(jit_compile=True) + a hand Adam on tf.Variables,
           numpy with hand-derived backprop and Adam (MLP only).
    keras  Keras 3 with ``KERAS_BACKEND=<backend>``, same code as ``mk``.

The last stdout line is ``RESULT {json}``. ``--profile`` instead prints cProfile's top entries
for the timed part (the steady-state epochs or forward calls).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

BATCH = {"mlp": 128, "cnn": 128, "lstm": 64, "infer": 128}
SHAPES = {"mlp": (784,), "cnn": (28, 28, 1), "lstm": (50, 32), "infer": (784,)}
LR = 1e-3


# ---------------------------------------------------------------- helpers
def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process from /proc (VmRSS now, VmHWM = peak), in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not Linux: ru_maxrss is the peak in KiB (bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def make_data(workload: str, samples: int):
    """The same seeded data in every process: uniform inputs, integer labels in [0, 10)."""
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.random((samples,) + SHAPES[workload], dtype=np.float32)
    y = rng.integers(0, 10, size=(samples,)).astype("int64")
    return x, y


def import_framework(backend: str):
    """Import the raw framework first, so every implementation's memory baseline includes it."""
    if backend == "torch":
        import torch  # noqa: F401
    elif backend == "jax":
        import jax  # noqa: F401
    elif backend == "tensorflow":
        import tensorflow  # noqa: F401


def sync(backend: str, value):
    """Wait for an asynchronously dispatched result (JAX) so timings cover the real work."""
    if backend == "jax":
        import jax
        jax.block_until_ready(value)
    return value


def glorot(rng, fan_in, fan_out, shape=None):
    import numpy as np
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    return rng.uniform(-limit, limit, size=shape or (fan_in, fan_out)).astype(np.float32)


# ---------------------------------------------------------------- mini_keras and Keras 3
def keras_module(impl: str, backend: str):
    if impl == "keras":
        os.environ["KERAS_BACKEND"] = backend
        import keras
        return keras
    import mini_keras
    mini_keras.config.set_backend(backend)
    return mini_keras


def keras_like_model(K, workload: str):
    """The workload's model written once against the Keras API (mini_keras or Keras 3)."""
    L = K.layers
    if workload in ("mlp", "infer"):
        body = [L.Dense(256, activation="relu"), L.Dense(256, activation="relu"), L.Dense(10)]
    elif workload == "cnn":
        body = [L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
                L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dense(10)]
    else:
        body = [L.LSTM(64), L.Dense(10)]
    model = K.Sequential([K.Input(SHAPES[workload])] + body)
    model.compile(optimizer=K.optimizers.Adam(LR),
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def train_keras_like(impl, backend, workload, x, y, epochs, profile):
    K = keras_module(impl, backend)
    missing = [n for n in ("Conv2D", "MaxPooling2D", "LSTM") if not hasattr(K.layers, n)]
    if workload != "mlp" and missing:
        return {"error": f"layer not available: {missing}"}
    model = keras_like_model(K, workload)
    ends: list[float] = []

    class EpochTimer(K.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    timer = EpochTimer()
    if profile:  # warm up (compile) first, then profile the steady-state epochs only
        model.fit(x, y, batch_size=BATCH[workload], epochs=1, verbose=0)
        return run_profiled(lambda: model.fit(x, y, batch_size=BATCH[workload], epochs=epochs,
                                              verbose=0))
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH[workload], epochs=1 + epochs, verbose=0, callbacks=[timer])
    times = [b - a for a, b in zip([start] + ends, ends)]
    return {"warmup_s": times[0], "epoch_s": times[1:]}


# ---------------------------------------------------------------- raw torch
def torch_net(workload):
    import torch
    from torch import nn
    torch.manual_seed(0)
    if workload in ("mlp", "infer"):
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(1600, 10))

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 64, batch_first=True)
            self.head = nn.Linear(64, 10)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[-1])

    return LSTMNet()


def train_torch(workload, x, y, epochs, profile):
    import torch
    import torch.nn.functional as F
    net = torch_net(workload)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    if workload == "cnn":  # torch's native layout is NCHW: convert the data once, up front
        x = x.transpose(0, 3, 1, 2).copy()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(X[idx]), Y[idx])
            loss.backward()
            opt.step()
        return float(loss)

    return time_epochs(epoch, epochs, profile)


# ---------------------------------------------------------------- raw JAX
def jax_params(workload, rng):
    import jax.numpy as jnp
    return {k: jnp.asarray(v) for k, v in init_params(workload, rng).items()}


def jax_forward(workload):
    import jax
    import jax.numpy as jnp
    from jax import lax

    def pool(h):
        return lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def conv(h, k, b):
        return jax.nn.relu(lax.conv_general_dilated(h, k, (1, 1), "VALID",
                                                    dimension_numbers=("NHWC", "HWIO", "NHWC")) + b)

    def forward(p, x):
        if workload in ("mlp", "infer"):
            h = jax.nn.relu(x @ p["w1"] + p["b1"])
            h = jax.nn.relu(h @ p["w2"] + p["b2"])
        elif workload == "cnn":
            h = pool(conv(x, p["k1"], p["b1"]))
            h = pool(conv(h, p["k2"], p["b2"])).reshape(x.shape[0], -1)
        else:
            def cell(carry, xt):
                h, c = carry
                i, f, g, o = jnp.split(xt + h @ p["wh"], 4, axis=-1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), None
            zeros = jnp.zeros((x.shape[0], 64), x.dtype)
            xs = jnp.swapaxes(x @ p["wx"] + p["b"], 0, 1)  # (time, batch, 4*units)
            (h, _), _ = lax.scan(cell, (zeros, zeros), xs)
        return h @ p["w3"] + p["b3"]

    return forward


def train_jax(workload, x, y, epochs, profile):
    import jax
    import numpy as np
    import optax
    rng = np.random.default_rng(0)
    params, forward = jax_params(workload, rng), jax_forward(workload)
    opt = optax.adam(LR)
    state = [params, opt.init(params)]
    y = y.astype("int32")

    def loss_fn(p, xb, yb):
        return optax.softmax_cross_entropy_with_integer_labels(forward(p, xb), yb).mean()

    @jax.jit
    def step(p, s, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb)
        updates, s = opt.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            state[0], state[1], loss = step(state[0], state[1], x[idx], y[idx])
        return float(loss)

    return time_epochs(epoch, epochs, profile)


# ---------------------------------------------------------------- raw TensorFlow
def tf_variables(workload, rng):
    import tensorflow as tf
    return {k: tf.Variable(v) for k, v in init_params(workload, rng).items()}


def init_params(workload, rng):
    """Glorot-uniform weights and zero biases for the raw JAX and TF models, as numpy."""
    import numpy as np
    z = np.zeros
    if workload in ("mlp", "infer"):
        return {"w1": glorot(rng, 784, 256), "b1": z(256, "f4"), "w2": glorot(rng, 256, 256),
                "b2": z(256, "f4"), "w3": glorot(rng, 256, 10), "b3": z(10, "f4")}
    if workload == "cnn":
        return {"k1": glorot(rng, 9, 9 * 32, (3, 3, 1, 32)), "b1": z(32, "f4"),
                "k2": glorot(rng, 9 * 32, 9 * 64, (3, 3, 32, 64)), "b2": z(64, "f4"),
                "w3": glorot(rng, 1600, 10), "b3": z(10, "f4")}
    return {"wx": glorot(rng, 32, 256), "wh": glorot(rng, 64, 256), "b": z(256, "f4"),
            "w3": glorot(rng, 64, 10), "b3": z(10, "f4")}


def tf_forward(workload, p):
    import tensorflow as tf

    def forward(x):
        if workload in ("mlp", "infer"):
            h = tf.nn.relu(x @ p["w1"] + p["b1"])
            h = tf.nn.relu(h @ p["w2"] + p["b2"])
        elif workload == "cnn":
            h = tf.nn.relu(tf.nn.conv2d(x, p["k1"], 1, "VALID") + p["b1"])
            h = tf.nn.max_pool2d(h, 2, 2, "VALID")
            h = tf.nn.relu(tf.nn.conv2d(h, p["k2"], 1, "VALID") + p["b2"])
            h = tf.reshape(tf.nn.max_pool2d(h, 2, 2, "VALID"), (-1, 1600))
        else:
            xs = x @ p["wx"] + p["b"]
            h = c = tf.zeros((tf.shape(x)[0], 64))
            for t in range(x.shape[1]):  # unrolled in the graph; XLA fuses each cell
                i, f, g, o = tf.split(xs[:, t] + h @ p["wh"], 4, axis=-1)
                c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
                h = tf.sigmoid(o) * tf.tanh(c)
        return h @ p["w3"] + p["b3"]

    return forward


def train_tf(workload, x, y, epochs, profile):
    import numpy as np
    import tensorflow as tf
    rng = np.random.default_rng(0)
    p = tf_variables(workload, rng)
    forward, variables = tf_forward(workload, p), list(p.values())
    m = [tf.Variable(tf.zeros_like(v)) for v in variables]
    s = [tf.Variable(tf.zeros_like(v)) for v in variables]
    t = tf.Variable(0.0)
    b1, b2, eps = 0.9, 0.999, 1e-7

    @tf.function(jit_compile=True)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, forward(xb)))
        grads = tape.gradient(loss, variables)
        t.assign_add(1.0)
        lr = LR * tf.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for v, g, mv, sv in zip(variables, grads, m, s):
            mv.assign(b1 * mv + (1 - b1) * g)
            sv.assign(b2 * sv + (1 - b2) * g * g)
            v.assign_sub(lr * mv / (tf.sqrt(sv) + eps))
        return loss

    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = step(tf.constant(x[idx]), tf.constant(y[idx]))
        return float(loss)

    return time_epochs(epoch, epochs, profile)


# ---------------------------------------------------------------- raw numpy (MLP only)
class NumpyMLP:
    """784-256-256-10 MLP with hand-derived backprop and Adam: the numpy baseline."""

    def __init__(self, rng):
        import numpy as np
        sizes = [(784, 256), (256, 256), (256, 10)]
        self.params = []
        for fan_in, fan_out in sizes:
            self.params += [glorot(rng, fan_in, fan_out), np.zeros(fan_out, np.float32)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x):
        import numpy as np
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        return h2 @ w3 + b3, (h1, h2)

    def step(self, x, y):
        import numpy as np
        w1, b1, w2, b2, w3, b3 = self.params
        logits, (h1, h2) = self.forward(x)
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        n = len(x)
        loss = -np.log(p[np.arange(n), y] + 1e-12).mean()
        d3 = p
        d3[np.arange(n), y] -= 1
        d3 /= n                                        # dL/dlogits
        d2 = (d3 @ w3.T) * (h2 > 0)
        d1 = (d2 @ w2.T) * (h1 > 0)
        grads = [x.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ d3, d3.sum(0)]
        self.t += 1
        b1_, b2_, eps = 0.9, 0.999, 1e-7
        lr = LR * (1 - b2_ ** self.t) ** 0.5 / (1 - b1_ ** self.t)
        for param, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1_
            m += (1 - b1_) * g
            v *= b2_
            v += (1 - b2_) * g * g
            param -= lr * m / (np.sqrt(v) + eps)
        return loss


def train_numpy(workload, x, y, epochs, profile):
    import numpy as np
    if workload != "mlp":
        return {"error": "no hand-written numpy baseline for this workload"}
    rng = np.random.default_rng(0)
    net = NumpyMLP(rng)
    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = net.step(x[idx], y[idx])
        return float(loss)

    return time_epochs(epoch, epochs, profile)


def time_epochs(epoch, epochs, profile):
    """One warm-up epoch (compilation), then ``epochs`` timed ones."""
    t0 = time.perf_counter()
    epoch()
    warmup = time.perf_counter() - t0
    if profile:
        return run_profiled(lambda: [epoch() for _ in range(epochs)])
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t0)
    return {"warmup_s": warmup, "epoch_s": times}


RAW_TRAIN = {"torch": train_torch, "jax": train_jax, "tensorflow": train_tf, "numpy": train_numpy}


# ---------------------------------------------------------------- inference (workload 4)
def per_call(fn, calls: int, blocks: int = 5) -> float:
    """Median over ``blocks`` of the mean seconds per call of ``fn`` (after 3 warm-up calls)."""
    for _ in range(3):
        fn()
    out = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        out.append((time.perf_counter() - t0) / calls)
    return statistics.median(out)


def infer_fns(impl, backend, batch_x):
    """Return {"predict": numpy->numpy, "call": tensor->tensor} callables on one batch."""
    import numpy as np
    if impl in ("mk", "keras"):
        K = keras_module(impl, backend)
        model = keras_like_model(K, "infer")
        xt = to_tensor(backend, batch_x)
        n = len(batch_x)
        return {"predict": lambda: model.predict(batch_x, batch_size=n, verbose=0),
                "call": lambda: sync(backend, model(xt))}
    if backend == "torch":
        import torch
        net = torch_net("infer").eval()
        xt = torch.from_numpy(batch_x)

        def predict():
            with torch.no_grad():
                return net(torch.from_numpy(batch_x)).numpy()

        def call():
            with torch.no_grad():
                return net(xt)
        return {"predict": predict, "call": call}
    if backend == "jax":
        import jax
        params, fwd = jax_params("infer", np.random.default_rng(0)), jax.jit(jax_forward("infer"))
        xt = to_tensor(backend, batch_x)
        return {"predict": lambda: np.asarray(fwd(params, batch_x)),
                "call": lambda: sync(backend, fwd(params, xt))}
    if backend == "tensorflow":
        import tensorflow as tf
        p = tf_variables("infer", np.random.default_rng(0))
        fwd = tf.function(tf_forward("infer", p), jit_compile=True)
        xt = to_tensor(backend, batch_x)
        return {"predict": lambda: fwd(tf.constant(batch_x)).numpy(), "call": lambda: fwd(xt)}
    net = NumpyMLP(np.random.default_rng(0))
    return {"predict": lambda: net.forward(batch_x)[0], "call": lambda: net.forward(batch_x)[0]}


def to_tensor(backend, x):
    if backend == "torch":
        import torch
        return torch.from_numpy(x)
    if backend == "jax":
        import jax.numpy as jnp
        return jnp.asarray(x)
    if backend == "tensorflow":
        import tensorflow as tf
        return tf.constant(x)
    return x


def run_infer(impl, backend, args):
    import numpy as np
    rng = np.random.default_rng(0)
    result = {}
    for batch, calls in ((1, args.calls), (1024, max(args.calls // 10, 5))):
        x = rng.random((batch, 784), dtype=np.float32)
        fns = infer_fns(impl, backend, x)
        for name, fn in fns.items():
            if args.profile:
                print(f"== profile: {name} batch {batch}")
                per_call(fn, 3, 1)
                print(run_profiled(lambda: [fn() for _ in range(calls)])["profile"])
                continue
            result[f"{name}_b{batch}_s"] = per_call(fn, calls)
    return result


# ---------------------------------------------------------------- profiling and main
def run_profiled(fn, top: int = 25):
    import cProfile
    import io
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {"profile": text.getvalue()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, choices=["mlp", "cnn", "lstm", "infer"])
    parser.add_argument("--backend", required=True,
                        choices=["numpy", "torch", "jax", "tensorflow"])
    parser.add_argument("--impl", required=True, choices=["mk", "raw", "keras"])
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after one warm-up")
    parser.add_argument("--calls", type=int, default=100, help="forward calls per timing block")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import_framework(args.backend)
    if args.impl == "keras":
        keras_module("keras", args.backend)
    elif args.impl == "mk":
        keras_module("mk", args.backend)
    if args.workload == "infer":
        result = run_infer(args.impl, args.backend, args)
    else:
        x, y = make_data(args.workload, args.samples)
        base = rss_mb("VmRSS")
        if args.impl == "raw":
            result = RAW_TRAIN[args.backend](args.workload, x, y, args.epochs, args.profile)
        elif args.impl == "keras" and args.backend == "numpy":
            result = {"error": "Keras 3 cannot train on the numpy backend"}
        else:
            result = train_keras_like(args.impl, args.backend, args.workload, x, y, args.epochs,
                                      args.profile)
        result.update(rss_before_mb=base, peak_rss_mb=rss_mb("VmHWM"))
    if args.profile and "profile" in result:
        print(result.pop("profile"))
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
