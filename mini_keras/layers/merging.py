"""Merging layers: combine a list of inputs elementwise, by concatenation, or by a dot product.

Elementwise merges follow Keras 3: per-sample shapes must agree or broadcast (a 1 against any
size); inputs of lower rank get size-1 axes inserted after the batch axis.
"""

from __future__ import annotations

from mini_keras import config, ops
from mini_keras.layers.layer import Layer

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def _as_shapes(layer: Layer, input_shape) -> list[tuple]:
    if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
            isinstance(s, (list, tuple)) for s in input_shape):
        raise ValueError(f"{type(layer).__name__} '{layer.name}' must be called on a list of "
                         f"inputs, received input shape {input_shape}")
    return [tuple(s) for s in input_shape]


class _Merge(Layer):
    """Combine a list of tensors elementwise with :meth:`_merge` (Keras' ``Merge``)."""

    n_inputs = None  # exact number of inputs, when the operation needs one

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def _check(self, shapes) -> tuple:
        """The broadcast per-sample shape of ``shapes``; ValueError naming the layer if none."""
        name = f"{type(self).__name__} '{self.name}'"
        if self.n_inputs is not None and len(shapes) != self.n_inputs:
            raise ValueError(f"{name} needs exactly {self.n_inputs} inputs, received "
                             f"{len(shapes)} with shapes {shapes}")
        batches = {s[0] for s in shapes if s} - {None}
        if len(batches) > 1:
            raise ValueError(f"{name}: inputs have different batch sizes, received shapes "
                             f"{shapes}")
        out = ()
        for shape in shapes:
            sample, rank = shape[1:], max(len(out), len(shape) - 1)
            a, b = (1,) * (rank - len(out)) + out, (1,) * (rank - len(sample)) + sample
            merged = []
            for i, j in zip(a, b):
                if i is not None and j is not None and i != j and 1 not in (i, j):
                    raise ValueError(f"{name}: inputs have incompatible shapes, received shapes "
                                     f"{shapes}")
                merged.append(j if i == 1 else i if j == 1 or j is None else j)
            out = tuple(merged)
        return (batches.pop() if batches else None,) + out

    def call(self, inputs):
        shapes = [tuple(ops.shape(x)) for x in inputs]
        self._check(shapes)
        rank = max(len(s) for s in shapes)
        expanded = []
        for x, shape in zip(inputs, shapes):
            for _ in range(rank - len(shape)):  # Keras inserts missing axes after the batch
                x = ops.expand_dims(x, 1)
            expanded.append(x)
        return self._merge(expanded)

    def _merge(self, inputs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return self._check(_as_shapes(self, input_shape))


def _fold(fn, inputs):
    out = inputs[0]
    for x in inputs[1:]:
        out = fn(out, x)
    return out


class Add(_Merge):
    """Elementwise sum of a list of inputs (shapes must match or broadcast).

    Example:
        >>> Add()([x1, x2])   # x1 + x2
    """

    def _merge(self, inputs):
        return _fold(ops.add, inputs)


class Subtract(_Merge):
    """Elementwise difference ``inputs[0] - inputs[1]`` of exactly two inputs."""

    n_inputs = 2

    def _merge(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """Elementwise product of a list of inputs."""

    def _merge(self, inputs):
        return _fold(ops.multiply, inputs)


class Average(_Merge):
    """Elementwise mean of a list of inputs."""

    def _merge(self, inputs):
        return ops.divide(_fold(ops.add, inputs), float(len(inputs)))


class Maximum(_Merge):
    """Elementwise maximum of a list of inputs."""

    def _merge(self, inputs):
        return _fold(ops.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of a list of inputs."""

    def _merge(self, inputs):
        return _fold(ops.minimum, inputs)


class Concatenate(Layer):
    """Join a list of inputs along ``axis``; all other dimensions must match.

    Args:
        axis: concatenation axis (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        self.compute_output_shape([tuple(ops.shape(x)) for x in inputs])
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = _as_shapes(self, input_shape)
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        name = f"Concatenate '{self.name}'"
        if axis is None or any(len(s) != rank for s in shapes):
            raise ValueError(f"{name}: inputs must all have rank > axis={self.axis}; received "
                             f"shapes {shapes}")
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError(f"{name} requires inputs with matching shapes except for "
                                     f"the concatenation axis {self.axis}; received shapes "
                                     f"{shapes}")
                elif a is None:
                    out[i] = b
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Per-sample dot product of two inputs along ``axes`` (Keras' ``batch_dot``).

    Args:
        axes: int or pair of ints: the axis of each input to contract (not the batch axis).
        normalize: L2-normalize both inputs along those axes first (cosine similarity).

    Example:
        >>> Dot(axes=1)([a, b])   # a, b: (batch, n) -> (batch, 1)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, int) else tuple(axes)
        if len(pair) != 2 or not all(isinstance(a, int) for a in pair):
            raise ValueError(f"Dot '{self.name}': axes must be an int or a pair of ints, "
                             f"received axes={axes!r}")
        self.axes, self.normalize = axes, bool(normalize)

    def _axes(self, shapes) -> tuple:
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return tuple(a % len(s) for a, s in zip(pair, shapes))

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        shapes = [tuple(ops.shape(x)) for x in inputs]
        self.compute_output_shape(shapes)
        x1, x2 = inputs
        a1, a2 = self._axes(shapes)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        # einsum letters: "z" is the batch; x2's contracted axis takes x1's letter. The output
        # keeps x1's other axes, then x2's (as Keras' batch_dot).
        n1, n2 = len(shapes[0]), len(shapes[1])
        s1 = ["z"] + list("abcdefghijklm"[:n1 - 1])
        s2 = ["z"] + list("nopqrstuvwxy"[:n2 - 1])
        s2[a2] = s1[a1]
        out = [c for i, c in enumerate(s1) if i != a1] + [
            c for j, c in enumerate(s2) if j not in (0, a2)]
        y = ops.einsum(f"{''.join(s1)},{''.join(s2)}->{''.join(out)}", x1, x2)
        return ops.expand_dims(y, -1) if len(out) == 1 else y

    def compute_output_shape(self, input_shape):
        shapes = _as_shapes(self, input_shape)
        name = f"Dot '{self.name}'"
        if len(shapes) != 2:
            raise ValueError(f"{name} needs exactly 2 inputs, received shapes {shapes}")
        if min(len(s) for s in shapes) < 2:
            raise ValueError(f"{name}: inputs must have rank >= 2, received shapes {shapes}")
        a1, a2 = self._axes(shapes)
        if 0 in (a1, a2):
            raise ValueError(f"{name} cannot contract the batch axis, received axes={self.axes}")
        (s1, s2), (d1, d2) = shapes, (shapes[0][a1], shapes[1][a2])
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"{name}: incompatible input shapes, axis {a1} of {s1} has size {d1} "
                             f"but axis {a2} of {s2} has size {d2}")
        if s1[0] is not None and s2[0] is not None and s1[0] != s2[0]:
            raise ValueError(f"{name}: inputs have different batch sizes, received shapes "
                             f"{shapes}")
        out = s1[:a1] + s1[a1 + 1:] + s2[1:a2] + s2[a2 + 1:]
        return out + (1,) if len(out) == 1 else out

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """``x / max(||x||, epsilon)`` along ``axis`` (as ``keras.utils.normalize`` with order 2)."""
    floor = config.epsilon() ** 2
    norm = ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), floor))
    return ops.divide(x, norm)


# Keras' functional shortcuts: build the layer and call it on ``inputs``.
def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes, **kwargs)(inputs)``."""
    return Dot(axes=axes, **kwargs)(inputs)
