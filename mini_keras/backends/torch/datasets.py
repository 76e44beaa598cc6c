"""``torch.utils.data`` builders for ``keras.utils.split_dataset`` (``preferred_backend="torch"``).

``mini_keras.utils`` computes the split sizes; this only speaks torch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset, random_split


def is_dataset(value) -> bool:
    """True for a ``torch.utils.data.Dataset``."""
    return isinstance(value, Dataset)


def split(dataset, left_size: int, right_size: int, shuffle: bool, seed):
    """``random_split`` of ``dataset`` (a torch Dataset, or a numpy array / tuple of arrays,
    wrapped in a ``TensorDataset``) into ``left_size`` and ``right_size`` samples.

    Without ``shuffle`` the left split is the first ``left_size`` samples and the right split
    the last ``right_size`` (as the tf.data path; Keras 3's torch path shuffles anyway)."""
    if not isinstance(dataset, Dataset):
        arrays = [dataset] if isinstance(dataset, np.ndarray) else list(dataset)
        dataset = TensorDataset(*[torch.from_numpy(np.asarray(a)) for a in arrays])
    if not shuffle:
        total = len(dataset)
        return (Subset(dataset, range(left_size)),
                Subset(dataset, range(total - right_size, total)))
    generator = torch.Generator()
    if seed is not None:
        generator.manual_seed(seed)
    else:
        generator.seed()
    if left_size + right_size < len(dataset):  # random_split needs every sample placed
        dropped = len(dataset) - left_size - right_size
        left, _, right = random_split(dataset, [left_size, dropped, right_size],
                                      generator=generator)
        return left, right
    left, right = random_split(dataset, [left_size, right_size], generator=generator)
    return left, right
