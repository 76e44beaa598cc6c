"""``compile(steps_per_execution=N)``: group a data iterator's steps into executions.

Keras 3 runs N steps per execution and calls the batch-level callbacks once per execution:
``on_*_batch_begin`` with the index of the execution's first step, ``on_*_batch_end`` with
``first + N - 1`` (also for a last, partial execution) and the logs after its last step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def check_steps_per_execution(value) -> int:
    """``value`` if it is a positive int, else a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("compile(steps_per_execution=...): expected a positive integer, "
                         f"received steps_per_execution={value!r}")
    return value


def executions(steps: Iterable, steps_per_execution: int) -> Iterator[tuple[int, int, list]]:
    """Yield ``(begin_step, end_step, batches)`` for each group of ``steps_per_execution``
    ``(step, batch)`` pairs of ``steps``; the last group may hold fewer batches."""
    group: list = []
    begin = 0
    for step, batch in steps:
        if not group:
            begin = step
        group.append(batch)
        if len(group) == steps_per_execution:
            yield begin, begin + steps_per_execution - 1, group
            group = []
    if group:
        yield begin, begin + steps_per_execution - 1, group
