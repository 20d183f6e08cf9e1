"""Chapter 5's figures: training curves, forecasts against the truth, errors by horizon, seeds per variant."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator


def plot_curves(curves: dict, *, title: str = "", ylabel: str = "loss", logy: bool = False, best: str = "min",
                ax=None):
    """Per-epoch curves, ``{label: values}`` (e.g. ``history.curves["train_loss"]``); a dot marks the best epoch
    (``best="min"`` for losses, ``"max"`` for accuracies) of every curve whose label starts with "val"."""
    if best not in ("min", "max"):
        raise ValueError(f"best must be 'min' or 'max'; got {best!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, color=f"C{i}", label=label)
        if label.startswith("val") and len(values):
            k = int(np.nanargmin(values) if best == "min" else np.nanargmax(values))
            ax.plot(epochs[k], values[k], "o", color=f"C{i}")
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))      # epochs are whole numbers
    ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax.figure


def plot_forecasts(years, truth, predictions: dict, *, step: int = 0, title: str = "", ax=None):
    """The truth and each forecaster's prediction ``step`` years ahead (0: next year) for the test windows."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, 3.4))
    years = np.asarray(years) + step
    ax.plot(years, np.asarray(truth)[:, step], "k-", lw=2, label="observed")
    for i, (label, pred) in enumerate(predictions.items()):
        ax.plot(years, np.asarray(pred)[:, step], "--" if i else "-", color=f"C{i}", label=label)
    ax.set(xlabel="year", ylabel="sunspot number", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax.figure


def plot_rmse_by_horizon(rmse: dict, *, title: str = "", ax=None):
    """RMSE per step ahead, ``{label: (horizon,) array, or (seeds, horizon) for a mean with its range}``."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.4))
    for i, (label, values) in enumerate(rmse.items()):
        values = np.atleast_2d(np.asarray(values, dtype=float))
        h = np.arange(1, values.shape[1] + 1)
        seeds = f" (mean; band: min–max of {len(values)} seeds)" if len(values) > 1 else ""
        ax.plot(h, values.mean(0), "o-", color=f"C{i}", label=label + seeds)
        if len(values) > 1:
            ax.fill_between(h, values.min(0), values.max(0), color=f"C{i}", alpha=0.15)
    ax.set(xlabel="years ahead", ylabel="test RMSE (sunspot number)", title=title, xticks=h)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax.figure


def plot_seeds(groups: dict, *, ylabel: str, title: str = "", reference: dict | None = None, ax=None):
    """One column per variant: a dot per seed and a bar at the mean; ``reference`` (e.g. the committed run's
    scores, ``{variant: [scores]}``) as hollow diamonds beside them."""
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * len(groups) + 3.6, 3.2))
    for i, (label, scores) in enumerate(groups.items()):
        scores = np.asarray(scores, dtype=float)
        ax.plot(np.full(len(scores), i - 0.08), scores, "o", color=f"C{i}", alpha=0.8)
        ax.plot([i - 0.25, i + 0.09], [scores.mean()] * 2, "-", color=f"C{i}", lw=2)
        if reference is not None and label in reference:
            ref = np.asarray(reference[label], dtype=float)
            ax.plot(np.full(len(ref), i + 0.18), ref, "D", mfc="none", color=f"C{i}", ms=5)
    ax.set_xticks(range(len(groups)), [str(k) for k in groups])
    ax.set(ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, axis="y")
    if reference is not None:
        ax.plot([], [], "ko", label="live (this page)")
        ax.plot([], [], "kD", mfc="none", label="committed run")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        ax.figure.tight_layout()
    return ax.figure
