"""Read an iterator ahead on a background thread, so slow host data overlaps with the step.

The thread hands over each item (or the exception the source raised) through a bounded queue;
the consumer re-raises the exception on its own thread. A consumer that stops early (``close``)
stops the thread; a thread that dies never leaves the consumer waiting.
"""

from __future__ import annotations

import queue
import threading

_DONE = object()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class Prefetcher:
    """Iterate ``iterator`` on a daemon thread, ``depth`` items ahead.

    Args:
        iterator: any iterator (a generator, ``iter(DataLoader)``...).
        depth: how many items may wait in the queue.
        convert: applied to each item on the background thread.
    """

    def __init__(self, iterator, depth: int = 2, convert=None):
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._run, args=(iterator, convert),
                                        name="mini_keras-prefetch", daemon=True)
        self._thread.start()

    def _run(self, iterator, convert):
        try:
            for item in iterator:
                if convert is not None:
                    item = convert(item)
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer and re-raised there
            self._put(_Failure(e))

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        while True:
            try:
                item = self._queue.get(timeout=1.0)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    self._finished = True
                    raise RuntimeError("The data prefetch thread stopped without a result.")
        if item is _DONE:
            self._finished = True
            raise StopIteration
        if isinstance(item, _Failure):
            self._finished = True
            raise item.error
        return item

    @property
    def finished(self) -> bool:
        """True once the pass ended, failed or was closed."""
        return self._finished

    def close(self) -> None:
        """Stop the background thread (items it already read are dropped)."""
        self._stop.set()
        self._finished = True
