"""The output shape of the contract's ``bitcast``, shared by the backends whose native bitcast
(numpy/torch/mlx ``view``) changes the last axis instead of adding or removing one."""

from __future__ import annotations


def bitcast_shape(shape, old: int, new: int) -> tuple:
    """The shape ``bitcast`` gives from items of ``old`` bytes to items of ``new`` bytes.

    Raises:
        ValueError: combining items needs a last axis of size ``new // old``.
    """
    if old == new:
        return tuple(shape)
    if old > new:
        return (*shape, old // new)
    if not shape or shape[-1] != new // old:
        raise ValueError(f"bitcast: the last axis must have size {new // old} to combine items "
                         f"of {old} bytes into {new}, received shape {tuple(shape)}.")
    return tuple(shape[:-1])
