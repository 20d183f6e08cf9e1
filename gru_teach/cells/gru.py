"""A GRU layer in NumPy: forward pass and backpropagation through time.

The book's convention is PyTorch's (``torch.nn.GRU``), gate blocks stacked in
the order (r, z, n)::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)              reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)              update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))   candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}          z ≈ 1 keeps the old state

With ``reset_after=False`` the reset gate acts *before* the recurrent
product, as in Cho et al. (2014)::

    n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn)

Backward (reset-after), with δh the gradient reaching h_t and a_· the
pre-activations::

    δa_n = δh ⊙ (1 − z) ⊙ (1 − n²)
    δa_z = δh ⊙ (h_{t-1} − n) ⊙ z ⊙ (1 − z)
    δa_r = δa_n ⊙ (W_hn h_{t-1} + b_hn) ⊙ r ⊙ (1 − r)
    δh_{t-1} = δh ⊙ z + [δa_r, δa_z, δa_n ⊙ r] W_hh

(the direct path through z, and the paths through the three gates).
"""
from __future__ import annotations

import numpy as np

from ._validation import check_grad
from .recurrent import RecurrentLayer, sigmoid


class GRU(RecurrentLayer):
    """One GRU layer, parameters named and shaped like ``torch.nn.GRU``'s.

    >>> gru = GRU(input_size=2, hidden_size=3, seed=0)
    >>> out, h = gru.forward(np.ones((1, 4, 2)))      # (batch, time, input)
    >>> out.shape, h.shape
    ((1, 4, 3), (1, 3))
    """

    GATES = ("r", "z", "n")
    TORCH_NAME = "GRU"

    def __init__(self, input_size: int, hidden_size: int, *,
                 reset_after: bool = True, dtype=np.float64, seed=None):
        if not isinstance(reset_after, (bool, np.bool_)):
            raise TypeError("reset_after must be True or False; "
                            f"got {reset_after!r}")
        super().__init__(input_size, hidden_size, dtype=dtype, seed=seed)
        self.reset_after = bool(reset_after)

    def _extra_repr(self) -> str:
        return "" if self.reset_after else ", reset_after=False"

    def to_torch(self, *, cell: bool = False):
        if not self.reset_after:
            raise ValueError("torch.nn.GRU only implements reset_after=True; "
                             "a reset-before GRU has no torch twin")
        return super().to_torch(cell=cell)

    # ------------------------------------------------------------ forward
    def forward(self, x, h0=None):
        """Run the layer over ``x`` (batch, time, input) from ``h0``.

        ``h0``: (batch, hidden), zeros if None. Returns ``(outputs, h_last)``:
        the states h_1..h_T (batch, time, hidden) and h_T (batch, hidden).
        """
        x, h = self._prepare(x, h0)
        B, T, _ = x.shape
        H = self.hidden_size
        gi = self._input_projection(x)      # (B, T, 3H): W_ih x_t + b_ih
        step = self._step_after if self.reset_after else self._step_before
        shape = (B, T, H)
        rz_all = np.empty((B, T, 2 * H), self.dtype)    # r and z, side by side
        n_all = np.empty(shape, self.dtype)
        hn_all = np.empty(shape, self.dtype)    # the recurrent term of n
        h_prev_all = np.empty(shape, self.dtype)
        out = np.empty(shape, self.dtype)
        for t in range(T):
            h_prev_all[:, t] = h
            rz, n, hn = step(gi[:, t], h)
            z = rz[:, H:]
            h = n + z * (h - n)                     # (1 − z) n + z h_{t-1}
            rz_all[:, t], n_all[:, t], hn_all[:, t] = rz, n, hn
            out[:, t] = h
        self._cache = {"x": x, "h_prev": h_prev_all, "rz": rz_all,
                       "r": rz_all[..., :H], "z": rz_all[..., H:],
                       "n": n_all, "hn": hn_all, "out": out}
        return out, h.copy()

    def _step_after(self, g, h):
        """Gates and candidate of one step, reset AFTER the product (PyTorch).

        ``g`` = W_ih x_t + b_ih (B, 3H), ``h`` = h_{t-1} (B, H). Returns
        ``(rz, n, hn)``: r and z side by side (B, 2H), n, and
        hn = W_hn h_{t-1} + b_hn, the term that r scales.
        """
        H = self.hidden_size
        gh = h @ self.weight_hh.T + self.bias_hh   # ONE product, all 3 gates
        rz = sigmoid(g[:, :2 * H] + gh[:, :2 * H])
        hn = gh[:, 2 * H:]                         # W_hn h_{t-1} + b_hn
        n = np.tanh(g[:, 2 * H:] + rz[:, :H] * hn)
        return rz, n, hn

    def _step_before(self, g, h):
        """The same, reset BEFORE the product (Cho et al., 2014).

        Here hn = W_hn (r ⊙ h_{t-1}) + b_hn: its product has to wait for r,
        so a step needs two matrix products one after the other.
        """
        H = self.hidden_size
        W, b = self.weight_hh, self.bias_hh
        gh_rz = h @ W[:2 * H].T + b[:2 * H]        # product 1: r and z
        rz = sigmoid(g[:, :2 * H] + gh_rz)
        hn = (rz[:, :H] * h) @ W[2 * H:].T + b[2 * H:]   # product 2, after r
        n = np.tanh(g[:, 2 * H:] + hn)
        return rz, n, hn

    # ----------------------------------------------------------- backward
    def backward(self, d_outputs, d_last=None):
        """Backpropagate through time after ``forward``.

        ``d_outputs``: ∂L/∂outputs (batch, time, hidden) or None;
        ``d_last``: ∂L/∂h_last (batch, hidden) or None. Returns
        ``(dx, dh0)`` and stores the parameter gradients in ``self.grads``.
        """
        c = self._require_cache()
        x, h_prev_all = c["x"], c["h_prev"]
        rz_all, n_all, hn_all = c["rz"], c["n"], c["hn"]
        B, T, H = n_all.shape
        d_out = check_grad(d_outputs, (B, T, H), self.dtype, "d_outputs")
        dh = check_grad(d_last, (B, H), self.dtype, "d_last").copy()
        step_back = (self._step_back_after if self.reset_after
                     else self._step_back_before)
        # per step: the gradient of the pre-activations (a_r, a_z, a_n) that
        # W_ih x + b_ih receives (d_a), and what W_hh h + b_hh receives (d_hh)
        d_a = np.empty((B, T, 3 * H), self.dtype)
        d_hh = np.empty_like(d_a)
        for t in range(T - 1, -1, -1):
            dh = dh + d_out[:, t]                   # loss at t + from t + 1
            d_a[:, t], d_hh[:, t], dh = step_back(
                dh, rz_all[:, t], n_all[:, t], hn_all[:, t], h_prev_all[:, t])
        dx = self._weight_grads(x, h_prev_all, d_a, d_hh)
        if not self.reset_after:        # W_hn multiplies r ⊙ h_{t-1} here
            rh = (rz_all[..., :H] * h_prev_all).reshape(B * T, H)
            d_an = d_a[..., 2 * H:].reshape(B * T, H)
            self.grads["weight_hh"][2 * H:] = d_an.T @ rh
        return dx, dh

    def _step_back_after(self, dh, rz, n, hn, h_prev):
        """One step back, reset AFTER the product (PyTorch).

        ``dh`` = ∂L/∂h_t; the rest is this step's cache. Returns ``(d_a,
        d_hh, dh_prev)``: the gradients of (a_r, a_z, a_n), what the
        recurrent product receives, [δa_r, δa_z, δa_n ⊙ r], and ∂L/∂h_{t-1}.
        """
        H = self.hidden_size
        r, z = rz[:, :H], rz[:, H:]
        da_n = dh * (1 - z) * (1 - n * n)
        da_z = dh * (h_prev - n) * z * (1 - z)
        da_r = da_n * hn * r * (1 - r)              # r scaled hn
        d_a = np.concatenate([da_r, da_z, da_n], axis=1)
        d_hh = np.concatenate([da_r, da_z, da_n * r], axis=1)
        dh_prev = dh * z + d_hh @ self.weight_hh    # direct path + gates
        return d_a, d_hh, dh_prev

    def _step_back_before(self, dh, rz, n, hn, h_prev):
        """The same, reset BEFORE the product (Cho et al., 2014).

        W_hn sees r ⊙ h_{t-1}, so δa_n reaches r and h_{t-1} through W_hn;
        the returned d_hh is δa for all three blocks (``backward`` fixes
        W_hn's gradient, which multiplies r ⊙ h_{t-1}, not h_{t-1}).
        """
        H = self.hidden_size
        W = self.weight_hh
        r, z = rz[:, :H], rz[:, H:]
        da_n = dh * (1 - z) * (1 - n * n)
        da_z = dh * (h_prev - n) * z * (1 - z)
        d_rh = da_n @ W[2 * H:]                     # gradient of r ⊙ h_{t-1}
        da_r = d_rh * h_prev * r * (1 - r)
        d_a = np.concatenate([da_r, da_z, da_n], axis=1)
        dh_prev = dh * z + d_rh * r + d_a[:, :2 * H] @ W[:2 * H]
        return d_a, d_a, dh_prev
