"""Gate widgets for chapter 2: a one-unit gate explorer and gates-over-time heatmaps.

The explorer is a one-unit GRU (I = H = 1, PyTorch's convention) with fixed unit weights::

    r = σ(x + h + b_r)      z = σ(x + h + b_z)
    n = tanh(1.5 x + r ⊙ 1.5 h)      h_new = (1 − z) n + z h

so that the sliders (input x, previous state h, the two gate biases) move r, z, n and h_new visibly.
``gate_values`` is the pure function; ``render_gates`` draws it; ``gate_explorer`` wraps every slider
combination in a kernel-free :func:`gru_teach.teaching.widgets.frames.frame_explorer`.

The gates-over-time demo is a three-unit GRU whose weights are set by hand (``hand_set_gru``). The input has two
channels, a value v_t and a flag f_t ∈ {0, 1}:

* unit 1, *sample and hold*: z = σ(8 − 16 f): keeps its state (z ≈ 1) until a flag, then writes n = tanh(2 v);
* unit 2, *follower*: z = σ(−8) ≈ 0: always overwrites, h ≈ tanh(2 v) — a plain tanh RNN step;
* unit 3, *running sum, reset by the flag*: z ≈ 0, n = tanh(0.5 v + r ⊙ h) with r = σ(8 − 16 f): accumulates
  the values since the last flag, and the reset gate (r ≈ 0 at a flag) wipes the past from the candidate.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...cells.gru import GRU
from ...analysis.trace import gru_step_record
from .frames import frame_explorer

EXPLORER_VALUES = {"x": [-2.0, 0.0, 2.0], "h_prev": [-0.8, 0.0, 0.8],
                   "b_r": [-4.0, 0.0, 4.0], "b_z": [-4.0, 0.0, 4.0]}


def explorer_weights(b_r: float = 0.0, b_z: float = 0.0) -> dict[str, np.ndarray]:
    """Parameters (torch names) of the explorer's one-unit GRU with gate biases b_r, b_z."""
    return {"weight_ih": np.array([[1.0], [1.0], [1.5]]), "weight_hh": np.array([[1.0], [1.0], [1.5]]),
            "bias_ih": np.array([b_r, b_z, 0.0]), "bias_hh": np.zeros(3)}


def gate_values(x: float, h_prev: float, b_r: float = 0.0, b_z: float = 0.0) -> dict[str, float]:
    """r, z, n and h_new of the explorer cell for scalar input and state (pure)."""
    rec = gru_step_record([x], [h_prev], *explorer_weights(b_r, b_z).values())
    return {k: float(rec[k][0]) for k in ("r", "z", "n", "h")}


def render_gates(x: float, h_prev: float, b_r: float = 0.0, b_z: float = 0.0):
    """Bar chart of r, z (in [0, 1]) and n, h_new (in [−1, 1]) with h_prev marked; returns the Figure."""
    v = gate_values(x, h_prev, b_r, b_z)
    fig, ax = plt.subplots(figsize=(6.4, 2.9))
    names = ["r (reset)", "z (update)", "n (candidate)", "h_new"]
    vals = [v["r"], v["z"], v["n"], v["h"]]
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#333333"]
    ax.barh(range(4), vals, color=colours, height=0.6)
    ax.axvline(h_prev, color="#333333", ls="--", lw=1)
    ax.text(h_prev, 4.3, f"h_prev = {h_prev:+.1f}", ha="center", va="center", fontsize=11,
            bbox=dict(fc="white", ec="none", pad=1))
    for i, val in enumerate(vals):
        ax.text(val + (0.03 if val >= 0 else -0.03), i, f"{val:+.2f}", va="center",
                ha="left" if val >= 0 else "right", fontsize=11)
    ax.set_yticks(range(4), names, fontsize=12)
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-0.6, 4.7)
    ax.axvline(0, color="grey", lw=0.5)
    ax.invert_yaxis()
    ax.set_xticks([-1, 0, 1])
    ax.tick_params(axis="x", labelsize=11)
    fig.subplots_adjust(left=0.24, right=0.97, top=0.94, bottom=0.1)
    return fig


def gate_explorer(values: dict | None = None, dpi: int = 72):
    """Kernel-free explorer: one pre-rendered frame per combination of :data:`EXPLORER_VALUES`."""
    values = values or EXPLORER_VALUES
    # first frame: a visible mix, z ≈ 0.77, h_new between the candidate (≈ +1) and h_prev = −0.8
    start = {"x": 2.0, "h_prev": -0.8, "b_r": 0.0, "b_z": 0.0}
    initial = {k: v for k, v in start.items() if v in values.get(k, [])}
    return frame_explorer(render_gates, values, dpi=dpi, initial=initial,
                          title="One GRU unit: move the input, the previous state and the gate biases")


def live_gate_explorer():  # pragma: no cover - needs a running kernel
    """The same view with ipywidgets sliders (continuous values; needs a kernel)."""
    from ipywidgets import FloatSlider, interact

    def show(x, h_prev, b_r, b_z):
        render_gates(x, h_prev, b_r, b_z)
        plt.show()

    return interact(show, x=FloatSlider(min=-3, max=3, step=0.1, value=1.0),
                    h_prev=FloatSlider(min=-1, max=1, step=0.05, value=0.5),
                    b_r=FloatSlider(min=-6, max=6, step=0.5, value=0.0),
                    b_z=FloatSlider(min=-6, max=6, step=0.5, value=0.0))


# ------------------------------------------------------------------ gates over time

def hand_set_gru() -> GRU:
    """The three-unit GRU described in the module docstring (input: value, flag)."""
    gru = GRU(2, 3)
    big = 8.0
    W_ih = np.zeros((9, 2))
    W_hh = np.zeros((9, 3))
    b_ih = np.zeros(9)
    W_ih[2, 1], b_ih[2] = -2 * big, big          # r of unit 3: ≈ 0 at a flag, ≈ 1 otherwise
    W_ih[3, 1], b_ih[3] = -2 * big, big          # z of unit 1: ≈ 0 at a flag (write), ≈ 1 otherwise (hold)
    b_ih[4] = b_ih[5] = -big                     # z of units 2 and 3: ≈ 0, always overwrite
    W_ih[6, 0] = W_ih[7, 0] = 2.0                # candidates of units 1, 2: tanh(2 v)
    W_ih[8, 0] = 0.5                             # candidate of unit 3: tanh(0.5 v + r ⊙ h_3)
    W_hh[8, 2] = 1.0
    gru.set_parameters(weight_ih=W_ih, weight_hh=W_hh, bias_ih=b_ih, bias_hh=np.zeros(9))
    return gru


def flag_signal(T: int = 30, flags=(4, 13, 21), seed: int = 0) -> np.ndarray:
    """Input (1, T, 2): channel 0 values uniform in [−1, 1] (seeded), channel 1 a flag that is 1 at ``flags``."""
    rng = np.random.default_rng(seed)
    x = np.zeros((1, T, 2))
    x[0, :, 0] = rng.uniform(-1, 1, T)
    x[0, list(flags), 1] = 1.0
    return x


def plot_gates_over_time(gru: GRU, x: np.ndarray):
    """Input channels, r and z as heatmaps (unit × time) and the states, for one sequence; returns the Figure."""
    out, _ = gru.forward(x)
    g = gru.last_gates()
    T = x.shape[1]
    fig, axes = plt.subplots(4, 1, figsize=(9, 6.4), sharex=True,
                             gridspec_kw={"height_ratios": [1.1, 1, 1, 1.4]})
    t = np.arange(1, T + 1)
    axes[0].bar(t, x[0, :, 0], color="#7f7f7f", label="value $v_t$")
    for f in np.flatnonzero(x[0, :, 1]):
        for ax in axes:
            ax.axvline(f + 1, color="#ff7f0e", lw=1, ls=":")
    axes[0].set_ylabel("input")
    axes[0].plot([], [], color="#ff7f0e", lw=1, ls=":", label="flag $f_t = 1$")
    axes[0].legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    units = ["1 hold", "2 follow", "3 sum"]
    for ax, key, cmap in ((axes[1], "r", "Blues"), (axes[2], "z", "Reds")):
        ax.imshow(g[key][0].T, aspect="auto", cmap=cmap, vmin=0, vmax=1,
                  extent=(0.5, T + 0.5, 2.5, -0.5), interpolation="nearest")
        ax.set_yticks(range(3), units, fontsize=8)
        ax.set_ylabel(f"${key}_t$")
        ax.text(1.01, 0.5, "white = 0\ndark = 1", transform=ax.transAxes, fontsize=8, va="center")
    for j, (colour, name) in enumerate(zip(["#1f77b4", "#2ca02c", "#9467bd"], units)):
        axes[3].plot(t, out[0, :, j], marker="o", ms=3, color=colour, label=f"unit {name}")
    axes[3].set_ylabel("$h_t$")
    axes[3].set_xlabel("time step $t$")
    axes[3].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
