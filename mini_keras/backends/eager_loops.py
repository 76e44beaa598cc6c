"""Control flow for the eager backends (numpy, torch): plain Python loops, written once."""

from __future__ import annotations


def while_loop(cond, body, loop_vars, maximum_iterations=None, truth=bool):
    """Python ``while`` loop (at most ``maximum_iterations`` steps).

    ``truth`` turns ``cond``'s result (a backend scalar) into a Python bool.
    """
    is_seq = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_seq else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and truth(cond(*state)):
        out = body(*state)
        state = tuple(out) if is_seq else (out,)
        steps += 1
    return type(loop_vars)(state) if is_seq else state[0]
