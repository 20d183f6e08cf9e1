"""Small real data sets that ship offline.

:func:`digits_sequences`: scikit-learn's handwritten digits (1797 images of 8×8 pixels, values 0–16), read
row by row as a sequence of T = 8 steps with 8 features each, scaled to [0, 1]; a stratified, seeded
train/test split. (A recurrent net sees one pixel row per step and must remember the earlier rows.)
:func:`shuffle_rows` permutes the rows (time steps) of each sample independently, destroying their order.

``by="pixel"`` reads the same images one pixel per step (T = 64 steps, 1 feature, rows left to right, top to
bottom): the small cousin of "sequential MNIST". The network must now carry what it saw across up to 63 steps,
and only the order of the pixels tells it where a stroke is.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Split", "digits_sequences", "shuffle_rows"]


class Split(NamedTuple):
    x_train: np.ndarray   # (N_train, T, features)
    y_train: np.ndarray   # (N_train,) integer labels
    x_test: np.ndarray
    y_test: np.ndarray


def digits_sequences(test_size: float = 0.25, seed: int = 0, dtype=np.float64, by: str = "row") -> Split:
    """The digits as (N, 8, 8) sequences (time = image row), pixels / 16, split stratified by label.

    ``by="pixel"``: (N, 64, 1) sequences instead, one pixel per step in reading order.
    """
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as err:  # pragma: no cover - scikit-learn is in requirements.txt
        raise ImportError("digits_sequences needs scikit-learn: pip install scikit-learn") from err
    if by not in ("row", "pixel"):
        raise ValueError(f"by must be 'row' or 'pixel'; got {by!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1; got {test_size!r}")
    digits = load_digits()
    x = (digits.images / 16.0).astype(dtype)           # (1797, 8, 8): sample, row (time), column (feature)
    if by == "pixel":
        x = x.reshape(len(x), 64, 1)                    # (1797, 64, 1): one pixel per step
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    return Split(x_tr, y_tr, x_te, y_te)


def shuffle_rows(x, seed=None) -> np.ndarray:
    """A copy of ``x`` (N, T, features) with the T steps of every sample in their own random order (seeded).

    Each sample keeps the same rows (a bag of rows), only their order changes: a model that does well on the
    original order but not on this needs the order.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (samples, time, features); got shape {x.shape}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    order = np.argsort(rng.random(x.shape[:2]), axis=1)          # one random permutation per sample
    return np.take_along_axis(x, order[..., None], axis=1)
