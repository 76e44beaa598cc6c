"""The base optimizer's step options, as Keras 3: gradient accumulation and an exponential
moving average (EMA) of the variables.

Whether a call of ``apply`` is an update step is a tensor (it depends on the iteration
counter), so the choice is made with ``where``, not a Python ``if``: the same code runs
eagerly, in ``tf.function`` and in ``jax.jit``.
"""

from __future__ import annotations

from mini_keras import ops


def check_step_options(owner: str, use_ema, ema_momentum, ema_overwrite_frequency,
                       gradient_accumulation_steps) -> None:
    """Refuse values Keras 3 refuses, naming the optimizer and the argument."""
    if gradient_accumulation_steps and not (isinstance(gradient_accumulation_steps, int)
                                            and gradient_accumulation_steps >= 2):
        raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an integer >= 2. "
                         f"Received: gradient_accumulation_steps={gradient_accumulation_steps}")
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"{owner}: `ema_momentum` must be in the range [0, 1]. "
                             f"Received: ema_momentum={ema_momentum}")
        if ema_overwrite_frequency is not None and not (
                isinstance(ema_overwrite_frequency, int) and ema_overwrite_frequency >= 1):
            raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an integer >= 1 or "
                             f"None. Received: ema_overwrite_frequency={ema_overwrite_frequency}")


def accumulate_and_update(optimizer, grads, variables) -> None:
    """Add ``grads`` to the accumulators; on every ``gradient_accumulation_steps``-th call,
    update ``variables`` with the accumulated mean and zero the accumulators."""
    steps = optimizer.gradient_accumulation_steps
    is_update = ops.equal(ops.mod(ops.add(optimizer._iterations.value, 1), steps), 0)
    accumulators = [optimizer.slot("gradient_accumulator", v) for v in variables]
    summed = [ops.add(g, a.value) for g, a in zip(grads, accumulators)]
    own = [optimizer._iterations, *accumulators]
    watched = list(variables) + [v for v in optimizer.variables if not any(v is o for o in own)]
    before = [ops.copy(v.value) for v in watched]  # a torch/TF update may be in place
    optimizer._update([ops.divide(s, steps) for s in summed], variables)
    for variable, old in zip(watched, before):
        variable.assign(ops.where(is_update, variable.value, old))
    for accumulator, total in zip(accumulators, summed):
        accumulator.assign(ops.where(is_update, ops.zeros_like(total), total))


def update_moving_averages(optimizer, variables) -> None:
    """``average = m * average + (1 - m) * variable`` (``m = 0`` at the first update), then,
    every ``ema_overwrite_frequency`` updates, write the averages into the variables."""
    momentum = ops.where(ops.equal(optimizer._update_count(), 0), 0.0, optimizer.ema_momentum)
    for v in variables:
        average = optimizer.slot("average", v)
        m = ops.cast(momentum, v.dtype)
        average.assign(ops.add(ops.multiply(m, average.value),
                               ops.multiply(ops.subtract(1.0, m), v.value)))
    frequency = optimizer.ema_overwrite_frequency
    if frequency:
        due = ops.equal(ops.mod(ops.add(optimizer._update_count(), 1), frequency), 0)
        for v in variables:
            v.assign(ops.where(due, optimizer.slot("average", v).value, v.value))


def overwrite_with_averages(optimizer, variables) -> None:
    """Write each variable's moving average into it (the end of ``fit`` with ``use_ema``)."""
    for v in variables:
        v.assign(optimizer.slot("average", v).value)
