"""Data-flow diagrams of one GRU step and one LSTM step, drawn with matplotlib (PyTorch's conventions).

The GRU (:func:`draw_gru_cell`)::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))   candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

The old state runs along the top line; z_t decides how much of it survives, the rest of h_t is the candidate.
Pass a trace record (:func:`gru_teach.analysis.trace.gru_step_record`) to write the numbers of one step on the wires.

The LSTM (:func:`draw_lstm_cell`; gate blocks i, f, g, o)::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)   f_t = σ(… f …)   g_t = tanh(… g …)   o_t = σ(… o …)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                  h_t = o_t ⊙ tanh(c_t)

Here the *cell state* c runs along the top line and the output h_t leaves through the output gate.
:func:`draw_gru_and_lstm` draws the two one above the other; matching colours mark what corresponds (z ↔ f and i,
n ↔ g); the reset gate (blue) and the output gate (purple) have no twin.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

COLOURS = {"r": "#1f77b4", "z": "#d62728", "n": "#2ca02c", "h": "#333333", "x": "#7f7f7f",
           "f": "#d62728", "i": "#ff7f0e", "g": "#2ca02c", "o": "#9467bd", "c": "#333333"}


def _path(ax, points, colour, arrow=True, lw=1.6):
    """A polyline through ``points``; the last segment ends in an arrow head."""
    xs, ys = zip(*points)
    if arrow:
        ax.plot(xs[:-1], ys[:-1], color=colour, lw=lw, solid_capstyle="butt", zorder=1)
        ax.annotate("", xy=points[-1], xytext=points[-2],
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0), zorder=1)
    else:
        ax.plot(xs, ys, color=colour, lw=lw, zorder=1)


def _box(ax, xy, text, colour, w=0.9, h=0.8, fontsize=11):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04", fc="white",
                                ec=colour, lw=2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=colour, zorder=4)


def _node(ax, xy, text, colour="#333333", radius=0.22):
    ax.add_patch(Circle(xy, radius, fc="white", ec=colour, lw=1.6, zorder=3))
    ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=12, color=colour, zorder=4)


def _canvas(ax):
    """(figure, axes): a new 10 × 5.2 inch figure when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        return plt.subplots(figsize=(10, 5.2))
    return ax.figure, ax


def _frame(ax):
    """The common drawing area of the cell diagrams, without axes."""
    ax.set_xlim(0, 10.8)
    ax.set_ylim(0, 6.0)
    ax.set_aspect("equal")
    ax.axis("off")


def _fmt(record, key):
    if record is None:
        return ""
    vals = np.atleast_1d(np.asarray(record[key], float))
    return " = [" + ", ".join(f"{v:.2f}" for v in vals) + "]"


def draw_gru_cell(record=None, ax=None):
    """Draw the GRU cell; returns the Figure. ``record``: optional step record whose values label the wires."""
    fig, ax = _canvas(ax)
    c = COLOURS
    top, hbus, mid, xbus = 5.0, 3.9, 2.4, 0.9
    Z, R, M, N = (1.8, mid), (3.4, mid), (5.0, mid), (6.6, mid)      # z gate, r gate, reset ⊙, tanh
    HN, IN = (5.0, 3.25), (6.6, 1.55)
    MZ, PLUS, ONE, MN = (7.6, top), (9.2, top), (8.4, 3.75), (8.4, mid)

    # the state highway and the two buses feeding the gates
    ax.text(0.05, top, r"$h_{t-1}$" + _fmt(record, "h_prev"), ha="left", va="bottom", fontsize=13)
    _path(ax, [(0.2, top), (MZ[0] - 0.22, top)], c["h"], lw=2.4)
    _path(ax, [(MZ[0] + 0.22, top), (PLUS[0] - 0.22, top)], c["h"], lw=2.4)
    _path(ax, [(PLUS[0] + 0.22, top), (10.6, top)], c["h"], lw=2.4)
    ax.text(10.6, top + 0.12, r"$h_t$", ha="right", va="bottom", fontsize=13)
    ax.text(10.6, top + 0.55, _fmt(record, "h")[3:], ha="right", va="bottom", fontsize=12)
    _path(ax, [(1.0, top), (1.0, hbus), (HN[0], hbus)], c["h"], arrow=False)
    ax.text(0.05, 0.35, r"$x_t$" + _fmt(record, "x"), ha="left", va="center", fontsize=13)
    _path(ax, [(0.6, 0.6), (0.6, xbus), (N[0], xbus)], c["x"], arrow=False)

    # gates: each reads x_t and h_{t-1}
    for (gx, gy), key in ((Z, "z"), (R, "r")):
        _path(ax, [(gx - 0.15, hbus), (gx - 0.15, gy + 0.42)], c["h"])
        _path(ax, [(gx, xbus), (gx, gy - 0.42)], c["x"])
    _box(ax, Z, "σ\nupdate", c["z"])
    _box(ax, R, "σ\nreset", c["r"])
    # candidate: h_n = W_hn h + b_hn, scaled by r, plus W_in x + b_in, through tanh
    _path(ax, [(HN[0], hbus), (HN[0], HN[1] + 0.22)], c["h"])
    _box(ax, HN, r"$W_{hn}h{+}b_{hn}$", c["n"], w=1.45, h=0.46, fontsize=11)
    _path(ax, [(HN[0], HN[1] - 0.22), (M[0], M[1] + 0.22)], c["n"])
    _path(ax, [(R[0] + 0.47, R[1]), (M[0] - 0.22, M[1])], c["r"])
    ax.text((R[0] + M[0]) / 2, mid + 0.08, r"$r_t$", color=c["r"], ha="center", va="bottom", fontsize=11)
    _node(ax, M, "⊙", c["r"])
    _path(ax, [(M[0] + 0.22, M[1]), (N[0] - 0.47, N[1])], c["n"])
    _path(ax, [(N[0], xbus), (IN[0], IN[1] - 0.22)], c["x"])
    _box(ax, IN, r"$W_{in}x{+}b_{in}$", c["n"], w=1.45, h=0.46, fontsize=11)
    _path(ax, [(IN[0], IN[1] + 0.22), (N[0], N[1] - 0.42)], c["n"])
    _box(ax, N, "tanh\ncandidate", c["n"], w=1.05)

    # update: z ⊙ h_{t-1} on the highway, (1 − z) ⊙ n from below, summed
    _path(ax, [(Z[0] + 0.47, Z[1] + 0.2), (2.6, Z[1] + 0.2), (2.6, 4.45), (MZ[0], 4.45), (MZ[0], MZ[1] - 0.22)],
          c["z"])
    ax.text(2.7, 4.5, r"$z_t$" + _fmt(record, "z"), color=c["z"], ha="left", va="bottom", fontsize=11)
    _path(ax, [(MZ[0], 4.45), (ONE[0], 4.45), (ONE[0], ONE[1] + 0.22)], c["z"])
    _node(ax, MZ, "⊙", c["z"])
    _node(ax, ONE, "1−", c["z"])
    _path(ax, [(ONE[0], ONE[1] - 0.22), (MN[0], MN[1] + 0.22)], c["z"])
    _path(ax, [(N[0] + 0.52, N[1]), (MN[0] - 0.22, MN[1])], c["n"])
    ax.text((N[0] + MN[0]) / 2 + 0.1, mid + 0.08, r"$n_t$", color=c["n"], ha="center", va="bottom", fontsize=11)
    if record is not None:
        lines = [(r"$r_t$", "r", c["r"]), (r"$W_{hn}h{+}b_{hn}$", "h_n", c["n"]), (r"$n_t$", "n", c["n"])]
        for k, (label, key, colour) in enumerate(lines):
            ax.text(7.5, 1.2 - 0.4 * k, label + _fmt(record, key), color=colour, ha="left", va="center",
                    fontsize=12)
    _node(ax, MN, "⊙", c["z"])
    _path(ax, [(MN[0] + 0.22, MN[1]), (PLUS[0], MN[1]), (PLUS[0], PLUS[1] - 0.22)], c["n"])
    _node(ax, PLUS, "+")
    ax.text(MZ[0] + 0.1, top + 0.3, r"$z_t \odot h_{t-1}$ (keep)", ha="center", fontsize=11, color=c["z"])
    ax.text(PLUS[0] + 0.12, 3.2, r"$(1-z_t)\odot n_t$", ha="left", fontsize=11, color=c["n"], rotation=90)

    _frame(ax)
    return fig


def draw_lstm_cell(ax=None):
    """Draw the LSTM cell (PyTorch's equations); returns the Figure."""
    fig, ax = _canvas(ax)
    c = COLOURS
    top, mid, hbus, xbus = 5.0, 2.4, 1.35, 0.75
    F, I, G, O = (1.8, mid), (3.4, mid), (5.0, mid), (6.8, mid)
    MF, MI, PLUS = (1.8, top), (5.0, 3.75), (5.0, top)
    TC, MO = (8.4, 3.75), (8.4, mid)

    # the cell-state highway: forget, then add
    ax.text(0.05, top + 0.08, r"$c_{t-1}$", ha="left", va="bottom", fontsize=13)
    _path(ax, [(0.2, top), (MF[0] - 0.22, top)], c["c"], lw=2.4)
    _path(ax, [(MF[0] + 0.22, top), (PLUS[0] - 0.22, top)], c["c"], lw=2.4)
    _path(ax, [(PLUS[0] + 0.22, top), (10.6, top)], c["c"], lw=2.4)
    ax.text(10.6, top + 0.12, r"$c_t$", ha="right", va="bottom", fontsize=13)
    _node(ax, MF, "⊙", c["f"])
    _node(ax, PLUS, "+")
    ax.text(MF[0] + 0.3, top + 0.25, r"$f_t \odot c_{t-1}$ (keep)", ha="left", fontsize=11, color=c["f"])

    # the inputs: h_{t-1} and x_t feed every gate from below
    ax.text(0.05, hbus + 0.1, r"$h_{t-1}$", ha="left", va="bottom", fontsize=13)
    _path(ax, [(0.2, hbus), (O[0] + 0.15, hbus)], c["h"], arrow=False)
    ax.text(0.05, 0.2, r"$x_t$", ha="left", va="center", fontsize=13)
    _path(ax, [(0.6, 0.35), (0.6, xbus), (O[0] - 0.15, xbus)], c["x"], arrow=False)
    for (gx, gy) in (F, I, G, O):
        _path(ax, [(gx + 0.15, hbus), (gx + 0.15, gy - 0.42)], c["h"])
        _path(ax, [(gx - 0.15, xbus), (gx - 0.15, gy - 0.42)], c["x"])
    _box(ax, F, "σ\nforget", c["f"])
    _box(ax, I, "σ\ninput", c["i"])
    _box(ax, G, "tanh\ncandidate", c["g"], w=1.05)
    _box(ax, O, "σ\noutput", c["o"])

    # forget gate up to the highway; input ⊙ candidate up into the sum
    _path(ax, [(F[0], F[1] + 0.42), (MF[0], MF[1] - 0.22)], c["f"])
    ax.text(F[0] + 0.1, 3.6, r"$f_t$", color=c["f"], ha="left", fontsize=11)
    _path(ax, [(I[0], I[1] + 0.42), (I[0], MI[1]), (MI[0] - 0.22, MI[1])], c["i"])
    ax.text(I[0] + 0.1, 3.05, r"$i_t$", color=c["i"], ha="left", fontsize=11)
    _path(ax, [(G[0], G[1] + 0.42), (MI[0], MI[1] - 0.22)], c["g"])
    ax.text(G[0] + 0.1, 3.05, r"$g_t$", color=c["g"], ha="left", fontsize=11)
    _node(ax, MI, "⊙", c["i"])
    _path(ax, [(MI[0], MI[1] + 0.22), (PLUS[0], PLUS[1] - 0.22)], c["g"])
    ax.text(MI[0] + 0.12, 4.35, r"$i_t \odot g_t$ (write)", ha="left", fontsize=11, color=c["i"])

    # output: h_t = o_t ⊙ tanh(c_t)
    _path(ax, [(TC[0], top), (TC[0], TC[1] + 0.22)], c["c"])
    _node(ax, TC, "tanh", c["c"], radius=0.3)
    _path(ax, [(TC[0], TC[1] - 0.3), (MO[0], MO[1] + 0.22)], c["c"])
    _path(ax, [(O[0] + 0.47, O[1]), (MO[0] - 0.22, MO[1])], c["o"])
    ax.text((O[0] + MO[0]) / 2 + 0.1, mid + 0.08, r"$o_t$", color=c["o"], ha="center", va="bottom", fontsize=11)
    _node(ax, MO, "⊙", c["o"])
    _path(ax, [(MO[0] + 0.22, MO[1]), (10.6, MO[1])], c["h"], lw=2.4)
    ax.text(10.6, mid + 0.12, r"$h_t$", ha="right", va="bottom", fontsize=13)
    ax.text(MO[0] + 0.3, mid - 0.45, r"$o_t \odot \tanh(c_t)$", ha="left", fontsize=11, color=c["o"])

    _frame(ax)
    return fig


def draw_gru_and_lstm():
    """The GRU (top) and the LSTM (below it), each with its title; returns the Figure."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 10.6))
    draw_gru_cell(ax=top)
    draw_lstm_cell(ax=bottom)
    top.set_title("GRU: one state h, two gates (reset r, update z)", fontsize=13)
    bottom.set_title("LSTM: cell c and output h, three gates (forget f, input i, output o)", fontsize=13)
    fig.tight_layout()
    return fig
