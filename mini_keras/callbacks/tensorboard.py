"""TensorBoard: write per-epoch scalars and weight histograms as TensorBoard event files.

Uses the ``tensorboard`` package's pure-Python event writer and protos (no TensorFlow).
"""

from __future__ import annotations

import os
import time

import numpy as np

from mini_keras.callbacks.callback import Callback
from mini_keras.callbacks.monitor import current_learning_rate


class TensorBoard(Callback):
    """Log ``epoch_<metric>`` scalars (``log_dir/train``, ``log_dir/validation``) and histograms.

    Args:
        log_dir: root folder of the event files.
        histogram_freq: every this many epochs, log a histogram of every weight
            (tag ``<layer>/<weight>/histogram``); 0 disables it.
        write_graph, write_images, update_freq, profile_batch, embeddings_freq: accepted for
            Keras compatibility; only per-epoch logging is implemented.

    Example:
        >>> model.fit(x, y, callbacks=[TensorBoard("logs", histogram_freq=1)])
        # then: tensorboard --logdir logs
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir, self.histogram_freq = os.fspath(log_dir), int(histogram_freq)
        self._writers: dict = {}

    def _writer(self, name: str):
        if name not in self._writers:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
            self._writers[name] = EventFileWriter(os.path.join(self.log_dir, name))
        return self._writers[name]

    def _write(self, name: str, step: int, values) -> None:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        summary = summary_pb2.Summary(value=values)
        self._writer(name).add_event(event_pb2.Event(wall_time=time.time(), step=int(step),
                                                     summary=summary))

    def on_train_begin(self, logs=None):
        self._writer("train")

    def on_epoch_end(self, epoch, logs=None):
        from tensorboard.compat.proto import summary_pb2
        scalars: dict[str, list] = {"train": [], "validation": []}
        logs = dict(logs or {})
        if getattr(self.model, "optimizer", None) is not None and "learning_rate" not in logs:
            logs["learning_rate"] = current_learning_rate(self.model)
        for key, value in logs.items():
            writer, tag = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            scalars[writer].append(summary_pb2.Summary.Value(tag=f"epoch_{tag}",
                                                             simple_value=float(value)))
        for writer, values in scalars.items():
            if values:
                self._write(writer, epoch, values)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write("train", epoch, [
                summary_pb2.Summary.Value(tag=f"{w.path}/histogram", histo=_histogram(w.numpy()))
                for w in self.model.weights])
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


def _histogram(values: np.ndarray, bins: int = 30):
    """A TensorBoard HistogramProto of ``values``."""
    from tensorboard.compat.proto.summary_pb2 import HistogramProto
    values = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(values, bins=bins)
    return HistogramProto(min=float(values.min()), max=float(values.max()), num=values.size,
                          sum=float(values.sum()), sum_squares=float(np.square(values).sum()),
                          bucket_limit=edges[1:].tolist(), bucket=counts.astype(float).tolist())
