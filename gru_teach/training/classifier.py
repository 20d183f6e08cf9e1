"""A sequence classifier in NumPy: GRU → linear readout of the last state → softmax cross-entropy.

Forward, for a batch of N sequences x (N, T, I) with labels y ∈ {0, …, C−1}::

    h_T = GRU(x)                          (N, H)     the last hidden state
    s   = h_T W_outᵀ + b_out              (N, C)     logits
    p   = softmax(s)                      (N, C)     p_k = e^{s_k} / Σ_j e^{s_j}
    L   = −(1/N) Σ_i log p_{i, y_i}                  mean cross-entropy

Backward::

    ∂L/∂s = (p − onehot(y)) / N           ∂L/∂W_out = (∂L/∂s)ᵀ h_T      ∂L/∂b_out = Σ_i ∂L/∂s_i
    ∂L/∂h_T = (∂L/∂s) W_out               → GRU.backward(None, ∂L/∂h_T)  (backprop through time)
"""
from __future__ import annotations

import numpy as np

from ..bench.cpu import limit_blas_threads
from ..cells.gru import GRU
from .optim import Adam

__all__ = ["softmax_cross_entropy", "GRUClassifier", "train"]


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of ``logits`` (N, C) for integer labels ``y`` (N,).

    Returns ``(loss, dlogits)``.
    """
    s = logits - logits.max(axis=1, keepdims=True)   # stable; softmax unchanged
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    N = len(y)
    loss = -log_p[np.arange(N), y].mean()
    d = np.exp(log_p)                                   # p
    d[np.arange(N), y] -= 1                             # p − onehot(y)
    return float(loss), d / N


class GRUClassifier:
    """GRU layer + linear readout of h_T. Parameters: ``gru.weight_ih`` … ``gru.bias_hh``, ``out.weight``, ``out.bias``."""

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, *, seed=None, dtype=np.float64):
        rng = np.random.default_rng(seed)
        self.gru = GRU(input_size, hidden_size, dtype=dtype, seed=rng)
        k = 1.0 / np.sqrt(hidden_size)                  # torch.nn.Linear's initialisation range
        self.out_weight = rng.uniform(-k, k, (num_classes, hidden_size)).astype(dtype)
        self.out_bias = rng.uniform(-k, k, num_classes).astype(dtype)

    def parameters(self) -> dict[str, np.ndarray]:
        """All parameter arrays (the arrays themselves), keyed by name."""
        params = {f"gru.{k}": v for k, v in self.gru.parameters().items()}
        params.update({"out.weight": self.out_weight, "out.bias": self.out_bias})
        return params

    @property
    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters().values())

    def logits(self, x) -> np.ndarray:
        _, h_last = self.gru.forward(x)
        self._h_last = h_last
        return h_last @ self.out_weight.T + self.out_bias

    def loss_and_grads(self, x, y):
        """Forward and backward on one batch: ``(loss, {name: gradient})``."""
        loss, d_logits = softmax_cross_entropy(self.logits(x), y)
        grads = {"out.weight": d_logits.T @ self._h_last,
                 "out.bias": d_logits.sum(axis=0)}
        # only h_T feeds the loss: no d_outputs, d_last = ∂L/∂h_T
        self.gru.backward(None, d_logits @ self.out_weight)
        grads.update({f"gru.{k}": v for k, v in self.gru.grads.items()})
        return loss, grads

    def predict(self, x) -> np.ndarray:
        return self.logits(x).argmax(axis=1)

    def accuracy(self, x, y) -> float:
        return float(np.mean(self.predict(x) == y))


def train(model: GRUClassifier, x, y, *, epochs: int = 30, batch_size: int = 32, optimizer=None, seed: int = 0,
          x_val=None, y_val=None) -> dict:
    """Mini-batch training (Adam, lr 0.01, unless ``optimizer`` is given). Returns the history:
    ``{"loss": mean training loss per epoch, "val_accuracy": per epoch (when x_val is given)}``."""
    rng = np.random.default_rng(seed)
    opt = optimizer if optimizer is not None else Adam(model.parameters(), lr=0.01)
    history = {"loss": [], "val_accuracy": []}
    with limit_blas_threads(1):                         # tiny matrix products: BLAS threads only add overhead
        for _ in range(epochs):
            order, losses = rng.permutation(len(y)), []
            for start in range(0, len(y), batch_size):
                idx = order[start:start + batch_size]
                loss, grads = model.loss_and_grads(x[idx], y[idx])
                opt.step(grads)
                losses.append(loss)
            history["loss"].append(float(np.mean(losses)))
            if x_val is not None:
                history["val_accuracy"].append(model.accuracy(x_val, y_val))
    return history
