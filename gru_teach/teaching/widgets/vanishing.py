"""Chapter 1's explorer: gradient norm against lag for a chosen recurrent matrix scale, length and model.

A thin view over :func:`gru_teach.analysis.vanishing.gradient_norms_vs_lag`: each frame is one call of that pure
function plus the bound (γ σ_max)^k; :func:`explorer` pre-renders every combination with
:func:`gru_teach.teaching.widgets.frames.frame_explorer`, so the sliders work on the static website too.
"""
from __future__ import annotations

import numpy as np

from ...analysis import vanishing
from .frames import frame_explorer

MODEL_LABELS = {"tanh": "RNN (tanh)", "relu": "RNN (relu)", "gru": "GRU"}


def explorer_frame(model: str = "tanh", radius: float = 0.9, T: int = 50):
    """One frame: measured ‖∂h_T/∂h_{T−k}‖ for ``model`` at spectral radius ``radius``, with the RNN bound."""
    import matplotlib.pyplot as plt

    norms = vanishing.gradient_norms_vs_lag(model, radius, T)
    label = f"{MODEL_LABELS[model]}, radius {radius}"
    theory = {label: vanishing.theory_bound(radius, np.arange(T + 1))} if model != "gru" else None
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.15, top=0.9)
    title = f"at lag k = T = {T}: {norms[-1]:.1e}"
    if model == "gru":
        title += "  (GRU, default gate biases: z ≈ 0.5)"
    vanishing.plot_norms_vs_lag({label: norms}, theory, ax=ax, tight=False, ylim=(1e-20, 1e10), title=title)
    ax.set_xlim(0, 100)
    return fig


def explorer(models=("tanh", "relu", "gru"), radii=(0.5, 0.9, 1.0, 1.1, 1.5), lengths=(25, 100), dpi=100):
    """A kernel-free slider explorer over every (model, radius, T) combination."""
    return frame_explorer(lambda model, radius, T: explorer_frame(model, radius, T),
                          {"model": list(models), "radius": list(radii), "T": list(lengths)},
                          title="Gradient norm vs lag", dpi=dpi)
