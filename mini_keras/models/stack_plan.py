"""The direct call path of a Sequential stack: each layer's ``call``, nothing around it.

``Layer.__call__`` does the same bookkeeping on every call: convert and check the input, enter
the layer's backend, set the training and autocast contexts, cast the output. Inside a
Sequential model that runs on inputs of one signature (tensor class, shape, dtype), all of it
answers the same way every time, so after one ordinary pass the model records a
:class:`StackPlan` for that signature and later calls run ``layer.call`` back to back (issue
12: "the op layer costs nothing at run time"; a one-sample ``predict`` is mostly this
overhead).

A plan is only made, and only used, when skipping ``__call__`` cannot change a result:
every layer keeps the base class's call machinery, needs no input conversion or output cast,
runs in the backend and autocast scope the model is already in, and passes no mask. Each use
re-checks the contexts, and the layers' cached dtypes whenever any layer's policy was set since,
so changing a policy, or calling from another context, takes the ordinary path again.
"""

from __future__ import annotations

import numpy as np

from mini_keras import backends, ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.layer import Layer, _autocast_dtype, _in_call, _training_ctx
from mini_keras.layers.layer_dtypes import policy_changes

# The methods that make up Layer.__call__'s path: a layer overriding any of them keeps it.
_CALL_MACHINERY = ("__call__", "_call_on_backend", "_call_in_scope", "_call_with_training",
                   "_to_tensor", "_check_input", "_cast_output", "compute_mask")
_MAX_PLANS = 8  # signatures remembered per model


def signature(x):
    """``(class, shape, dtype)`` of one backend tensor, or None for anything else."""
    if isinstance(x, (KerasTensor, list, tuple, dict)) or x is None:
        return None
    if isinstance(x, np.ndarray):  # numpy's tensors, or host arrays (strings: no plan)
        return None if x.dtype.kind in "OSU" else (x.__class__, x.shape, x.dtype)
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return None
    return x.__class__, tuple(ops.shape(x)), dtype


class StackPlan:
    """The layers of a stack with what their ordinary call found (see the module docstring)."""

    __slots__ = ("autocast", "backend", "policies", "steps")

    def __init__(self, backend: str, autocast, steps: tuple):
        self.backend = backend
        self.autocast = autocast
        self.policies = policy_changes()  # any layer's policy set since: look again
        # (layer, its _input_cast, whether its call takes `training`)
        self.steps = steps

    @classmethod
    def record(cls, layers, inputs: list, output) -> StackPlan | None:
        """A plan for ``layers`` from an ordinary pass (``inputs[i]`` fed layer ``i``), or None
        where some layer needs its ``__call__``."""
        backend, autocast = backends.scoped_name(), _autocast_dtype.get()
        if not _in_call.get() or isinstance(output, (KerasTensor, list, tuple, dict)):
            return None
        steps = []
        for layer, x in zip(layers, inputs):
            kind = type(layer)
            if (any(getattr(kind, m) is not getattr(Layer, m) for m in _CALL_MACHINERY)
                    or not layer.built or layer._backend_name != backend
                    or layer._output_cast is not None or layer._autocast_target != autocast
                    or layer._to_tensor(x) is not x):
                return None
            steps.append((layer, layer._input_cast, layer._call_has_training))
        return cls(backend, autocast, tuple(steps))

    def applies(self, training) -> bool:
        """True if the contexts and the layers' cached dtypes are still those recorded."""
        if (not _in_call.get() or backends.scoped_name() != self.backend
                or _autocast_dtype.get() != self.autocast
                or (training is not None and _training_ctx.get() != training)):
            return False
        if policy_changes() == self.policies:
            return True
        for layer, input_cast, _ in self.steps:  # some policy was set: is ours still the same?
            if (layer._input_cast != input_cast or layer._output_cast is not None
                    or layer._autocast_target != self.autocast):
                return False
        self.policies = policy_changes()
        return True

    def run(self, x, training):
        """Call every layer's ``call`` in turn (the caller checked :meth:`applies`)."""
        if training is None:
            training = _training_ctx.get()
        for layer, _, takes_training in self.steps:
            x = layer.call(x, training=training) if takes_training else layer.call(x)
        return x


def remember(plans: dict, key, plan: StackPlan | None) -> None:
    """Store ``plan`` (None too: "no plan for this signature") under ``key``, bounded."""
    if len(plans) >= _MAX_PLANS:
        plans.clear()
    plans[key] = plan
