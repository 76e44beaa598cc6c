"""A layer's dtype policy (mixed precision): the policy, and the dtypes a call casts to."""

from __future__ import annotations

from mini_keras import backends, dtype_policies
from mini_keras.dtype_policies.dtype_policy import DTypePolicy, is_float_dtype

_HALF = ("float16", "bfloat16")
_changes = [0]  # how many times any layer's cached call dtypes were set


def policy_changes() -> int:
    """A number that grows whenever any layer's dtype policy (or autocast) is set, so code that
    remembered what a call cast to (``models/stack_plan.py``) knows when to look again."""
    return _changes[0]


class DTypePolicyMixin:
    """The dtype properties of :class:`~mini_keras.layers.Layer` (Keras 3 semantics).

    Setting ``dtype_policy`` (or ``autocast``) caches, for the hot call path, the dtype floating
    inputs are cast to, the dtype float weights are read in, and the output cast.
    """

    @property
    def dtype_policy(self) -> DTypePolicy:
        """The layer's :class:`DTypePolicy` (settable with a name or a policy)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        policy = dtype_policies.get(value)
        compute = policy.compute_dtype
        if compute == "bfloat16" and not backends.supports("bfloat16", self._backend_name):
            raise ValueError(
                f"Layer '{self.name}': the {self._backend_name} backend cannot compute in "
                f"bfloat16 (dtype policy {policy.name!r}); it evaluates bfloat16 products in "
                "float32. Use 'mixed_float16', or a backend that computes in bfloat16.")
        in_float32 = self._compute_in_float32 and compute in _HALF
        object.__setattr__(self, "_dtype_policy", policy)
        # Cached for __call__ (a hot path): the dtype floating inputs are cast to (None: keep),
        # the dtype float weights are read in (None: their own) and the output cast.
        convert = self.autocast and is_float_dtype(compute) and self._convert_input_args
        object.__setattr__(self, "_input_cast", ("float32" if in_float32 else compute)
                           if convert else None)
        mixed = (self.autocast and is_float_dtype(compute) and not in_float32
                 and compute != policy.variable_dtype)
        object.__setattr__(self, "_autocast_target", compute if mixed else None)
        object.__setattr__(self, "_output_cast", compute if in_float32 else None)
        _changes[0] += 1

    @property
    def autocast(self) -> bool:
        """Whether calls cast floating inputs and weights to the compute dtype."""
        return self._autocast

    @autocast.setter
    def autocast(self, value: bool) -> None:
        object.__setattr__(self, "_autocast", bool(value))
        self.dtype_policy = self._dtype_policy  # refresh the cached call dtypes

    @property
    def dtype(self) -> str:
        """The variable dtype (alias of :attr:`variable_dtype`, as in Keras 3)."""
        return self._dtype_policy.variable_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer creates its weights in."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in (its floating inputs are cast to it)."""
        return self._dtype_policy.compute_dtype

    @property
    def input_dtype(self) -> str:
        """The dtype floating inputs are cast to (the compute dtype)."""
        return self._dtype_policy.compute_dtype

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained (setting it applies to sub-layers too)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value
