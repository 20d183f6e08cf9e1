"""Trace a GRU number by number: every intermediate of every step, as plain records and small tables.

The book's convention (PyTorch's ``torch.nn.GRUCell``), gate blocks stacked (r, z, n)::

    a_r = W_ir x_t + b_ir + W_hr h_{t-1} + b_hr          r_t = σ(a_r)       reset gate
    a_z = W_iz x_t + b_iz + W_hz h_{t-1} + b_hz          z_t = σ(a_z)       update gate
    i_n = W_in x_t + b_in,   h_n = W_hn h_{t-1} + b_hn
    a_n = i_n + r_t ⊙ h_n                                n_t = tanh(a_n)    candidate state
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}                                  z ≈ 1 keeps the old state

``trace_gru`` is pure: weights and inputs in, a list of :class:`StepRecord` out (one per time step, each a
dict of 1-D arrays, one entry per hidden unit). ``trace_table`` renders one step as an HTML/markdown/plain
table without pandas.
"""
from __future__ import annotations

import html

import numpy as np

from ..cells.recurrent import sigmoid

#: the quantities of one step, in the order they are computed, with their formula (for table rows)
QUANTITIES = (
    ("x", "x_t", "input"),
    ("h_prev", "h_{t-1}", "previous state"),
    ("a_r", "a_r", "W_ir x + b_ir + W_hr h + b_hr"),
    ("a_z", "a_z", "W_iz x + b_iz + W_hz h + b_hz"),
    ("i_n", "i_n", "W_in x + b_in"),
    ("h_n", "h_n", "W_hn h + b_hn"),
    ("r", "r_t", "σ(a_r)"),
    ("z", "z_t", "σ(a_z)"),
    ("r_h_n", "r ⊙ h_n", "reset-scaled recurrent term"),
    ("a_n", "a_n", "i_n + r ⊙ h_n"),
    ("n", "n_t", "tanh(a_n)"),
    ("h", "h_t", "(1 − z) ⊙ n + z ⊙ h_{t-1}"),
)


def split_gates(W: np.ndarray, hidden_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three blocks (r, z, n) of a stacked weight (3H, ·) or bias (3H,)."""
    W = np.asarray(W, dtype=float)
    H = hidden_size
    if W.shape[0] != 3 * H:
        raise ValueError(f"stacked parameter must have 3H = {3 * H} rows; got shape {W.shape}")
    return W[:H], W[H:2 * H], W[2 * H:]


def gru_step_record(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> dict:
    """One GRU step (PyTorch convention) for one sequence: x (I,), h_prev (H,) -> dict of every intermediate."""
    x = np.asarray(x, dtype=float)
    h_prev = np.asarray(h_prev, dtype=float)
    H, I = h_prev.shape[0], x.shape[0]
    W_ih, W_hh, b_ih, b_hh = (np.asarray(a, float) for a in (W_ih, W_hh, b_ih, b_hh))
    if (W_ih.shape, W_hh.shape, b_ih.shape, b_hh.shape) != ((3 * H, I), (3 * H, H), (3 * H,), (3 * H,)):
        raise ValueError(f"weights do not fit input size {I} and hidden size {H}: got W_ih {W_ih.shape}, "
                         f"W_hh {W_hh.shape}, b_ih {b_ih.shape}, b_hh {b_hh.shape}")
    gi = W_ih @ x + b_ih          # (3H,): W_i· x + b_i·
    gh = W_hh @ h_prev + b_hh     # (3H,): W_h· h + b_h·
    a_r, a_z = gi[:H] + gh[:H], gi[H:2 * H] + gh[H:2 * H]
    i_n, h_n = gi[2 * H:], gh[2 * H:]
    r, z = sigmoid(a_r), sigmoid(a_z)
    r_h_n = r * h_n
    a_n = i_n + r_h_n
    n = np.tanh(a_n)
    h = (1 - z) * n + z * h_prev
    return {"x": x, "h_prev": h_prev, "a_r": a_r, "a_z": a_z, "i_n": i_n, "h_n": h_n, "r": r, "z": z,
            "r_h_n": r_h_n, "a_n": a_n, "n": n, "h": h}


def gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> np.ndarray:
    """The new state h_t of one GRU step (PyTorch convention), x (I,), h_prev (H,) -> (H,)."""
    return gru_step_record(x, h_prev, W_ih, W_hh, b_ih, b_hh)["h"]


class StepRecord(dict):
    """The intermediates of one step (keys as in :data:`QUANTITIES`), plus ``t``; displays as a table."""

    def _repr_html_(self) -> str:
        return trace_table(self, fmt="html")

    def __str__(self) -> str:
        return trace_table(self, fmt="text")


def trace_gru(xs, h0, weight_ih, weight_hh, bias_ih, bias_hh) -> list[StepRecord]:
    """Run one sequence xs (T, I) from h0 (H,) and return one :class:`StepRecord` per step (t = 1..T).

    Parameters are named as in torch (``trace_gru(xs, h0, **gru.parameters())`` works).
    """
    xs = np.atleast_2d(np.asarray(xs, dtype=float))
    h = np.asarray(h0, dtype=float)
    records = []
    for t, x in enumerate(xs, start=1):
        rec = StepRecord(gru_step_record(x, h, weight_ih, weight_hh, bias_ih, bias_hh), t=t)
        records.append(rec)
        h = rec["h"]
    return records


def stack_trace(records, key: str) -> np.ndarray:
    """One quantity over all steps, shape (T, H) (or (T, I) for ``x``)."""
    return np.stack([rec[key] for rec in records])


def _cells(record, digits):
    for key, symbol, meaning in QUANTITIES:
        yield symbol, meaning, [f"{v:.{digits}f}" for v in np.asarray(record[key], float)]


def render_table(head, body, *, caption: str = "", fmt: str = "html", left: int = 1) -> str:
    """A small table as "html", "markdown" or "text" (no pandas); the first ``left`` columns are left-aligned."""
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return (f"**{caption}**\n\n" if caption else "") + "\n".join(lines)
    if fmt == "text":
        cols = list(zip(head, *body))
        widths = [max(len(c) for c in col) for col in cols]
        fmt_row = lambda row: "  ".join(c.rjust(w) if i >= left else c.ljust(w)  # noqa: E731
                                        for i, (c, w) in enumerate(zip(row, widths)))
        return "\n".join(([caption] if caption else []) + [fmt_row(head)] + [fmt_row(row) for row in body])
    if fmt != "html":
        raise ValueError(f"fmt must be 'html', 'markdown' or 'text'; got {fmt!r}")
    esc = html.escape
    pad = "padding:0.15em 0.7em"          # keep negative numbers clear of the neighbouring column
    th = "".join(f'<th style="{pad}">{esc(c)}</th>' for c in head)
    trs = "".join("<tr>" + "".join(
        f'<td style="text-align:{"right" if i >= left else "left"};{pad};white-space:nowrap">{esc(c)}</td>'
        for i, c in enumerate(row)) + "</tr>" for row in body)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="gru-trace">{cap}<thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>'


class HTMLTable(str):
    """A rendered HTML table that notebooks display as a table."""

    def _repr_html_(self) -> str:
        return str(self)


def trace_table(record, *, digits: int = 4, fmt: str = "html") -> str:
    """One step as a table: one row per quantity, one column per unit (``fmt``: "html", "markdown", "text")."""
    rows = list(_cells(record, digits))
    width = max(len(vals) for _, _, vals in rows)
    head = ["quantity", "formula"] + [f"unit {j + 1}" for j in range(width)]
    body = [[sym, meaning] + vals + [""] * (width - len(vals)) for sym, meaning, vals in rows]
    t = record.get("t")
    return render_table(head, body, caption=f"step t = {t}" if t is not None else "one step", fmt=fmt, left=2)


class TraceTables:
    """Several steps displayed one after another (``_repr_html_`` for notebooks, ``str`` for print)."""

    def __init__(self, records, digits: int = 4):
        self.records, self.digits = list(records), digits

    def _repr_html_(self) -> str:
        return "".join(trace_table(r, digits=self.digits, fmt="html") for r in self.records)

    def __str__(self) -> str:
        return "\n\n".join(trace_table(r, digits=self.digits, fmt="text") for r in self.records)


def example_weights() -> dict[str, np.ndarray]:
    """Small, round weights for the chapter's hand trace: I = 2 inputs, H = 2 hidden units.

    Unit 1 has an update gate that mostly opens with input 1, unit 2 a reset gate driven by the state, so
    each quantity is easy to recompute with a calculator.
    """
    W_ih = np.array([[0.5, 0.0],     # r, unit 1
                     [0.0, 0.5],     # r, unit 2
                     [1.0, 0.0],     # z, unit 1
                     [0.0, -1.0],    # z, unit 2
                     [1.0, -0.5],    # n, unit 1
                     [0.5, 1.0]])    # n, unit 2
    W_hh = np.array([[0.0, 0.5],
                     [1.0, 0.0],
                     [0.5, 0.0],
                     [0.0, 0.5],
                     [1.0, 0.0],
                     [0.0, -1.0]])
    b_ih = np.array([0.0, 0.0, -0.5, 0.0, 0.0, 0.0])
    b_hh = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 0.0])
    return {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh}


def example_inputs() -> tuple[np.ndarray, np.ndarray]:
    """The trace's input sequence xs (3 steps × 2 features) and initial state h0 (2,)."""
    return np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.zeros(2)


def weights_table(params, digits: int = 1, fmt: str = "html"):
    """The stacked parameters as one table: one row per gate row (r₁, r₂, z₁, …), columns W_ih | W_hh | biases."""
    W_ih, W_hh = np.asarray(params["weight_ih"], float), np.asarray(params["weight_hh"], float)
    b_ih, b_hh = np.asarray(params["bias_ih"], float), np.asarray(params["bias_hh"], float)
    H, I = W_hh.shape[1], W_ih.shape[1]
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    labels = [f"{g}{str(j + 1).translate(sub)}" for g in "rzn" for j in range(H)]
    head = (["row"] + [f"W_ih[:, {k}]" for k in range(I)] + [f"W_hh[:, {k}]" for k in range(H)]
            + ["b_ih", "b_hh"])
    body = [[lab] + [f"{v:.{digits}f}" for v in (*W_ih[i], *W_hh[i], b_ih[i], b_hh[i])]
            for i, lab in enumerate(labels)]
    table = render_table(head, body, fmt=fmt)
    return HTMLTable(table) if fmt == "html" else table


# ------------------------------------------------------------------ the same trace from torch's own GRUCell

def torch_trace(cell, xs, h0) -> list[dict]:
    """The trace's quantities for ``torch.nn.GRUCell`` ``cell``: gates recomputed with torch ops from the cell's
    own parameter tensors, and h_t taken from ``cell(x, h)`` itself (checked equal to the recomputed h)."""
    import torch

    W_ih, W_hh, b_ih, b_hh = cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh
    H = cell.hidden_size
    h = torch.as_tensor(np.asarray(h0, float), dtype=W_ih.dtype)
    records = []
    with torch.no_grad():
        for x in np.atleast_2d(np.asarray(xs, float)):
            xt = torch.as_tensor(x, dtype=W_ih.dtype)
            gi, gh = W_ih @ xt + b_ih, W_hh @ h + b_hh
            a_r, a_z = gi[:H] + gh[:H], gi[H:2 * H] + gh[H:2 * H]
            r, z = torch.sigmoid(a_r), torch.sigmoid(a_z)
            a_n = gi[2 * H:] + r * gh[2 * H:]
            h_new = cell(xt[None], h[None])[0]
            rec = {"x": xt, "h_prev": h, "a_r": a_r, "a_z": a_z, "i_n": gi[2 * H:], "h_n": gh[2 * H:], "r": r,
                   "z": z, "r_h_n": r * gh[2 * H:], "a_n": a_n, "n": torch.tanh(a_n), "h": h_new}
            records.append({k: v.detach().cpu().double().numpy().copy() for k, v in rec.items()})
            h = h_new
    return records


def max_trace_difference(records, other) -> float:
    """Largest absolute difference over every quantity of every step of two traces."""
    return max(float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k]))))
               for a, b in zip(records, other, strict=True) for k, _, _ in QUANTITIES)


def with_gate_bias(params, gate: str, value: float) -> dict[str, np.ndarray]:
    """A copy of ``params`` whose ``gate`` ("r" or "z") has input bias ``value`` and recurrent bias 0.

    A large ``value`` pins the gate: σ(30) = 1 − 9e-14, σ(−30) = 9e-14.
    """
    out = {k: np.array(v, dtype=float) for k, v in params.items()}
    H = out["weight_hh"].shape[1]
    block = slice(0, H) if gate == "r" else slice(H, 2 * H) if gate == "z" else None
    if block is None:
        raise ValueError(f"gate must be 'r' or 'z'; got {gate!r}")
    out["bias_ih"][block], out["bias_hh"][block] = value, 0.0
    return out


# ------------------------------------------------------------------ a published hand trace, recomputed

#: The numbers a popular blog post ("使用 Python 和 TensorFlow 实现 GRU", see the book's references) states for its
#: first GRU step: inputs, weights and results.
BLOG_TRACE = {
    "x": [1.0, 2.0], "h_prev": [0.1, 0.2], "W": [0.1, 0.2],
    "U_r": [[0.01, 0.02], [0.03, 0.04]], "U_z": [[0.05, 0.06], [0.07, 0.08]], "U_h": [[0.15, 0.16], [0.17, 0.18]],
    "stated": {"r": [0.3, 0.4], "z": [0.6, 0.7], "h_tilde": [0.8, 0.9], "h": [0.4, 0.5]},
    "table_h1": [0.3, 0.4],   # the h_1 its own table of the sequence lists, which differs from its worked h_1
}


def recompute_blog_trace(reading: str = "elementwise", reset_in_candidate: bool = True) -> dict[str, np.ndarray]:
    """Recompute the blog post's first step from its stated inputs and its own (Chung-convention) equations::

        r = σ(W x + U_r h)    z = σ(W x + U_z h)    h~ = tanh(W x + U_h (r ⊙ h))    h' = (1 − z) h + z h~

    Assumptions the post leaves open: no biases; ``U h`` is a matrix–vector product; ``W x`` with the weight
    *vector* W = [0.1, 0.2] is read ``"elementwise"`` (W as a diagonal matrix) or as a ``"dot"`` product (one
    number added to both units); ``reset_in_candidate=False`` follows the worked line, which drops r.
    Also returns ``h_from_stated``: its update rule applied to its own stated z and h~.
    """
    s = {k: np.asarray(v, float) for k, v in BLOG_TRACE.items() if k not in ("stated", "table_h1")}
    if reading == "elementwise":
        wx = s["W"] * s["x"]
    elif reading == "dot":
        wx = np.full(2, s["W"] @ s["x"])
    else:
        raise ValueError(f"reading must be 'elementwise' or 'dot'; got {reading!r}")
    h = s["h_prev"]
    a_r, a_z = wx + s["U_r"] @ h, wx + s["U_z"] @ h
    r, z = 1 / (1 + np.exp(-a_r)), 1 / (1 + np.exp(-a_z))
    h_tilde = np.tanh(wx + s["U_h"] @ (r * h if reset_in_candidate else h))
    stated = {k: np.asarray(v, float) for k, v in BLOG_TRACE["stated"].items()}
    return {"a_r": a_r, "a_z": a_z, "r": r, "z": z, "h_tilde": h_tilde, "h": (1 - z) * h + z * h_tilde,
            "h_from_stated": (1 - stated["z"]) * h + stated["z"] * stated["h_tilde"]}


def blog_trace_table(digits: int = 3, fmt: str = "html") -> str:
    """The post's stated numbers beside the recomputed ones under each reading (an HTML table by default)."""
    readings = {"W x elementwise": recompute_blog_trace("elementwise"), "W x as dot product": recompute_blog_trace("dot"),
                "elementwise, r dropped as in the worked line": recompute_blog_trace("elementwise", False)}
    fmt_v = lambda v: "[" + ", ".join(f"{x:.{digits}f}" for x in np.asarray(v, float)) + "]"  # noqa: E731
    head = ["quantity", "stated in the post", *readings]
    body = [[label, fmt_v(BLOG_TRACE["stated"][key]), *(fmt_v(rec[key]) for rec in readings.values())]
            for key, label in (("r", "r_1"), ("z", "z_1"), ("h_tilde", "h~_1"), ("h", "h_1"))]
    table = render_table(head, body, fmt=fmt)
    return HTMLTable(table) if fmt == "html" else table
