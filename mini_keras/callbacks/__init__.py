"""``mini_keras.callbacks``: hooks into ``fit``/``evaluate``/``predict``."""

from mini_keras.callbacks.callback import Callback, CallbackList, History, ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
