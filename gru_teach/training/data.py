"""From arrays to batches on the device: datasets, seeded data loaders, splits and host → device copies.

A batch is ``(inputs, target)``; ``inputs`` is one tensor, or a tuple of tensors that the model receives as
separate arguments (``model(*inputs)``), e.g. padded token ids and their lengths for ``pack_padded_sequence``.

:func:`make_loader` builds a :class:`torch.utils.data.DataLoader` whose shuffling comes from its *own* seeded
``torch.Generator`` (so the order of the batches does not depend on what else used torch's global generator, and a
checkpoint can store and restore it), with pinned host memory when the batches go to a CUDA GPU (the copy can then
run asynchronously, ``non_blocking=True``).
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset


def as_dataset(x, y) -> TensorDataset:
    """A :class:`~torch.utils.data.TensorDataset` of ``x`` and ``y`` (NumPy or torch; float64 becomes float32)."""
    tensors = []
    for name, a in (("x", x), ("y", y)):
        t = torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a)
        if t.dtype == torch.float64:
            t = t.float()
        if t.ndim == 0:
            raise ValueError(f"{name} must have a first (sample) dimension; got a scalar")
        tensors.append(t)
    if len(tensors[0]) != len(tensors[1]):
        x_t, y_t = tensors
        raise ValueError(f"x and y must hold the same number of samples; got x with {len(x_t)} "
                         f"(shape {tuple(x_t.shape)}) and y with {len(y_t)} (shape {tuple(y_t.shape)})")
    return TensorDataset(*tensors)


def make_loader(dataset: Dataset, batch_size: int, *, shuffle: bool = True, seed: int = 0, device=None,
                collate_fn=None, drop_last: bool = False, sampler=None, num_workers: int = 0) -> DataLoader:
    """A DataLoader over ``dataset`` with a seeded generator of its own and pinned memory for CUDA.

    ``sampler``: e.g. a :class:`torch.utils.data.distributed.DistributedSampler` (then ``shuffle`` is the sampler's
    business and must not be passed here as True). ``device``: where the batches will go (only decides
    ``pin_memory``).
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    try:
        n = len(dataset)
    except TypeError:
        raise TypeError(f"make_loader needs a map-style dataset with a length; got {type(dataset).__name__}") from None
    if n == 0:
        raise ValueError("the dataset is empty (0 samples): nothing to load")
    if sampler is not None and shuffle:
        shuffle = False   # the sampler decides the order (DistributedSampler shuffles by itself)
    pin = device is not None and torch.device(device).type == "cuda"
    generator = torch.Generator().manual_seed(int(seed))
    return DataLoader(dataset, batch_size=int(batch_size), shuffle=shuffle, sampler=sampler, generator=generator,
                      collate_fn=collate_fn, drop_last=drop_last, pin_memory=pin, num_workers=num_workers)


def split_indices(n: int, fractions=(0.8, 0.1, 0.1), *, shuffle: bool = True, seed: int = 0) -> list[np.ndarray]:
    """Indices of a train/validation/test split of ``n`` samples (shuffled with ``seed``, or in order when
    ``shuffle=False``, which is the split a time series needs). The last part takes the rounding remainder."""
    fractions = tuple(float(f) for f in fractions)
    if n < len(fractions):
        raise ValueError(f"cannot split {n} samples into {len(fractions)} non-empty parts")
    if any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1; got {fractions}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    cuts = np.round(np.cumsum(fractions)[:-1] * n).astype(int)
    parts = np.split(order, cuts)
    if any(len(p) == 0 for p in parts):
        raise ValueError(f"a part of the split is empty: {n} samples, fractions {fractions}")
    return parts


def split_dataset(dataset: Dataset, fractions=(0.8, 0.1, 0.1), *, shuffle: bool = True, seed: int = 0):
    """:class:`~torch.utils.data.Subset` views of ``dataset`` for :func:`split_indices`."""
    return [Subset(dataset, idx.tolist()) for idx in split_indices(len(dataset), fractions, shuffle=shuffle,
                                                                   seed=seed)]


def to_device(batch, device: torch.device, non_blocking: bool = False):
    """``batch`` (a tensor, or nested tuples/lists/dicts of tensors) copied to ``device``; other objects unchanged.

    ``non_blocking=True`` lets a copy from pinned host memory to a CUDA GPU overlap with computation.
    """
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=non_blocking)
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(b, device, non_blocking) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device, non_blocking) for k, v in batch.items()}
    return batch


def batch_size_of(target) -> int:
    """Number of samples in a batch, from its target (first dimension)."""
    if isinstance(target, torch.Tensor) and target.ndim > 0:
        return int(target.shape[0])
    if isinstance(target, (tuple, list)) and target:
        return batch_size_of(target[0])
    raise ValueError(f"cannot tell the batch size from a target of type {type(target).__name__}; "
                     "a batch must be (inputs, target) with a target tensor of shape (batch, ...)")
