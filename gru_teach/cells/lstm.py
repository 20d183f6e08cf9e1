"""An LSTM layer in NumPy, matching ``torch.nn.LSTM`` (gate blocks stacked in the order i, f, g, o)::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     cell candidate
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

Backward, with δh and δc the gradients reaching h_t and c_t::

    δo = δh ⊙ tanh(c_t)       δc ← δc + δh ⊙ o ⊙ (1 − tanh²(c_t))
    δi = δc ⊙ g   δg = δc ⊙ i   δf = δc ⊙ c_{t-1}   δc_{t-1} = δc ⊙ f
    δh_{t-1} = [δa_i, δa_f, δa_g, δa_o] W_hh
"""
from __future__ import annotations

import numpy as np

from ._validation import check_grad, check_state
from .recurrent import RecurrentLayer, sigmoid


def _split_pair(state, name):
    if state is None:
        return None, None
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"{name} must be a pair (h, c) or None; got {type(state).__name__}")
    return state


class LSTM(RecurrentLayer):
    """One LSTM layer, parameters named and shaped like one layer of ``torch.nn.LSTM``.

    ``forward(x, (h0, c0))`` returns ``(outputs, (h_last, c_last))``.
    """

    GATES = ("i", "f", "g", "o")
    TORCH_NAME = "LSTM"

    def forward(self, x, state=None):
        """Run over ``x`` (batch, time, input) from ``state = (h0, c0)`` (zeros if None)."""
        h0, c0 = _split_pair(state, "state")
        x, h = self._prepare(x, h0)
        B, T, _ = x.shape
        H = self.hidden_size
        c = check_state(c0, B, H, self.dtype, "c0")
        gi = self._input_projection(x)
        W_hh_T, b_hh = self.weight_hh.T, self.bias_hh
        gates = np.empty((B, T, 4 * H), self.dtype)
        c_all = np.empty((B, T, H), self.dtype)
        tanh_c = np.empty((B, T, H), self.dtype)
        h_prev_all = np.empty((B, T, H), self.dtype)
        c_prev_all = np.empty((B, T, H), self.dtype)
        out = np.empty((B, T, H), self.dtype)
        for t in range(T):
            h_prev_all[:, t], c_prev_all[:, t] = h, c
            a = gi[:, t] + h @ W_hh_T + b_hh
            act = gates[:, t]
            act[:] = sigmoid(a)                                  # i, f, o (g overwritten next)
            act[:, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
            i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
            c = f * c + i * g
            tanh_c[:, t] = tc = np.tanh(c)
            h = o * tc
            c_all[:, t], out[:, t] = c, h
        self._cache = {"x": x, "h_prev": h_prev_all, "c_prev": c_prev_all, "gates": gates, "tanh_c": tanh_c,
                       "i": gates[..., :H], "f": gates[..., H:2 * H], "g": gates[..., 2 * H:3 * H],
                       "o": gates[..., 3 * H:], "c": c_all, "out": out}
        return out, (h.copy(), c.copy())

    def backward(self, d_outputs, d_last=None):
        """Backpropagate through time. ``d_last`` is ``(dh_last, dc_last)`` (either may be None).

        Returns ``(dx, (dh0, dc0))`` and fills ``self.grads``.
        """
        cache = self._require_cache()
        x, gates, tanh_c, c_prev_all = cache["x"], cache["gates"], cache["tanh_c"], cache["c_prev"]
        B, T, H = tanh_c.shape
        dh_last, dc_last = _split_pair(d_last, "d_last")
        d_out = check_grad(d_outputs, (B, T, H), self.dtype, "d_outputs")
        dh = check_grad(dh_last, (B, H), self.dtype, "d_last[0]").copy()
        dc = check_grad(dc_last, (B, H), self.dtype, "d_last[1]").copy()
        W_hh = self.weight_hh
        d_a = np.empty((B, T, 4 * H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh += d_out[:, t]
            act, tc = gates[:, t], tanh_c[:, t]
            i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
            dc = dc + dh * o * (1 - tc * tc)
            da = d_a[:, t]
            da[:, :H] = dc * g * i * (1 - i)
            da[:, H:2 * H] = dc * c_prev_all[:, t] * f * (1 - f)
            da[:, 2 * H:3 * H] = dc * i * (1 - g * g)
            da[:, 3 * H:] = dh * tc * o * (1 - o)
            dc = dc * f
            dh = da @ W_hh
        dx = self._weight_grads(x, cache["h_prev"], d_a)
        return dx, (dh, dc)
