"""``mini_keras.callbacks``: hooks into ``fit``/``evaluate``/``predict``."""

from mini_keras.callbacks.backup_and_restore import BackupAndRestore
from mini_keras.callbacks.callback import Callback, CallbackList, History, ProgbarLogger
from mini_keras.callbacks.early_stopping import EarlyStopping
from mini_keras.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from mini_keras.callbacks.model_checkpoint import ModelCheckpoint
from mini_keras.callbacks.simple import CSVLogger, LambdaCallback, TerminateOnNaN
from mini_keras.callbacks.tensorboard import TensorBoard

__all__ = [
           "BackupAndRestore",
           "CSVLogger",
           "Callback",
           "CallbackList",
           "EarlyStopping",
           "History",
           "LambdaCallback",
           "LearningRateScheduler",
           "ModelCheckpoint",
           "ProgbarLogger",
           "ReduceLROnPlateau",
           "TensorBoard",
           "TerminateOnNaN",
]
