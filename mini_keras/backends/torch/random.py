"""torch backend, the extra samplers: random_truncated_normal, random_categorical, random_randint,
random_shuffle."""

from __future__ import annotations

import torch

from mini_keras.backends.torch.core import (
    DEVICE,
    _float_dtype,
    _generator,
    _shape_tuple,
    convert_to_tensor,
    to_torch_dtype,
)


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``torch.nn.init.trunc_normal_`` at two standard deviations."""
    target = _float_dtype(dtype)
    out = torch.empty(_shape_tuple(shape), dtype=torch.float32, device=DEVICE)
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_generator(seed))
    return (out * stddev + mean).to(target)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``torch.multinomial`` of ``softmax(logits)`` with replacement."""
    probs = torch.softmax(convert_to_tensor(logits).float(), dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True,
                            generator=_generator(seed))
    return out.to(to_torch_dtype(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """``torch.randint`` in ``[minval, maxval)``."""
    return torch.randint(int(minval), int(maxval), _shape_tuple(shape), generator=_generator(seed),
                         device=DEVICE, dtype=to_torch_dtype(dtype))


def random_shuffle(x, axis=0, seed=None):
    """``index_select`` with a ``torch.randperm`` order."""
    x = convert_to_tensor(x)
    order = torch.randperm(x.shape[axis], generator=_generator(seed), device=DEVICE)
    return torch.index_select(x, axis, order)
