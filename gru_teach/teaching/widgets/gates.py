"""Gate widgets for chapter 2: a one-unit gate explorer and gates-over-time heatmaps.

The explorer is a one-unit GRU (I = H = 1, PyTorch's convention) with fixed unit weights::

    r = σ(x + h + b_r)      z = σ(x + h + b_z)
    n = tanh(1.5 x + r ⊙ 1.5 h)      h_new = (1 − z) n + z h

so that the sliders (previous state h and the two gate biases; the input is fixed at x = 1) move r, z, n and h_new
visibly.
``gate_values`` is the pure function; ``gate_frame_png`` draws it (with Pillow, about a millisecond a frame, so the
explorer can offer five positions per slider); ``gate_explorer`` wraps every slider combination in a kernel-free
:func:`gru_teach.teaching.widgets.frames.frame_explorer`.

A unit whose update gate is a constant z is an exponential moving average of its candidates,
h_t = z h_{t-1} + (1 − z) n_t: the old state's share after k steps is z^k, which falls below 1/e after about
1/(1 − z) steps. ``constant_gate_unit`` builds such a unit from :class:`gru_teach.GRU`; ``memory_steps`` measures it.

The gates-over-time demo is a three-unit GRU whose weights are set by hand (``hand_set_gru``). The input has two
channels, a value v_t and a flag f_t ∈ {0, 1}:

* unit 1, *sample and hold*: z = σ(8 − 16 f): keeps its state (z ≈ 1) until a flag, then writes n = tanh(2 v);
* unit 2, *follower*: z = σ(−8) ≈ 0: always overwrites, h ≈ tanh(2 v) — a plain tanh RNN step;
* unit 3, *running sum, reset by the flag*: z ≈ 0, n = tanh(0.5 v + r ⊙ h) with r = σ(8 − 16 f): accumulates
  the values since the last flag, and the reset gate (r ≈ 0 at a flag) wipes the past from the candidate.
"""
from __future__ import annotations

import functools
import io
import os

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from ...cells.gru import GRU
from ...analysis.trace import gru_step_record
from .frames import frame_explorer

#: the explorer's input (fixed) and slider positions: 7 per slider, 343 pre-drawn frames
EXPLORER_X = 1.0
EXPLORER_VALUES = {"h_prev": [-0.9, -0.6, -0.3, 0.0, 0.3, 0.6, 0.9],
                   "b_r": [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0],
                   "b_z": [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0]}


def explorer_weights(b_r: float = 0.0, b_z: float = 0.0) -> dict[str, np.ndarray]:
    """Parameters (torch names) of the explorer's one-unit GRU with gate biases b_r, b_z."""
    return {"weight_ih": np.array([[1.0], [1.0], [1.5]]), "weight_hh": np.array([[1.0], [1.0], [1.5]]),
            "bias_ih": np.array([b_r, b_z, 0.0]), "bias_hh": np.zeros(3)}


def gate_values(x: float, h_prev: float, b_r: float = 0.0, b_z: float = 0.0) -> dict[str, float]:
    """r, z, n and h_new of the explorer cell for scalar input and state (pure)."""
    rec = gru_step_record([x], [h_prev], *explorer_weights(b_r, b_z).values())
    return {k: float(rec[k][0]) for k in ("r", "z", "n", "h")}


#: bar colours of r, z, n and h_new
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#333333")
_NAMES = ("r (reset)", "z (update)", "n (candidate)", "h_new")


@functools.lru_cache(maxsize=None)
def _font(size: int):
    from PIL import ImageFont

    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")   # ships with matplotlib
    return ImageFont.truetype(path, size)


def _layout(scale: int) -> dict:
    k = scale
    left, right, top, row = 118 * k, 430 * k, 14 * k, 34 * k
    return {"k": k, "W": 440 * k, "H": 205 * k, "left": left, "right": right, "top": top, "row": row,
            "axis_y": top + 4 * row + 6 * k}


def _px(value: float, lay: dict) -> float:
    """Data x in [−1.35, 1.35] -> pixel column."""
    return lay["left"] + (value + 1.35) / 2.7 * (lay["right"] - lay["left"])


@functools.lru_cache(maxsize=4)
def _background(scale: int):
    """What every frame shares: the row names, the x axis with its ticks, the line at 0."""
    from PIL import Image, ImageDraw

    lay = _layout(scale)
    k, axis_y = lay["k"], lay["axis_y"]
    img = Image.new("RGB", (lay["W"], lay["H"]), "white")
    draw = ImageDraw.Draw(img)
    font = _font(13 * k)
    for tick in (-1, 0, 1):
        x = _px(tick, lay)
        draw.line([(x, axis_y), (x, axis_y + 4 * k)], fill="#555555", width=k)
        draw.text((x, axis_y + 6 * k), f"{tick:+d}" if tick else "0", fill="#333333", font=font, anchor="mt")
    draw.line([(lay["left"], axis_y), (lay["right"], axis_y)], fill="#555555", width=k)
    draw.line([(_px(0, lay), lay["top"] - 6 * k), (_px(0, lay), axis_y)], fill="#aaaaaa", width=k)
    for i, name in enumerate(_NAMES):
        y = lay["top"] + i * lay["row"] + 10 * k
        draw.text((lay["left"] - 8 * k, y), name, fill="black", font=font, anchor="rm")
    return img


def gate_frame_png(x: float, h_prev: float, b_r: float = 0.0, b_z: float = 0.0, *, scale: int = 1) -> bytes:
    """PNG of the explorer cell's r, z (in [0, 1]) and n, h_new (in [−1, 1]) as bars, h_prev dashed (Pillow).

    ``scale`` multiplies the 440 × 205 pixel size (2 for a sharper picture). A few milliseconds per frame and
    about 3 kB of PNG (32 colours), which is what lets the kernel-free explorer pre-draw every slider position.
    """
    from PIL import Image, ImageDraw

    v = gate_values(x, h_prev, b_r, b_z)
    lay = _layout(scale)
    k, top, row, axis_y = lay["k"], lay["top"], lay["row"], lay["axis_y"]
    img = _background(scale).copy()
    draw = ImageDraw.Draw(img)
    font = _font(13 * k)
    zero = _px(0, lay)
    for i, (value, colour) in enumerate(zip((v["r"], v["z"], v["n"], v["h"]), COLOURS)):
        y, end = top + i * row, _px(value, lay)
        draw.rectangle([min(zero, end), y, max(zero, end), y + 20 * k], fill=colour)
        draw.text((end + (5 if value >= 0 else -5) * k, y + 10 * k), f"{value:+.2f}", fill="black", font=font,
                  anchor="lm" if value >= 0 else "rm")
    hx = _px(h_prev, lay)               # the previous state, dashed
    for y in range(top - 6 * k, axis_y, 8 * k):
        draw.line([(hx, y), (hx, min(y + 4 * k, axis_y))], fill="#333333", width=k)
    draw.text((hx, axis_y + 22 * k), f"h_prev = {h_prev:+.1f}", fill="#333333", font=font, anchor="mt")
    buf = io.BytesIO()
    img.quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG")   # a small file
    return buf.getvalue()


def gate_explorer(values: dict | None = None, x: float = EXPLORER_X):
    """Kernel-free explorer: one pre-drawn frame (:func:`gate_frame_png`) per combination of :data:`EXPLORER_VALUES`.

    The input is fixed at ``x``; the sliders move h_prev, b_r and b_z.
    """
    values = values or EXPLORER_VALUES
    # first frame: a visible mix, z ≈ 0.6, h_new between the candidate (≈ 0.74) and h_prev = −0.6
    start = {"h_prev": -0.6, "b_r": 0.0, "b_z": 0.0}
    initial = {k: v for k, v in start.items() if v in values.get(k, [])}
    return frame_explorer(functools.partial(gate_frame_png, x), values, initial=initial,
                          title=f"One GRU unit, input x = {x:g}: move the previous state and the gate biases")


def live_gate_explorer():  # pragma: no cover - needs a running kernel
    """The same view with ipywidgets sliders (continuous values; needs a kernel)."""
    from IPython.display import Image, display
    from ipywidgets import FloatSlider, interact

    def show(x, h_prev, b_r, b_z):
        display(Image(gate_frame_png(x, h_prev, b_r, b_z, scale=2), width=440))

    return interact(show, x=FloatSlider(min=-3, max=3, step=0.1, value=1.0),
                    h_prev=FloatSlider(min=-1, max=1, step=0.05, value=0.5),
                    b_r=FloatSlider(min=-6, max=6, step=0.5, value=0.0),
                    b_z=FloatSlider(min=-6, max=6, step=0.5, value=0.0))


# ------------------------------------------------------------------ a constant update gate: a moving average

def constant_gate_unit(z: float, w_in: float = 1.0) -> GRU:
    """A one-unit GRU whose update gate is the constant ``z`` and whose candidate is n = tanh(w_in · x).

    All recurrent weights are zero and the update gate's bias is logit(z), so h_t = z h_{t-1} + (1 − z) tanh(w_in x_t):
    an exponential moving average of the candidates with coefficient z.
    """
    if not 0 < z < 1:
        raise ValueError(f"z must lie strictly between 0 and 1; got {z!r}")
    unit = GRU(1, 1)
    unit.set_parameters(weight_ih=np.array([[0.0], [0.0], [w_in]]), weight_hh=np.zeros((3, 1)),
                        bias_ih=np.array([0.0, np.log(z / (1 - z)), 0.0]), bias_hh=np.zeros(3))
    return unit


def memory_steps(z: float, T: int | None = None) -> int:
    """Steps until a constant-z unit started at h_0 = 1 with zero input (n = 0) falls below 1/e: h_k = z^k."""
    T = T or int(10 / (1 - z)) + 10
    out, _ = constant_gate_unit(z).forward(np.zeros((1, T, 1)), np.ones((1, 1)))
    below = np.flatnonzero(out[0, :, 0] < np.exp(-1))
    if below.size == 0:
        raise ValueError(f"h did not fall below 1/e within T = {T} steps")
    return int(below[0]) + 1


def plot_constant_gates(zs=(0.5, 0.9, 0.97), T: int = 120, seed: int = 0):
    """One noisy input with a step in the middle, and the states of constant-z units: a moving average each."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, T + 1)
    x = np.where(t > T // 2, 1.0, -0.5) + 0.6 * rng.standard_normal(T)
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    ax.plot(t, np.tanh(x), color="#bbbbbb", lw=1, label="candidate $n_t = \\tanh(x_t)$")
    for i, z in enumerate(zs):
        out, _ = constant_gate_unit(z).forward(x[None, :, None])
        ax.plot(t, out[0, :, 0], color=f"C{i}", lw=2, label=f"z = {z}: memory ≈ {1 / (1 - z):.0f} steps")
    ax.set(xlabel="time step $t$", ylabel="$h_t$")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


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
