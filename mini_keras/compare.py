"""Train the same model with the same seed on every installed backend and compare them.

    python -m mini_keras.compare                      # MLP on the bundled digits, all backends
    python -m mini_keras.compare --model cnn --epochs 3 --backends numpy,jax

Prints one row per backend (device, parameters, first-epoch time including compilation, time per
later epoch, training samples per second, final training loss and test accuracy) and writes a
PNG with the loss curves of all backends overlaid. A backend whose framework is not installed is
listed as ``not installed (pip install mini_keras[torch])`` instead of stopping the run.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np

from mini_keras import backends, callbacks, config, datasets, layers, models, optimizers, utils
from mini_keras.utils.progbar import Progbar

MODELS = ("mlp", "cnn", "lstm")
DATASETS = ("digits", "mnist", "fashion_mnist", "cifar10")
COLUMNS = ("backend", "device", "params", "1st epoch (s)", "s/epoch", "samples/s", "final loss",
           "test acc")


@dataclasses.dataclass
class Result:
    """One backend's row in the comparison.

    Attributes:
        backend: backend name.
        status: ``"ok"``, ``"not installed (pip install ...)"`` or ``"failed: <error>"``.
        device: where the backend ran (``"cpu"``, ``"cuda:0"``...).
        params: number of model parameters.
        first_epoch_s: wall time of the first epoch, which includes tracing/compilation.
        epoch_s: mean wall time of the later epochs (the first epoch's when there is only one).
        samples_per_s: training samples per second at ``epoch_s``.
        loss: final training loss; accuracy: test accuracy after training.
        losses: training loss after each epoch (plotted).
    """

    backend: str
    status: str = "ok"
    device: str = ""
    params: int = 0
    first_epoch_s: float = float("nan")
    epoch_s: float = float("nan")
    samples_per_s: float = float("nan")
    loss: float = float("nan")
    accuracy: float = float("nan")
    losses: list = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the backend trained successfully."""
        return self.status == "ok"


def load_dataset(name: str, limit: int | None = None):
    """Return ``(x_train, y_train), (x_test, y_test)`` as float32 images (n, h, w, c) in [0, 1].

    Args:
        name: one of :data:`DATASETS` (``digits`` is bundled; the others are downloaded once).
        limit: keep at most this many training and test samples.
    """
    if name not in DATASETS:
        raise ValueError(f"compare: unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    (x_train, y_train), (x_test, y_test) = getattr(datasets, name).load_data()
    scale = 16.0 if name == "digits" else 255.0

    def prepare(x, y):
        x = x.astype("float32") / scale
        x = x[..., None] if x.ndim == 3 else x
        return x[:limit], y.reshape(-1).astype("int32")[:limit]

    return prepare(x_train, y_train), prepare(x_test, y_test)


def build_model(kind: str, image_shape: tuple, num_classes: int = 10):
    """Build the compared model: ``mlp``, ``cnn`` (Conv2D + MaxPooling2D) or ``lstm``.

    The LSTM reads an image row by row: a sequence of ``h`` steps of ``w * c`` features.
    """
    h, w, c = image_shape
    if kind == "mlp":
        stack = [layers.Input(image_shape), layers.Flatten(), layers.Dense(64, activation="relu")]
    elif kind == "cnn":
        stack = [layers.Input(image_shape),
                 layers.Conv2D(16, 3, padding="same", activation="relu"),
                 layers.MaxPooling2D(2), layers.Flatten()]
    elif kind == "lstm":
        stack = [layers.Input((h, w * c)), layers.LSTM(32)]
    else:
        raise ValueError(f"compare: unknown model {kind!r}; choose one of {', '.join(MODELS)}")
    return models.Sequential(stack + [layers.Dense(num_classes, activation="softmax")])


class _EpochTimer(callbacks.Callback):
    """Record each epoch's wall time and loss, and draw one progress bar per backend."""

    def __init__(self, epochs: int, label: str, show: bool):
        super().__init__()
        self.times: list[float] = []
        self.losses: list[float] = []
        self.bar = Progbar(epochs, stream=sys.stderr) if show else None
        if show:
            sys.stderr.write(f"{label}\n")

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)
        self.losses.append(float(logs["loss"]))
        if self.bar is not None:
            self.bar.update(len(self.times), {"loss": self.losses[-1]})


def run_backend(name: str, model_kind: str, data, epochs: int, batch_size: int, seed: int,
                progress: bool = True) -> Result:
    """Train and evaluate the model on backend ``name``; return its :class:`Result`."""
    if name not in backends.available():
        extra = "mini_keras" if name == "numpy" else f"mini_keras[{name}]"
        return Result(name, status=f"not installed (pip install {extra})")
    (x_train, y_train), (x_test, y_test) = data
    if model_kind == "lstm":
        x_train, x_test = (x.reshape(x.shape[0], x.shape[1], -1) for x in (x_train, x_test))
    previous = backends.default_name()
    try:
        config.set_backend(name)
        utils.set_random_seed(seed)  # same seed: identical initial weights and batch order
        model = build_model(model_kind, data[0][0].shape[1:])
        model.compile(optimizer=optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        timer = _EpochTimer(epochs, f"[{name}] {model_kind}, {epochs} epochs", progress)
        model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                  callbacks=[timer])
        accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0, return_dict=True)
        later = timer.times[1:] or timer.times
        epoch_s = float(np.mean(later))
        return Result(name, device=config.device(name), params=model.count_params(),
                      first_epoch_s=timer.times[0], epoch_s=epoch_s,
                      samples_per_s=len(x_train) / epoch_s, loss=timer.losses[-1],
                      accuracy=accuracy["accuracy"], losses=timer.losses)
    except Exception as e:  # noqa: BLE001 - one broken backend must not hide the others' results
        return Result(name, status=f"failed: {type(e).__name__}: {e}")
    finally:
        config.set_backend(previous)


def compare(backend_names=None, model: str = "mlp", epochs: int = 5, dataset: str = "digits",
            batch_size: int = 32, seed: int = 0, limit: int | None = None,
            progress: bool = True) -> list[Result]:
    """Run :func:`run_backend` for each backend on the same data; return the results.

    Args:
        backend_names: backends to compare (default: every discovered backend, installed or not).
        model: ``"mlp"``, ``"cnn"`` or ``"lstm"``.
        epochs: training epochs per backend.
        dataset: one of :data:`DATASETS`.
        batch_size, seed: training batch size and random seed (shared by every backend).
        limit: keep at most this many training/test samples.
        progress: draw a progress bar per backend on stderr.
    """
    if model not in MODELS:
        raise ValueError(f"compare: unknown model {model!r}; choose one of {', '.join(MODELS)}")
    data = load_dataset(dataset, limit)
    names = list(backend_names or backends.VALID_BACKENDS)
    return [run_backend(n, model, data, epochs, batch_size, seed, progress) for n in names]


def format_table(results: list[Result]) -> str:
    """Render the results as a Markdown table (readable in a terminal, pasteable in a README)."""
    rows = []
    for r in results:
        if r.ok:
            rows.append([r.backend, r.device, f"{r.params:,}", f"{r.first_epoch_s:.2f}",
                         f"{r.epoch_s:.3f}", f"{r.samples_per_s:,.0f}", f"{r.loss:.4f}",
                         f"{r.accuracy:.4f}"])
        else:
            rows.append([r.backend, r.status] + [""] * (len(COLUMNS) - 2))
    widths = [max(len(str(v)) for v in col) for col in zip(COLUMNS, *rows)]

    def line(cells):
        return "| " + " | ".join(f"{c:<{w}}" for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), sep] + [line(r) for r in rows])


def plot_losses(results: list[Result], path: str, title: str = "") -> str | None:
    """Overlay the per-epoch training loss of every successful backend; save a PNG at ``path``.

    Returns the path, or None when matplotlib is not installed (a message says so).
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install mini_keras[io]); no plot written.")
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    styles = iter(["-o", "--s", "-.^", ":d"] * 4)
    for r in results:
        if r.ok:
            ax.plot(range(1, len(r.losses) + 1), r.losses, next(styles), label=r.backend,
                    alpha=0.8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(title or "mini_keras: same model, same seed, every backend")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None) -> list[Result]:
    """Command-line entry point (``python -m mini_keras.compare --help``)."""
    parser = argparse.ArgumentParser(prog="python -m mini_keras.compare", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--backends", default=",".join(backends.VALID_BACKENDS),
                        help="comma-separated backends (default: %(default)s)")
    parser.add_argument("--model", choices=MODELS, default="mlp")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dataset", choices=DATASETS, default="digits",
                        help="digits is bundled; the others are downloaded once")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None,
                        help="use at most this many training and test samples")
    parser.add_argument("--output", default="compare_backends.png", help="PNG path for the plot")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)
    names = [n.strip().lower() for n in args.backends.split(",") if n.strip()]
    unknown = [n for n in names if n not in backends.VALID_BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; valid: {', '.join(backends.VALID_BACKENDS)}")
    try:
        results = compare(names, args.model, args.epochs, args.dataset, args.batch_size,
                          args.seed, args.limit, progress=not args.no_progress)
    except datasets.DownloadError as e:
        parser.exit(1, f"{e}\nUse --dataset digits (bundled) to compare offline.\n")
    print(f"\n{args.model} on {args.dataset}, {args.epochs} epochs, batch size {args.batch_size}, "
          f"seed {args.seed}\n")
    print(format_table(results))
    title = f"{args.model} on {args.dataset}: training loss per backend"
    written = plot_losses(results, args.output, title)
    if written:
        print(f"\nloss curves: {written}")
    return results


if __name__ == "__main__":
    main()
