"""Training: the one PyTorch loop every chapter uses, the NumPy optimisers and clipping of chapter 3, and the
experiments that run on top of them.

- :mod:`.loop`: :class:`SequenceModel`, :func:`train`, :func:`evaluate`, :class:`History`, :func:`torch_threads`;
- :mod:`.optim`, :mod:`.clipping`, :mod:`.classifier`: NumPy-only training (no torch needed);
- :mod:`.normalisation`: batch/layer normalisation between stacked GRUs;
- :mod:`.adding`: chapter 1's adding-problem experiment (``python -m gru_teach.training.adding``);
- :mod:`.baselines`: non-recurrent baselines (logistic regression on flattened or bagged rows).
- :mod:`.compare`, :mod:`.compare_report`: chapter 4's equal-budget comparison of the RNN, GRU and LSTM
  (``python -m gru_teach.training.compare``), its results table and plots.

The torch names are loaded on first use, so the NumPy parts import without torch.
"""
from __future__ import annotations

import importlib

_LAZY = {name: ".loop" for name in ("CELLS", "History", "SequenceModel", "evaluate", "torch_threads", "train")}
_LAZY.update({name: ".adding" for name in ("ADDING_HIDDEN", "adding_experiment", "adding_run")})

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
