"""A plain (Elman) RNN layer in NumPy, matching ``torch.nn.RNN``::

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),   φ = tanh (default) or relu

Backward: δa_t = δh_t ⊙ φ'(a_t) and δh_{t-1} = δa_t W_hh, so the gradient reaching h_t from h_T is a product
of Jacobians diag(φ'(a_k)) W_hh — the product that vanishes or explodes (chapter 1).
"""
from __future__ import annotations

import numpy as np

from ._validation import check_grad
from .recurrent import RecurrentLayer

NONLINEARITIES = ("tanh", "relu")


class RNN(RecurrentLayer):
    """One Elman RNN layer, parameters named and shaped like one layer of ``torch.nn.RNN``."""

    GATES = ("h",)
    TORCH_NAME = "RNN"

    def __init__(self, input_size: int, hidden_size: int, *, nonlinearity: str = "tanh", dtype=np.float64,
                 seed=None):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}; got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, dtype=dtype, seed=seed)
        self.nonlinearity = nonlinearity

    def _extra_repr(self) -> str:
        return "" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}"

    def _torch_kwargs(self) -> dict:
        return {"nonlinearity": self.nonlinearity}

    @classmethod
    def _init_kwargs_from_torch(cls, module) -> dict:
        return {"nonlinearity": module.nonlinearity}

    def forward(self, x, h0=None):
        """Run over ``x`` (batch, time, input) from ``h0``; returns ``(outputs, h_last)``."""
        x, h = self._prepare(x, h0)
        B, T, _ = x.shape
        gi = self._input_projection(x)
        W_hh_T, b_hh = self.weight_hh.T, self.bias_hh
        h_prev_all = np.empty((B, T, self.hidden_size), self.dtype)
        out = np.empty_like(h_prev_all)
        for t in range(T):
            h_prev_all[:, t] = h
            a = gi[:, t] + h @ W_hh_T + b_hh
            h = np.tanh(a) if self.nonlinearity == "tanh" else np.maximum(a, 0)
            out[:, t] = h
        self._cache = {"x": x, "h_prev": h_prev_all, "out": out, "h": out}
        return out, h.copy()

    def local_derivative(self) -> np.ndarray:
        """φ'(a_t) of the last forward, (batch, time, hidden): 1 − h² for tanh, [h > 0] for relu."""
        out = self._require_cache()["out"]
        return 1 - out * out if self.nonlinearity == "tanh" else (out > 0).astype(self.dtype)

    def backward(self, d_outputs, d_last=None):
        """Backpropagate through time; returns ``(dx, dh0)`` and fills ``self.grads``."""
        cache = self._require_cache()
        B, T, H = cache["out"].shape
        d_out = check_grad(d_outputs, (B, T, H), self.dtype, "d_outputs")
        dh = check_grad(d_last, (B, H), self.dtype, "d_last").copy()
        deriv = self.local_derivative()
        d_a = np.empty((B, T, H), self.dtype)
        for t in range(T - 1, -1, -1):
            d_a[:, t] = (dh + d_out[:, t]) * deriv[:, t]
            dh = d_a[:, t] @ self.weight_hh
        dx = self._weight_grads(cache["x"], cache["h_prev"], d_a)
        return dx, dh
