"""Synthetic long-dependency tasks (generated, never downloaded) and their trivial baselines.

**Adding problem** (Hochreiter & Schmidhuber, 1997; the two-marker form used by Arjovsky et al., 2016).
Each input step carries two numbers: a value v_t ~ U[0, 1] and a marker m_t ∈ {0, 1}. Exactly two steps are
marked, one in the first half and one in the second half of the sequence; the target is the sum of the two
marked values::

    x_t = (v_t, m_t),    y = Σ_t m_t v_t = v_i + v_j

A model that ignores the input and predicts a constant c has

    E[(y − c)²] = Var(y) + (E[y] − c)² = 2 · (1/12) + (1 − c)²,

which is smallest for c = E[y] = 1: the baseline MSE is 1/6 ≈ 0.167.

Beating 1/6 does *not* require a long memory. Let i < T/2 ≤ j be the two marked steps (0-based). The second
value v_j lies at most ⌈T/2⌉ − 1 steps before the end (T/4 on average). A model that remembers v_j but not v_i
can do no better than E[y | v_j] = v_j + 1/2, because v_i is independent of everything it saw: its MSE is
Var(v_i) = 1/12 ≈ 0.083 (:func:`adding_short_memory_mse`). Getting below 1/12 needs v_i, which must be carried
from step i to the end, across at least ⌈T/2⌉ further steps.

**Copy memory** (Hochreiter & Schmidhuber, 1997; the form of Arjovsky et al., 2016). Input of length T + 20:
10 symbols drawn from {1, …, 8}, then T − 1 blanks (0), a delimiter 9, and 10 more blanks. The target is
T + 10 blanks followed by the 10 symbols. A memoryless model that outputs blank for T + 10 steps and a uniform
guess over the 8 symbols for the last 10 has mean cross-entropy 10 ln 8 / (T + 20).
"""
from __future__ import annotations

import math

import numpy as np


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


def adding_problem(batch: int, T: int, seed=None, dtype=np.float32):
    """A batch of the adding problem: ``x`` (batch, T, 2) = (value, marker), ``y`` (batch, 1) = sum of marked values.

    One marker lies uniformly in steps [0, T//2), the other in [T//2, T).
    """
    batch, T = _check_positive_int(batch, "batch"), _check_positive_int(T, "T", 2)
    rng = _rng(seed)
    values = rng.uniform(0.0, 1.0, (batch, T))
    markers = np.zeros((batch, T))
    rows = np.arange(batch)
    markers[rows, rng.integers(0, T // 2, batch)] = 1.0
    markers[rows, rng.integers(T // 2, T, batch)] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values * markers).sum(axis=1, keepdims=True).astype(dtype)
    return x, y


def adding_constant_mse(c: float = 1.0) -> float:
    """Expected MSE of always predicting ``c`` on the adding problem: 1/6 + (1 − c)²."""
    return 2.0 / 12.0 + (1.0 - float(c)) ** 2


def adding_baseline_mse() -> float:
    """The best input-ignoring predictor (c = 1) has MSE Var(v_i + v_j) = 2/12 = 1/6."""
    return adding_constant_mse(1.0)


def adding_short_memory_mse() -> float:
    """The best predictor that does not know the first marked value v_i: v_j + 1/2, with MSE Var(v_i) = 1/12."""
    return 1.0 / 12.0


def copy_memory(batch: int, T: int, seed=None, n_symbols: int = 8, copy_len: int = 10):
    """A batch of the copy-memory task: integer ``x``, ``y`` of shape (batch, T + 2·copy_len).

    Symbols are 1..n_symbols, 0 is blank, n_symbols + 1 is the delimiter (so there are n_symbols + 2 classes).
    """
    batch, T = _check_positive_int(batch, "batch"), _check_positive_int(T, "T")
    n_symbols, copy_len = _check_positive_int(n_symbols, "n_symbols"), _check_positive_int(copy_len, "copy_len")
    rng = _rng(seed)
    L = T + 2 * copy_len
    symbols = rng.integers(1, n_symbols + 1, (batch, copy_len))
    x = np.zeros((batch, L), dtype=np.int64)
    y = np.zeros((batch, L), dtype=np.int64)
    x[:, :copy_len] = symbols
    x[:, T + copy_len - 1] = n_symbols + 1
    y[:, -copy_len:] = symbols
    return x, y


def copy_memory_baseline(T: int, n_symbols: int = 8, copy_len: int = 10) -> float:
    """Mean cross-entropy (nats per step) of the memoryless strategy: copy_len · ln(n_symbols) / (T + 2·copy_len)."""
    return copy_len * math.log(n_symbols) / (T + 2 * copy_len)
