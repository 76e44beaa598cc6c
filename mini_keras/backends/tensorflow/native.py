"""TensorFlow's own autodiff on mini_keras variables (Keras 3's ``tf.GradientTape`` pattern).

A Variable's handle is a ``tf.Variable`` that tapes already watch when it is read; marking the
mini_keras Variable as acting like a resource variable (with the ``tf.Variable``'s resource
``handle``) lets ``tape.gradient(loss, model.trainable_weights)`` take our Variables as sources.
"""

from __future__ import annotations

import tensorflow as tf


def expose_native_variable(variable, handle) -> None:
    """Let ``tf.GradientTape.gradient`` accept ``variable`` (its handle is ``tf.Variable``)."""
    if not isinstance(handle, tf.Variable):
        return
    try:
        resource = handle.handle
    except (ValueError, AttributeError):  # a distributed variable outside its replica context
        return
    variable._should_act_as_resource_variable = True
    variable.handle = resource
