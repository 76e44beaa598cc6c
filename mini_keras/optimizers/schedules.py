"""Learning-rate schedules (Keras 3 names and formulas): callables of the optimizer step.

They are called with the iteration tensor inside compiled train steps, so every formula is
written with ``mini_keras.ops`` and ``ops.where`` (no Python branching on the step's value).
"""

from __future__ import annotations

import math

from mini_keras import ops

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


def _step(step):
    return ops.cast(ops.convert_to_tensor(step), "float32")


def _check_decay_steps(name, decay_steps):
    if decay_steps <= 0:
        raise ValueError(f"{name}: `decay_steps` must be > 0, received decay_steps={decay_steps}")


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; pass an instance as ``learning_rate``."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override __call__(self, step).")

    def get_config(self) -> dict:
        """Constructor arguments."""
        raise NotImplementedError(f"{type(self).__name__} must override get_config().")

    @classmethod
    def from_config(cls, config):
        """Recreate from :meth:`get_config`."""
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per ``decay_rate`` factor.
        decay_rate: the decay factor.
        staircase: use ``floor(step / decay_steps)`` (discrete jumps).
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_decay_steps(name, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = ops.divide(_step(step), float(self.decay_steps))
        if self.staircase:
            p = ops.floor(p)
        return ops.multiply(float(self.initial_learning_rate),
                            ops.power(ops.convert_to_tensor(float(self.decay_rate)), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` in ``(boundaries[i-1],
    boundaries[i]]``, ``values[-1]`` after ``boundaries[-1]``.

    Args:
        boundaries: strictly increasing step boundaries.
        values: one more value than boundaries.
        name: the schedule's name.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"{name}: len(boundaries) must be len(values) - 1; received "
                             f"{len(boundaries)} boundaries and {len(values)} values.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        step = _step(step)
        result = ops.convert_to_tensor(float(self.values[-1]))
        # Walk from the last interval to the first so the lowest matching interval wins.
        for boundary, value in zip(reversed(self.boundaries), reversed(self.values[:-1])):
            result = ops.where(ops.less_equal(step, float(boundary)), float(value), result)
        return ops.cast(result, "float32")

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps to reach ``end_learning_rate``.
        end_learning_rate: the final rate.
        power: the polynomial's power.
        cycle: restart after ``decay_steps`` using the next multiple of ``decay_steps``.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_decay_steps(name, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = (
            end_learning_rate, power, cycle, name)

    def __call__(self, step):
        step = _step(step)
        decay_steps = ops.convert_to_tensor(float(self.decay_steps))
        if self.cycle:
            multiplier = ops.where(ops.equal(step, 0.0), 1.0,
                                   ops.ceil(ops.divide(step, float(self.decay_steps))))
            decay_steps = ops.multiply(decay_steps, multiplier)
        else:
            step = ops.minimum(step, decay_steps)
        p = ops.divide(step, decay_steps)
        span = float(self.initial_learning_rate) - float(self.end_learning_rate)
        return ops.add(ops.multiply(span, ops.power(ops.subtract(1.0, p), float(self.power))),
                       float(self.end_learning_rate))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive step scale.
        decay_rate: the decay rate.
        staircase: use ``floor(step / decay_steps)``.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_decay_steps(name, decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        p = ops.divide(_step(step), float(self.decay_steps))
        if self.staircase:
            p = ops.floor(p)
        return ops.divide(float(self.initial_learning_rate),
                          ops.add(1.0, ops.multiply(float(self.decay_rate), p)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay to ``alpha`` times the peak rate.

    Warmup (``step < warmup_steps``): ``initial + (warmup_target - initial) * step /
    warmup_steps``. Decay over ``decay_steps``: ``peak * ((1 - alpha) * 0.5 * (1 + cos(pi *
    s / decay_steps)) + alpha)`` where ``peak`` is ``warmup_target`` (or the initial rate).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of decay steps.
        alpha: final rate as a fraction of the peak rate.
        name: the schedule's name.
        warmup_target: peak rate after warmup; None skips warmup.
        warmup_steps: number of warmup steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_decay_steps(name, decay_steps)
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate, decay_steps, alpha)
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, peak):
        fraction = ops.divide(step, float(self.decay_steps))
        cosine = ops.multiply(0.5, ops.add(1.0, ops.cos(ops.multiply(math.pi, fraction))))
        return ops.multiply(peak, ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha))

    def __call__(self, step):
        step = _step(step)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(ops.minimum(step, float(self.decay_steps)), initial)
        target, warmup_steps = float(self.warmup_target), float(self.warmup_steps)
        step = ops.minimum(step, float(self.decay_steps) + warmup_steps)
        # max(warmup_steps, 1) keeps the unused warmup branch finite when warmup_steps == 0.
        warm = ops.add(ops.multiply(target - initial,
                                    ops.divide(step, max(warmup_steps, 1.0))), initial)
        decayed = self._decay(ops.subtract(step, warmup_steps), target)
        return ops.where(ops.less(step, warmup_steps), warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2016).

    The first period lasts ``first_decay_steps``; each next one ``t_mul`` times longer and
    starting ``m_mul`` times lower; within a period the rate decays as in :class:`CosineDecay`.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: length of the first period (> 0).
        t_mul: growth of the period length.
        m_mul: decay of the restart rate.
        alpha: final rate of a period as a fraction of its start.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError(f"{name}: `first_decay_steps` must be > 0, received "
                             f"first_decay_steps={first_decay_steps}")
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = ops.divide(_step(step), float(self.first_decay_steps))
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            restart = ops.floor(fraction)
            fraction = ops.subtract(fraction, restart)
        else:
            restart = ops.floor(ops.divide(ops.log(ops.subtract(1.0, ops.multiply(
                fraction, 1.0 - t_mul))), math.log(t_mul)))
            done = ops.divide(ops.subtract(1.0, ops.power(t_mul, restart)), 1.0 - t_mul)
            fraction = ops.divide(ops.subtract(fraction, done), ops.power(t_mul, restart))
        cosine = ops.multiply(ops.multiply(0.5, ops.power(float(self._m_mul), restart)),
                              ops.add(1.0, ops.cos(ops.multiply(math.pi, fraction))))
        decayed = ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha)
        return ops.multiply(float(self.initial_learning_rate), decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


def serialize(learning_rate_schedule) -> dict:
    """The Keras 3 config of a schedule."""
    from mini_keras.saving import module_serialization
    return module_serialization.serialize(learning_rate_schedule)


def deserialize(config, custom_objects=None) -> LearningRateSchedule:
    """A schedule from its Keras 3 config or its class name."""
    from mini_keras.saving import module_serialization
    classes = {cls.__name__: cls for cls in LearningRateSchedule.__subclasses__()}
    return module_serialization.deserialize(config, classes, "learning rate schedule",
                                            custom_objects)
