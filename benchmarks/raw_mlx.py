"""The raw MLX side of the benchmarks: an idiomatic ``mlx.nn`` + ``mlx.optimizers`` loop with an
``mx.compile``-d step (model and optimizer state as the compiled step's inputs and outputs,
``mx.eval`` per step, as in MLX's own examples), and a compiled forward for inference.

``benchmarks/workloads.py`` imports this module only for ``--backend mlx``.
"""

from __future__ import annotations

from functools import partial

import mlx.core as mx
import mlx.optimizers as optim
import numpy as np
from mlx import nn


class _LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 64)
        self.head = nn.Linear(64, 10)

    def __call__(self, x):
        hidden, _ = self.lstm(x)
        return self.head(hidden[:, -1])


def mlx_net(workload: str) -> nn.Module:
    """The workload's model in ``mlx.nn`` (channels-last, as MLX convolves)."""
    mx.random.seed(0)
    if workload in ("mlp", "infer"):
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             lambda h: h.reshape(h.shape[0], -1), nn.Linear(1600, 10))
    return _LSTMNet()


def train_mlx(workload: str, x: np.ndarray, y: np.ndarray, batch: int, lr: float):
    """Return ``epoch()`` -> last loss, for the raw MLX loop on ``(x, y)``."""
    model = mlx_net(workload)
    mx.eval(model.parameters())
    opt = optim.Adam(learning_rate=lr)

    def loss_fn(model, xb, yb):
        return nn.losses.cross_entropy(model(xb), yb, reduction="mean")

    loss_and_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, opt.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step(xb, yb):
        loss, grads = loss_and_grad(model, xb, yb)
        opt.update(model, grads)
        return loss

    X, Y = mx.array(x), mx.array(y.astype(np.int32))
    n = len(x)

    def epoch():
        perm = mx.array(np.random.permutation(n))
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = step(X[idx], Y[idx])
            mx.eval(state)
        return loss.item()

    return epoch


def infer_mlx(batch_x: np.ndarray) -> dict:
    """{"predict": numpy -> numpy, "call": array -> evaluated array} for the inference MLP."""
    model = mlx_net("infer")
    mx.eval(model.parameters())
    forward = mx.compile(model)
    xt = mx.array(batch_x)

    def call():
        out = forward(xt)
        mx.eval(out)
        return out

    return {"predict": lambda: np.array(forward(mx.array(batch_x))), "call": call}
