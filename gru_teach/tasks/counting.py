"""Counting languages: aⁿbⁿ and aⁿbⁿcⁿ as next-symbol prediction (generated, never downloaded).

Recognising aⁿbⁿ needs a counter: count up on the a's, down on the b's. The task is posed as in Gers &
Schmidhuber (2001), Weiss, Goldberg & Yahav (2018) and Suzgun, Belinkov & Shieber (2019): the network reads a
string of the language one symbol at a time and, after every symbol, predicts the **set** of symbols that may come
next (a multi-hot target over the letters plus an end marker)::

    input   a      a      a      b      b      b
    target  {a,b}  {a,b}  {a,b}  {b}    {b}    {end}          (n = 3, two letters)

While reading a's, another a or the first b may follow; once the b's start, the rest is determined, and only a
model that counted the a's can say when the string ends. For aⁿbⁿcⁿ the n-th b is followed by {c} and the n-th c
by {end}. A string counts as correct when **every** prediction, thresholded at 0.5, equals its target set.

Symbols are integers: letter k is k (a = 0, b = 1, c = 2); target columns are the letters, then ``end``.
Batches of different n are padded at the end (inputs with the last letter, targets with −1, which
:func:`correct_strings` and a masked loss ignore); a recurrent network reads left to right, so padding after a
string cannot change its predictions.
"""
from __future__ import annotations

import numpy as np

from .synthetic import _check_positive_int, _rng

LETTERS = "abc"
PAD = -1.0


def _check_letters(letters):
    if letters not in (2, 3):
        raise ValueError(f"letters must be 2 (aⁿbⁿ) or 3 (aⁿbⁿcⁿ); got {letters!r}")
    return letters


def counting_string(n: int, letters: int = 2) -> str:
    """The string aⁿbⁿ (or aⁿbⁿcⁿ with ``letters=3``) as text, e.g. ``counting_string(2) == "aabb"``."""
    n = _check_positive_int(n, "n")
    return "".join(ch * n for ch in LETTERS[:_check_letters(letters)])


def next_symbol_targets(n: int, letters: int = 2) -> np.ndarray:
    """The multi-hot targets of one string, shape (letters · n, letters + 1).

    Row t holds the symbols allowed after the first t + 1 inputs.
    """
    n, letters = _check_positive_int(n, "n"), _check_letters(letters)
    y = np.zeros((letters * n, letters + 1))
    y[:n, 0] = y[:n, 1] = 1.0                       # after an a: another a, or the first b
    for k in range(1, letters):                     # the k-th block (b's, then c's): determined by n
        rows = slice(k * n, (k + 1) * n - 1)
        y[rows, k] = 1.0                            # more of the same letter ...
        y[(k + 1) * n - 1, k + 1] = 1.0             # ... then the next letter, or end after the last block
    return y


def counting_batch(ns, letters: int = 2, dtype=np.float32):
    """Strings for the given values of n, padded to the longest: ``x`` (B, L) int64, ``y`` (B, L, letters + 1).

    Padded target rows are −1 (ignored by :func:`correct_strings` and by a masked loss).
    """
    letters = _check_letters(letters)
    ns = np.atleast_1d(np.asarray(ns))
    if ns.ndim != 1 or ns.size == 0 or not np.issubdtype(ns.dtype, np.integer) or ns.min() < 1:
        raise ValueError(f"ns must be a non-empty list of integers ≥ 1; got {ns!r}")
    L = letters * int(ns.max())
    x = np.full((ns.size, L), letters - 1, dtype=np.int64)
    y = np.full((ns.size, L, letters + 1), PAD, dtype=dtype)
    for row, n in enumerate(ns):
        n = int(n)
        x[row, :letters * n] = np.repeat(np.arange(letters), n)
        y[row, :letters * n] = next_symbol_targets(n, letters)
    return x, y


def counting_task(batch: int, n_max: int, seed=None, *, n_min: int = 1, letters: int = 2, dtype=np.float32):
    """A training batch: n drawn uniformly from [n_min, n_max] for each string, then :func:`counting_batch`."""
    batch, n_max = _check_positive_int(batch, "batch"), _check_positive_int(n_max, "n_max")
    n_min = _check_positive_int(n_min, "n_min")
    if n_min > n_max:
        raise ValueError(f"n_min must be ≤ n_max; got n_min={n_min}, n_max={n_max}")
    ns = _rng(seed).integers(n_min, n_max + 1, batch)
    return counting_batch(ns, letters, dtype)


def correct_strings(probabilities, y) -> np.ndarray:
    """One bool per string: every (unpadded) prediction p > 0.5 equals its target set.

    ``probabilities``: (B, L, K) in [0, 1] (the sigmoid of the logits); ``y``: the targets of
    :func:`counting_batch` (−1 where padded).
    """
    p, y = np.asarray(probabilities, dtype=float), np.asarray(y, dtype=float)
    if p.shape != y.shape:
        raise ValueError(f"probabilities must have the targets' shape {y.shape}; got {p.shape}")
    ok = ((p > 0.5) == (y > 0.5)) | (y < 0)
    return ok.all(axis=(1, 2))


def generalisation_limit(correct_by_n) -> int:
    """The largest n such that the strings for 1, 2, …, n are all correct (0 if n = 1 already fails).

    ``correct_by_n``: a sequence of bools for n = 1, 2, 3, …
    """
    correct = np.asarray(correct_by_n, dtype=bool)
    wrong = np.flatnonzero(~correct)
    return int(wrong[0]) if wrong.size else int(correct.size)
