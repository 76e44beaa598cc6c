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
    elif backend == "mlx":
        import mlx.core  # noqa: F401


def sync(backend: str, value):
    """Wait for an asynchronously dispatched result (JAX) so timings cover the real work."""
    if backend == "jax":
        import jax
        jax.block_until_ready(value)
    elif backend == "mlx":  # lazy arrays: evaluate
        import mlx.core as mx
        mx.eval(value)
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
    # MLX on a CPU stays eager under jit_compile="auto" (ARCHITECTURE: Speed); the raw MLX loop
    # is mx.compile-d, so the mlx row asks for the same compilation.
    compiled = K.__name__ == "mini_keras" and K.backend.backend() == "mlx"
    model.compile(optimizer=K.optimizers.Adam(LR),
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True if compiled else "auto")
    return model


def train_keras_like(impl, backend, workload, x, y):
    """Build + compile the model; return ``epoch()`` -> (epoch seconds, fit() wall seconds).

    Every call is ``fit(epochs=1, verbose=0)``; the epoch time is measured by a callback from
    ``on_epoch_begin`` to ``on_epoch_end`` so fit()'s per-call setup is reported apart.
    """
    if impl == "keras" and backend == "mlx":
        raise Unavailable("Keras 3 has no MLX backend")
    K = keras_module(impl, backend)
    missing = [n for n in ("Conv2D", "MaxPooling2D", "LSTM") if not hasattr(K.layers, n)]
    if workload != "mlp" and missing:
        raise Unavailable(f"layer not available: {missing}")
    if impl == "keras" and backend == "numpy":
        raise Unavailable("Keras 3 cannot train on the numpy backend")
    model = keras_like_model(K, workload)
    span = {}

    class EpochTimer(K.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            span["begin"] = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            span["epoch"] = time.perf_counter() - span["begin"]

    timer = EpochTimer()

    def epoch():
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH[workload], epochs=1, verbose=0, callbacks=[timer])
        return span["epoch"], time.perf_counter() - t0

    return epoch


class Unavailable(Exception):
    """This implementation does not exist for the workload/backend (reported, not an error)."""


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


def train_torch(workload, x, y):
    import torch
    import torch.nn.functional as F
    net = torch_net(workload)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    if workload == "cnn":  # torch's native layout is NCHW: convert the data once, up front
        x = x.transpose(0, 3, 1, 2).copy()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    net.to(device)
    X, Y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = torch.randperm(n, device=device)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(X[idx]), Y[idx])
            loss.backward()
            opt.step()
        return loss.item()  # waits for the device, like the Keras-style epoch-end logs

    return timed(epoch)


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


def train_jax(workload, x, y):
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

    return timed(epoch)


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


def train_tf(workload, x, y):
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

    return timed(epoch)


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
        w2, w3 = self.params[2], self.params[4]
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


def train_numpy(workload, x, y):
    import numpy as np
    if workload != "mlp":
        raise Unavailable("no hand-written numpy baseline for this workload")
    rng = np.random.default_rng(0)
    net = NumpyMLP(rng)
    n, batch = len(x), BATCH[workload]

    def epoch():
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = net.step(x[idx], y[idx])
        return float(loss)

    return timed(epoch)


def timed(epoch):
    """Wrap a raw loop's ``epoch()`` to return (seconds, seconds) like the Keras-style ones."""
    def run():
        t0 = time.perf_counter()
        epoch()
        elapsed = time.perf_counter() - t0
        return elapsed, elapsed
    return run


def train_mlx(workload, x, y):
    from raw_mlx import train_mlx as train  # benchmarks/raw_mlx.py: imports mlx
    return timed(train(workload, x, y, BATCH[workload], LR))


RAW_TRAIN = {"torch": train_torch, "jax": train_jax, "tensorflow": train_tf, "numpy": train_numpy,
             "mlx": train_mlx}


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
    if impl == "keras" and backend == "mlx":
        raise Unavailable("Keras 3 has no MLX backend")
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
    if backend == "mlx":
        from raw_mlx import infer_mlx
        return infer_mlx(batch_x)
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
    if backend == "mlx":
        import mlx.core as mx
        return mx.array(x)
    return x


def run_infer(impls, backend, args):
    """Per-call seconds of predict (numpy in/out) and a direct call (tensor in/out), interleaved."""
    import numpy as np
    rng = np.random.default_rng(0)
    result = {impl: {} for impl in impls}
    for batch, calls in ((1, args.calls), (1024, max(args.calls // 10, 5))):
        x = rng.random((batch, 784), dtype=np.float32)
        fns = {}
        for impl in impls:
            try:
                fns[impl] = infer_fns(impl, backend, x)
            except Unavailable as e:
                result[impl] = {"error": str(e)}
        if args.profile:
            for name, fn in fns[impls[0]].items():
                per_call(fn, 3, 1)
                print(f"== profile: {impls[0]} {name} batch {batch}")
                print(run_profiled(lambda fn=fn, n=calls: [fn() for _ in range(n)]))
            continue
        for impl_fns in fns.values():  # warm up (compile) everything before any timing
            for fn in impl_fns.values():
                per_call(fn, 1, 1)
        samples: dict = {}
        for _ in range(args.reps):
            for impl, impl_fns in fns.items():
                for name, fn in impl_fns.items():
                    samples.setdefault((impl, name), []).append(per_call(fn, calls, 1))
        for (impl, name), values in samples.items():
            result[impl][f"{name}_b{batch}_s"] = values
    return result


def run_training(impls, backend, args):
    """Warm each implementation up (one epoch), then time epochs round-robin across them."""
    x, y = make_data(args.workload, args.samples)
    result, epochs = {}, {}
    base = rss_mb("VmRSS")
    for impl in impls:
        try:
            prepare = RAW_TRAIN[backend] if impl == "raw" else (
                lambda w, x, y, impl=impl: train_keras_like(impl, backend, w, x, y))
            epochs[impl] = prepare(args.workload, x, y)
            t0 = time.perf_counter()
            epochs[impl]()
            result[impl] = {"warmup_s": time.perf_counter() - t0, "epoch_s": [], "wall_s": []}
        except Unavailable as e:
            result[impl] = {"error": str(e)}
            epochs.pop(impl, None)
    if args.profile:
        for impl, epoch in epochs.items():
            print(f"== profile: {impl} {backend} {args.workload}, {args.reps} epoch(s)")
            print(run_profiled(lambda epoch=epoch: [epoch() for _ in range(args.reps)]))
        return result
    for _ in range(args.reps):
        for impl, epoch in epochs.items():
            seconds, wall = epoch()
            result[impl]["epoch_s"].append(seconds)
            result[impl]["wall_s"].append(wall)
    if len(impls) == 1:  # memory is only meaningful with one implementation per process
        result[impls[0]].update(rss_before_mb=base, peak_rss_mb=rss_mb("VmHWM"))
    return result


def limit_threads(n: int) -> None:
    """Pin every framework to ``n`` threads (set before the frameworks are imported)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[var] = str(n)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if n > 1 else 'false'}"
                               f" intra_op_parallelism_threads={n}").strip()


def apply_thread_limit(backend: str, n: int) -> None:
    if backend == "torch":
        import torch
        torch.set_num_threads(n)
        torch.set_num_interop_threads(n)
    elif backend == "tensorflow":
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)


# ---------------------------------------------------------------- profiling and main
def run_profiled(fn, top: int = 30) -> str:
    """cProfile ``fn``; return the top entries by own time, then by cumulative time."""
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
    return text.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, choices=["mlp", "cnn", "lstm", "infer"])
    parser.add_argument("--backend", required=True,
                        choices=["numpy", "torch", "jax", "tensorflow", "mlx"])
    parser.add_argument("--impls", default="mk,raw,keras",
                        help="comma-separated subset of mk,raw,keras, timed round-robin")
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--reps", type=int, default=3,
                        help="timed epochs (or timing blocks) per implementation after warm-up")
    parser.add_argument("--calls", type=int, default=100, help="forward calls per timing block")
    parser.add_argument("--threads", type=int, default=0, help="pin frameworks to N threads")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile of the timed part instead of timing it")
    args = parser.parse_args(argv)
    impls = [i for i in args.impls.split(",") if i]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.threads:
        limit_threads(args.threads)
    import_framework(args.backend)
    if args.threads:
        apply_thread_limit(args.backend, args.threads)
    for impl in impls:  # import (and configure) the libraries before the memory baseline
        if impl != "raw" and not (impl == "keras" and args.backend == "mlx"):
            keras_module(impl, args.backend)
    run = run_infer if args.workload == "infer" else run_training
    result = run(impls, args.backend, args)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
