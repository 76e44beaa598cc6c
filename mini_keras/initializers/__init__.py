"""Weight initializers (Keras 3 names and formulas), drawn on the host for cross-backend identity.

Values come from numpy's generator seeded by the initializer's ``seed`` or, without one, from
the global stream of :func:`mini_keras.utils.set_random_seed`; the array is then converted to the
current backend. So the same seed gives bit-identical weights on every backend.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras.initializers.base import Initializer
from mini_keras.initializers.base import np_dtype as _np_dtype
from mini_keras.initializers.stft_initializer import STFT
from mini_keras.utils.rng import host_rng

__all__ = [
    "STFT",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return host_rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class Zeros(Initializer):
    """All zeros."""

    def sample(self, shape, dtype):
        return np.zeros(shape, dtype=_np_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def sample(self, shape, dtype):
        return np.ones(shape, dtype=_np_dtype(dtype))


class Constant(Initializer):
    """All equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def sample(self, shape, dtype):
        return np.full(shape, self.value, dtype=_np_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomNormal(_Seeded):
    """Normal with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape, dtype):
        return self._rng().normal(self.mean, self.stddev, shape).astype(_np_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    """Uniform in ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def sample(self, shape, dtype):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(_np_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng, shape, stddev):
    """Normal samples redrawn until inside two standard deviations."""
    out = rng.normal(0.0, stddev, shape)
    bad = np.abs(out) > 2 * stddev
    while bad.any():
        out[bad] = rng.normal(0.0, stddev, int(bad.sum()))
        bad = np.abs(out) > 2 * stddev
    return out


class TruncatedNormal(_Seeded):
    """Normal truncated at two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape, dtype):
        out = self.mean + _truncated_normal(self._rng(), shape, self.stddev)
        return out.astype(_np_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def compute_fans(shape: tuple, input_axes=None, output_axes=None) -> tuple[float, float]:
    """Keras' fan-in/fan-out: dense (in, out); conv: receptive field * channels.

    With both ``input_axes`` and ``output_axes`` given, the fans are the products of those
    axes' sizes (Keras 3: for kernels such as EinsumDense's, whose layout is not (in, out)).
    """
    if input_axes is not None and output_axes is not None:
        return (float(math.prod(shape[a] for a in input_axes)),
                float(math.prod(shape[a] for a in output_axes)))
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class VarianceScaling(_Seeded):
    """Samples scaled by ``scale / n`` where n is fan_in, fan_out or their average.

    Args:
        scale: positive float.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: int or None.
        input_axes, output_axes: optional lists of axes whose sizes give fan_in and fan_out
            (both or neither; by default the last two axes, as for dense and conv kernels).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: scale must be positive; received {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be one of fan_in, fan_out, fan_avg; "
                             f"received {mode!r}")
        valid = ("truncated_normal", "untruncated_normal", "uniform")
        if distribution not in valid:
            raise ValueError(f"VarianceScaling: distribution must be one of {valid}; "
                             f"received {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def sample(self, shape, dtype):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            out = _truncated_normal(rng, shape, math.sqrt(variance) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            out = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(_np_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras' Dense default).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "Uniform in ±sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal with stddev sqrt(2 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in ±sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal with stddev sqrt(1 / fan_in).")


class Orthogonal(_Seeded):
    """A (scaled) random orthogonal matrix, via QR of a normal matrix (Keras' algorithm)."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def sample(self, shape, dtype):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of rank >= 2, received {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(_np_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """Identity matrix (times ``gain``) for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def sample(self, shape, dtype):
        if len(shape) != 2:
            raise ValueError(f"Identity: needs a 2-D shape, received {shape}")
        return (self.gain * np.eye(*shape)).astype(_np_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


# Keras 3's second names of the classes (lower-case names are what configs use).
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
identity = Identity
stft = STFT

_ALIASES = {name: obj for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, Initializer) and name != obj.__name__}


def get(identifier) -> Initializer:
    """Return an initializer from a name ("glorot_uniform"), a class name, a config dict or an instance."""
    if isinstance(identifier, Initializer) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, dict):
        cls = _lookup(identifier["class_name"])
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        return _lookup(identifier)()
    raise TypeError(f"initializers.get: expected a name, dict or Initializer, received {identifier!r}")


def deserialize(config, custom_objects=None) -> Initializer:
    """An initializer from its Keras 3 config or a name ("he_normal", "HeNormal")."""
    if isinstance(config, str):
        custom = (custom_objects or {}).get(config)
        return custom() if isinstance(custom, type) else custom or _lookup(config)()
    from mini_keras.saving import deserialize_keras_object
    return deserialize_keras_object(config, custom_objects=custom_objects)


def _lookup(name: str):
    by_class = {cls.__name__: cls for cls in _ALIASES.values()}
    cls = _ALIASES.get(name) or by_class.get(name)
    if cls is None:
        raise ValueError(f"Unknown initializer {name!r}. Valid names: {', '.join(sorted(_ALIASES))}")
    return cls


def serialize(initializer) -> dict:
    """Return ``{"class_name", "config"}`` for an initializer (Keras 3 schema, minus module)."""
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}
