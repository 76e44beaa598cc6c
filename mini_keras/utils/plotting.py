"""plot_history: training curves from ``fit``'s History, saved as a PNG."""

from __future__ import annotations

import os


def plot_history(history, path, metrics=None, title=None) -> str:
    """Plot each metric per epoch (``val_`` curves on the same axes) and save a PNG.

    Args:
        history: the History returned by ``fit`` (or its ``.history`` dict).
        path: output file (``.png``).
        metrics: metric names to plot (default: every non-``val_`` key).
        title: optional figure title.

    Returns:
        ``path``.
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    logs = history.history if hasattr(history, "history") else dict(history)
    if not logs:
        raise ValueError("plot_history: the history is empty (was fit run for >= 1 epoch?)")
    names = metrics or [k for k in logs if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.5), squeeze=False)
    for ax, name in zip(axes[0], names):
        for key in (name, f"val_{name}"):
            if key in logs:
                ax.plot(range(1, len(logs[key]) + 1), logs[key], marker="o", label=key)
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
