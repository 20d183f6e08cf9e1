"""Training: the one PyTorch loop every chapter uses, the NumPy optimisers and clipping of chapter 3, and the
experiments that run on top of them.

- :mod:`.loop`: :func:`train` (steps or epochs, validation, early stopping, schedulers, checkpoints),
  :func:`evaluate`, :func:`evaluate_on`, :class:`History`, :class:`EarlyStopping`, :func:`accuracy`,
  :class:`SequenceModel`, :func:`torch_threads`;
- :mod:`.device`: :func:`pick_device` (cuda → mps → cpu), :func:`seed_everything`;
- :mod:`.data`: :func:`make_loader`, :func:`as_dataset`, :func:`split_indices`, :func:`split_dataset`;
- :mod:`.checkpoint`: what a bit-for-bit resumable checkpoint holds;
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

_LAZY = {name: ".loop" for name in ("CELLS", "EarlyStopping", "History", "SequenceModel", "accuracy", "evaluate",
                                    "evaluate_on", "make_optimizer", "torch_threads", "train")}
_LAZY.update({name: ".device" for name in ("available_devices", "describe_device", "pick_device", "seed_everything")})
_LAZY.update({name: ".data" for name in ("as_dataset", "make_loader", "split_dataset", "split_indices")})
_LAZY.update({name: ".adding" for name in ("ADDING_HIDDEN", "adding_experiment", "adding_run")})

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
