"""The LSTM turned into a GRU-like cell: couple its gates, drop its output gate, and trace what is left.

PyTorch's LSTM (gate blocks i, f, g, o; :class:`gru_teach.cells.LSTM`)::

    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t          h_t = o_t ⊙ tanh(c_t)

**Coupling** the forget and input gates (f = 1 − i, the "CIFG" variant of Greff et al., 2017) needs no new code:
since σ(−a) = 1 − σ(a), giving the forget rows the *negated* input rows (both weight matrices, both biases) makes
f_t = 1 − i_t exactly. **Removing the output gate**: zero its weights and give it a large bias, so
o_t = σ(30) = 1 − 9·10⁻¹⁴ and h_t = tanh(c_t). What remains,

    c_t = f_t ⊙ c_{t-1} + (1 − f_t) ⊙ g_t,

is the GRU's update h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1} with z_t = f_t and n_t = g_t, written for c instead of
h. Two differences stay: the LSTM's gates read h_{t-1} = tanh(c_{t-1}) where the GRU's read its state itself, and
the GRU's reset gate r_t has no LSTM twin. When the gates read only the input (W_hh = 0, b_hh = 0) those
differences vanish and :func:`gru_twin` gives a ``gru_teach.GRU`` whose states equal the coupled LSTM's c_t.
Everything here runs the package's own :class:`LSTM` and :class:`GRU` layers; no step is written again.
"""
from __future__ import annotations

import numpy as np

from ..cells import GRU, LSTM
from .trace import HTMLTable, render_table

PINNED = 30.0     # σ(30) = 1 − 9.4e-14: a gate pinned open


def _blocks(H):
    return {g: slice(k * H, (k + 1) * H) for k, g in enumerate(LSTM.GATES)}


def _check_lstm(lstm):
    if not isinstance(lstm, LSTM):
        raise TypeError(f"expected a gru_teach.LSTM; got {type(lstm).__name__}")


def couple_gates(lstm: LSTM, *, output_gate: bool = False) -> LSTM:
    """A copy of ``lstm`` with f = 1 − i (forget rows = −input rows) and, unless ``output_gate``, o ≈ 1."""
    _check_lstm(lstm)
    out = LSTM(lstm.input_size, lstm.hidden_size, dtype=lstm.dtype)
    params = {k: v.copy() for k, v in lstm.parameters().items()}
    b = _blocks(lstm.hidden_size)
    for name in params:
        params[name][b["f"]] = -params[name][b["i"]]
        if not output_gate:
            params[name][b["o"]] = PINNED if name == "bias_ih" else 0.0
    out.set_parameters(**params)
    return out


def input_only(lstm: LSTM) -> LSTM:
    """A copy of ``lstm`` whose gates and candidate read only the input: W_hh = 0 and b_hh = 0 (b_ih keeps the bias)."""
    _check_lstm(lstm)
    out = LSTM(lstm.input_size, lstm.hidden_size, dtype=lstm.dtype)
    out.set_parameters(**{**lstm.parameters(), "bias_ih": lstm.bias_ih + lstm.bias_hh,
                          "weight_hh": np.zeros_like(lstm.weight_hh), "bias_hh": np.zeros_like(lstm.bias_hh)})
    return out


def trace_lstm(lstm: LSTM, xs, h0=None, c0=None) -> list[dict]:
    """Run ``lstm`` over one sequence xs (T, I); one record per step with i, f, g, o, c_prev, c, h (each (H,))."""
    _check_lstm(lstm)
    xs = np.atleast_2d(np.asarray(xs, dtype=float))
    zeros = np.zeros(lstm.hidden_size)
    state = tuple(np.asarray(zeros if s is None else s, dtype=float)[None] for s in (h0, c0))
    out, _ = lstm.forward(xs[None], state)
    cache = lstm._require_cache()
    keys = ("i", "f", "g", "o", "c_prev", "c")
    return [{"t": t + 1, **{k: cache[k][0, t].copy() for k in keys}, "h": out[0, t].copy()}
            for t in range(xs.shape[0])]


def gru_twin(lstm: LSTM) -> GRU:
    """The GRU that equals a coupled, output-gate-free LSTM whose gates read only the input.

    z takes the forget rows (z = f), n takes the candidate rows (n = g), r is pinned at 1 and W_hh = 0. Requires
    ``lstm`` to satisfy f = 1 − i and W_hh = 0 (see :func:`couple_gates`, :func:`input_only`); then the GRU's
    h_t equals the LSTM's c_t at every step.
    """
    _check_lstm(lstm)
    b, H = _blocks(lstm.hidden_size), lstm.hidden_size
    if np.any(lstm.weight_hh != 0) or np.any(lstm.bias_hh != 0):
        raise ValueError("gru_twin needs an LSTM whose gates read only the input (W_hh = 0, b_hh = 0): "
                         "call input_only(lstm) first")
    if not (np.array_equal(lstm.weight_ih[b["f"]], -lstm.weight_ih[b["i"]])
            and np.array_equal(lstm.bias_ih[b["f"]], -lstm.bias_ih[b["i"]])):
        raise ValueError("gru_twin needs coupled gates, f = 1 − i: call couple_gates(lstm) first")
    gru = GRU(lstm.input_size, H, dtype=lstm.dtype)
    W_ih = np.concatenate([np.zeros_like(lstm.weight_ih[b["i"]]), lstm.weight_ih[b["f"]], lstm.weight_ih[b["g"]]])
    b_ih = np.concatenate([np.full(H, PINNED), lstm.bias_ih[b["f"]], lstm.bias_ih[b["g"]]])
    gru.set_parameters(weight_ih=W_ih, bias_ih=b_ih, weight_hh=np.zeros((3 * H, H)), bias_hh=np.zeros(3 * H))
    return gru


def coupled_table(records, unit: int = 0, digits: int = 3) -> HTMLTable:
    """One row per step for one unit: the LSTM's i, f, 1 − i, g, c_{t-1}, c_t, the GRU rule (1 − z)n + z·c_{t-1}
    with z = f and n = g, o and h = o·tanh(c)."""
    head = ["t", "i", "f", "1 − i", "g (= n)", "c_{t-1}", "c_t", "(1−z)n + z c_{t-1}, z = f", "o", "h_t"]
    body = []
    for rec in records:
        v = {k: float(np.asarray(rec[k])[unit]) for k in ("i", "f", "g", "o", "c_prev", "c", "h")}
        gru_rule = (1 - v["f"]) * v["g"] + v["f"] * v["c_prev"]
        row = [v["i"], v["f"], 1 - v["i"], v["g"], v["c_prev"], v["c"], gru_rule, v["o"], v["h"]]
        body.append([str(rec["t"])] + [f"{x:.{digits}f}" for x in row])
    return HTMLTable(render_table(head, body, caption=f"coupled LSTM, unit {unit + 1}"))
