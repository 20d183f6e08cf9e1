"""Reading chapter 4's comparison: the results table, learning curves with their spread, and the counting plots.

Everything takes the dict that :mod:`gru_teach.training.compare` writes (``load_results("ch04_compare.json")``)
or a live run of the same shape, so the committed file and a small rerun are shown the same way.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..analysis.trace import HTMLTable, render_table
from .compare import MODELS, summarise

MODEL_COLOURS = {"RNN": "#7f7f7f", "GRU": "#d62728", "LSTM": "#1f77b4", "LSTM-fb1": "#17becf"}
METRIC_LABELS = {"test_mse": "test MSE", "test_ce": "test cross-entropy (nats/step)",
                 "test_accuracy": "test accuracy", "generalisation_n": "correct up to n"}
SHORT_LABELS = {"test_mse": "MSE ↓", "test_ce": "CE ↓", "test_accuracy": "accuracy ↑", "generalisation_n": "n ↑"}


def task_info(result, name: str) -> dict:
    """The settings the results file recorded for task ``name``."""
    for task in result["tasks"]:
        if task["name"] == name:
            return task
    raise KeyError(f"no task {name!r} in these results; they have {[t['name'] for t in result['tasks']]}")


def format_score(metric: str, mean: float, std: float) -> str:
    """A score as the table prints it: accuracy in %, n with one decimal, losses with 2 significant digits."""
    if metric == "test_accuracy":
        return f"{100 * mean:.1f} ± {100 * std:.1f} %"
    if metric == "generalisation_n":
        return f"{mean:.1f} ± {std:.1f}"
    if 0 < mean < 0.01:
        exponent = int(np.floor(np.log10(mean)))
        return f"{mean / 10 ** exponent:.1f} ± {std / 10 ** exponent:.1f} e{exponent}"
    return f"{mean:.3f} ± {std:.3f}"


def results_table(result, fmt: str = "html"):
    """Task × model: mean ± standard deviation over seeds of each task's headline metric, with the baseline.

    (Hidden sizes are in ``result["tasks"][k]["hidden"]``; losses below 0.01 are written "2.6 ± 0.9 e-4".)
    """
    summary = summarise(result["records"])
    models = [m for m in result.get("models", MODELS) if any(m in s for s in summary.values())]
    head = ["task, metric", "baseline"] + models
    body = []
    for task in result["tasks"]:
        row = summary.get(task["name"], {})
        base = task["baseline"]
        base = "—" if base is None else (f"{100 * base:.0f} %" if task["metric"] == "test_accuracy" else f"{base:.3f}")
        cells = [format_score(task["metric"], row[m]["mean"], row[m]["std"]) if m in row else "" for m in models]
        body.append([f"{task['name']}, {SHORT_LABELS[task['metric']]}", base] + cells)
    seeds = len(result.get("seeds", [])) or "several"
    table = render_table(head, body, caption=f"mean ± standard deviation over {seeds} seeds", fmt=fmt)
    # class scroll-x (_static/scroll-x.css): on a narrow screen the table scrolls inside the text column
    return HTMLTable(f'<div class="scroll-x" style="font-size:0.78em">{table}</div>') if fmt == "html" else table


def _curves(result, task: str, model: str) -> np.ndarray:
    return np.array([r["curve"] for r in result["records"] if r["task"] == task and r["model"] == model])


def plateau_exit(result, task: str, model: str, level: float = 0.5):
    """The first training step at which the seed-averaged loss curve of ``model`` falls below ``level`` × the task's
    baseline (it left the plateau of the trivial solution), or None if it never does."""
    info = task_info(result, task)
    curves = _curves(result, task, model)
    if curves.size == 0 or info["baseline"] is None:
        return None
    below = np.flatnonzero(curves.mean(axis=0) < level * info["baseline"])
    return None if below.size == 0 else int(round((below[0] + 1) * info["steps"] / curves.shape[1]))


def plot_learning_curves(result, task_names, *, ncols: int = 2, log=None):
    """Training loss against steps, one panel per task: the mean over seeds and the band from the lowest to the
    highest seed; the baseline of the task dashed; the legend in a panel of its own. Returns the Figure."""
    task_names = list(task_names)
    nrows = (len(task_names) + 1 + ncols - 1) // ncols          # one extra panel for the legend
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 3.2 * nrows), squeeze=False)
    axes = axes.ravel()
    for ax, name in zip(axes, task_names):
        info = task_info(result, name)
        for model in result.get("models", MODELS):
            curves = _curves(result, name, model)
            if curves.size == 0:
                continue
            steps = np.linspace(0, info["steps"], curves.shape[1], endpoint=False) + info["steps"] / curves.shape[1]
            ax.plot(steps, curves.mean(axis=0), color=MODEL_COLOURS[model], label=model, lw=1.6)
            ax.fill_between(steps, curves.min(axis=0), curves.max(axis=0), color=MODEL_COLOURS[model], alpha=0.18)
        if info["kind"] in ("adding", "copy") and info["baseline"] is not None:
            ax.axhline(info["baseline"], color="k", ls="--", lw=1, label="baseline")
        if log if log is not None else info["kind"] in ("adding", "counting"):
            ax.set_yscale("log")
        ax.set_title(name)
        ax.set_xlabel("training step")
        ax.set_ylabel("training loss")
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[len(task_names):]:
        ax.axis("off")
    axes[len(task_names)].legend(handles, labels, loc="center", fontsize=11,
                                 title="mean over seeds; band: lowest to highest seed")
    fig.tight_layout()
    return fig


def counting_correct_by_n(result, model: str, task: str = "anbn") -> np.ndarray:
    """(seeds, n): 1 where that seed's model predicts the string aⁿbⁿ correctly."""
    return np.array([r["metrics"]["correct_by_n"] for r in result["records"]
                     if r["task"] == task and r["model"] == model])


def plot_counting(result, task: str = "anbn", models=("GRU", "LSTM", "LSTM-fb1", "RNN")):
    """Top left: the share of seeds that predict aⁿbⁿ correctly, against n (training range shaded). The other panels:
    the memory after reading aⁿ against n for seed 0 — the counting cell-state unit of the LSTM and of LSTM-fb1, and
    the GRU's most linear state unit (each on its own scale)."""
    info = task_info(result, task)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    left = axes[0, 0]
    for model in models:
        correct = counting_correct_by_n(result, model, task)
        if correct.size:
            n = np.arange(1, correct.shape[1] + 1)
            left.step(n, correct.mean(axis=0), where="mid", color=MODEL_COLOURS[model], label=model, lw=1.6)
    left.set_ylabel("share of seeds correct")
    left.set_ylim(-0.05, 1.05)
    left.set_title("aⁿbⁿ: every prediction right?")
    left.legend(fontsize=9, loc="upper right")
    states = result["counting_states"]
    panels = ((axes[0, 1], "LSTM", "LSTM: cell state $c$"), (axes[1, 0], "GRU", "GRU: state $h$"),
              (axes[1, 1], "LSTM-fb1", "LSTM-fb1: cell state $c$"))
    for ax, model, label in panels:
        if model in states:
            s = states[model]
            ax.plot(s["n"], np.asarray(s["turn"])[:, s["unit"]], color=MODEL_COLOURS[model], lw=1.8)
            ax.set_title(f"{label} (unit {s['unit'] + 1}) after aⁿ")
            ax.set_ylabel("state")
    axes[1, 0].set_ylim(-1.05, 1.05)
    for ax in axes.ravel():
        ax.axvspan(0.5, info["length"] + 0.5, color="0.88", zorder=0)
        ax.set_xlabel("n")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_string_states(nets: dict, n: int):
    """The memory of trained counting models along one string aⁿbⁿ, one panel per model (every unit a line): an
    LSTM's cell state c_t, a GRU's state h_t. ``nets``: {label: trained network}."""
    from .compare import string_states

    fig, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 3.8), squeeze=False)
    for ax, (label, net) in zip(axes[0], nets.items()):
        ax.plot(np.arange(1, 2 * n + 1), string_states(net, n), lw=1.4)
        ax.axvline(n + 0.5, color="k", lw=0.8)
        ax.text(n / 2, 1.02, "a's", transform=ax.get_xaxis_transform(), ha="center")
        ax.text(1.5 * n, 1.02, "b's", transform=ax.get_xaxis_transform(), ha="center")
        ax.set_xlabel("step t")
        ax.set_ylabel("$c_t$" if "LSTM" in label else "$h_t$")
        ax.set_title(label, pad=16)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
