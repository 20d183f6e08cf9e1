"""A small, reusable PyTorch training loop for sequence models, with optional gradient-norm clipping.

One step of :func:`train`::

    x, y  = next batch                     (a callable data(step), an iterable, or fixed tensors)
    loss  = loss_fn(model(x), y)
    g     = ∇_θ loss                        (backpropagation through time, by autograd)
    ‖g‖   = sqrt(Σ_k ‖g_k‖²)               recorded every step, *before* clipping
    if clip and ‖g‖ > clip:  g ← g · clip / ‖g‖     (torch.nn.utils.clip_grad_norm_; Pascanu et al., 2013)
    θ     ← optimizer.step()

The loop records the loss and the gradient norm of every step and stops early, flagging ``diverged``, when the
loss or the gradient becomes NaN or infinite. :class:`SequenceModel` is a recurrent layer (``nn.RNN``,
``nn.GRU`` or ``nn.LSTM``) with a linear read-out of the last state (sequence → value/class) or of every state
(sequence → sequence).
"""
from __future__ import annotations

import math
import contextlib
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn


CELLS = ("RNN", "GRU", "LSTM")


class SequenceModel(nn.Module):
    """Recurrent layer + linear read-out.

    ``readout="last"``: y = W_o h_T + b_o, shape (batch, output_size).
    ``readout="all"``:  y_t = W_o h_t + b_o, shape (batch, time, output_size).
    Integer inputs (token ids) are one-hot encoded to ``input_size`` features.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *, cell: str = "GRU",
                 nonlinearity: str = "tanh", readout: str = "last"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}; got {cell!r}")
        if readout not in ("last", "all"):
            raise ValueError(f"readout must be 'last' or 'all'; got {readout!r}")
        kwargs = {"nonlinearity": nonlinearity} if cell == "RNN" else {}
        self.cell, self.readout, self.input_size = cell, readout, input_size
        self.rnn = getattr(nn, cell)(input_size, hidden_size, batch_first=True, **kwargs)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        if not torch.is_floating_point(x):
            x = nn.functional.one_hot(x.long(), self.input_size).to(self.out.weight.dtype)
        states, _ = self.rnn(x)
        return self.out(states[:, -1] if self.readout == "last" else states)


@dataclass
class History:
    """What :func:`train` recorded: per-step loss and gradient norm (before clipping), and how it ended."""

    loss: np.ndarray
    grad_norm: np.ndarray
    clip: float | None = None
    diverged: bool = False
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return len(self.loss)

    def final_loss(self, last: int = 20) -> float:
        """Mean training loss over the last ``last`` steps (NaN-aware: inf/NaN if it diverged)."""
        return float(np.mean(self.loss[-last:])) if self.steps else math.nan


def _to_tensor(a, like: torch.Tensor):
    t = torch.as_tensor(a)
    if torch.is_floating_point(t):
        t = t.to(like.dtype)
    return t.to(like.device)


def _batches(data):
    """Normalise ``data`` into a function step -> (x, y)."""
    if callable(data):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2 and not callable(data[0]):
        return lambda step: data
    iterator = iter(data)
    return lambda step: next(iterator)


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``torch.set_num_threads(n)`` and restore the previous value afterwards (None: no change).

    Why the book uses it: the chapters train small recurrent models (H ≈ 16–32) step by step. Their matrix
    products are far too small to gain from splitting across threads, so one thread is as fast; on a busy
    machine (a 2-core CI runner, or a book build executing other notebooks) a second intra-op thread competes for
    the cores and can make each step many times slower. The setting is global in torch, so it is changed only
    inside the block and restored afterwards: code outside the block keeps the reader's own thread setting.
    """
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train(model: nn.Module, data, loss_fn, optimizer, steps: int, *, clip: float | None = None,
          stop_on_nonfinite: bool = True, threads: int | None = None) -> History:
    """Train ``model`` for ``steps`` optimizer steps; return a :class:`History`.

    data: ``data(step) -> (x, y)``, an iterable of ``(x, y)``, or one fixed ``(x, y)`` (full-batch training);
    arrays may be NumPy or torch (float arrays are cast to the model's dtype). ``clip``: max global gradient
    norm, or None for no clipping. ``threads``: torch intra-op threads during training, set with
    :func:`torch_threads` and restored afterwards (1 is fastest for small models; None leaves torch's setting).
    """
    if steps < 0:
        raise ValueError(f"steps must be ≥ 0; got {steps}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be positive or None; got {clip!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters")
    get = _batches(data)
    losses, norms = [], []
    t0 = time.perf_counter()
    model.train()
    with torch_threads(threads):
        _loop(model, get, loss_fn, optimizer, steps, clip, params, stop_on_nonfinite, losses, norms)
    losses, norms = np.array(losses), np.array(norms)
    diverged = not (np.all(np.isfinite(losses)) and np.all(np.isfinite(norms)))
    return History(losses, norms, clip, diverged, time.perf_counter() - t0)


def _loop(model, get, loss_fn, optimizer, steps, clip, params, stop_on_nonfinite, losses, norms):
    for step in range(steps):
        x, y = get(step)
        x, y = _to_tensor(x, params[0]), _to_tensor(y, params[0])
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is None:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params
                                                         if p.grad is not None]))
        else:
            norm = nn.utils.clip_grad_norm_(params, clip)
        losses.append(float(loss.detach()))
        norms.append(float(norm))
        if stop_on_nonfinite and not (math.isfinite(losses[-1]) and math.isfinite(norms[-1])):
            break
        optimizer.step()


@torch.no_grad()
def evaluate(model: nn.Module, x, y, loss_fn) -> float:
    """``loss_fn(model(x), y)`` without gradients, in eval mode, as a float."""
    p = next(model.parameters())
    model.eval()
    value = float(loss_fn(model(_to_tensor(x, p)), _to_tensor(y, p)))
    model.train()
    return value
