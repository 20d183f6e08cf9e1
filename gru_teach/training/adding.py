"""Chapter 1's experiment: tanh RNN vs GRU on the adding problem at several lengths and seeds.

``python -m gru_teach.training.adding`` runs the full comparison and writes ``gru_teach/data/ch01_adding.json``
with its provenance; the chapter plots that file and re-runs one seed live.
``python -m gru_teach.training.adding --exercise`` runs the experiments of the chapter's exercise "Push the
experiment further" (:func:`exercise_experiment`) and writes ``gru_teach/data/ch01_exercise.json``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from .. import tasks
from ..data import provenance, save_results
from .loop import SequenceModel, evaluate, train


def adding_run(cell: str, T: int, *, hidden: int = 16, steps: int = 300, batch: int = 32, lr: float = 0.02,
               clip: float | None = 1.0, seed: int = 0, test_size: int = 1000, threads: int | None = 1):
    """Train one ``cell`` model on the adding problem of length T; return ``(model, history, test_mse)``.

    Adam, MSE loss, fresh batches every step (data seed = 1000 + seed), a fixed test set (seed 12345);
    one torch thread while training by default (``threads=1``: as fast for these small models, and not slowed
    down by a busy machine; see :func:`torch_threads`).
    """
    torch.manual_seed(seed)
    model = SequenceModel(2, hidden, 1, cell=cell)
    rng = np.random.default_rng(1000 + seed)
    history = train(model, lambda step: tasks.adding_problem(batch, T, rng), nn.functional.mse_loss,
                    torch.optim.Adam(model.parameters(), lr=lr), steps, clip=clip, threads=threads)
    x_test, y_test = tasks.adding_problem(test_size, T, 12345)
    return model, history, evaluate(model, x_test, y_test, nn.functional.mse_loss)


#: hidden sizes that give the two models about the same number of parameters (925 and 977 with the read-out)
ADDING_HIDDEN = {"RNN": 28, "GRU": 16, "LSTM": 14}


def adding_experiment(T_values=(10, 50, 100), cells=("RNN", "GRU"), seeds=(0,), hidden=None, **kwargs) -> list[dict]:
    """:func:`adding_run` for every (cell, T, seed); a list of records with test MSE, parameters and timing.

    ``hidden``: one size for all cells, a dict by cell, or None for :data:`ADDING_HIDDEN` (similar parameter counts).
    """
    sizes = ADDING_HIDDEN if hidden is None else hidden if isinstance(hidden, dict) else dict.fromkeys(cells, hidden)
    records = []
    for T in T_values:
        for cell in cells:
            for seed in seeds:
                model, hist, mse = adding_run(cell, T, seed=seed, hidden=sizes[cell], **kwargs)
                records.append({"cell": cell, "T": T, "seed": seed, "hidden": sizes[cell], "test_mse": mse,
                                "parameters": sum(p.numel() for p in model.parameters()),
                                "final_train_loss": hist.final_loss(), "seconds": round(hist.seconds, 2)})
    return records


def plateau_steps(loss, baseline: float, window: int = 20) -> int | None:
    """First step from which the ``window``-step moving average of ``loss`` is below ``baseline / 2``; None if never."""
    loss = np.asarray(loss, dtype=float)
    if len(loss) < window:
        return None
    smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
    below = np.flatnonzero(smooth < 0.5 * baseline)
    return int(below[0]) if below.size else None


def exercise_experiment(seeds=(0, 1, 2), steps: int = 300, T_long: int = 200, T_short: int = 50,
                        big_hidden: int = 112) -> list[dict]:
    """The three parts of chapter 1's exercise "Push the experiment further", for each seed.

    1. a GRU (16 units) and, for comparison, a tanh RNN (28 units) at ``T_long``: test MSE, the step at which the
       GRU's smoothed loss leaves the baseline (:func:`plateau_steps`), and after training the gradient norm
       ‖∂h_T/∂h_0‖ across all ``T_long`` steps on 8 test sequences and the number of GRU units whose mean z > 0.95;
    2. the RNN at ``T_short`` with ``big_hidden`` units (clipped to 1) and with 28 units and no clipping.
    Every run: :func:`adding_run` with its defaults (Adam 0.02, batch 32, ``steps`` steps).
    """
    from ..analysis import vanishing
    from ..cells import GRU, RNN

    baseline = tasks.adding_baseline_mse()
    x_probe, _ = tasks.adding_problem(8, T_long, seed=7)
    runs = {"long_gru": ("GRU", T_long, ADDING_HIDDEN["GRU"], 1.0),
            "long_rnn": ("RNN", T_long, ADDING_HIDDEN["RNN"], 1.0),
            "big_rnn": ("RNN", T_short, big_hidden, 1.0),
            "unclipped_rnn": ("RNN", T_short, ADDING_HIDDEN["RNN"], None)}
    records = []
    for seed in seeds:
        for name, (cell, T, hidden, clip) in runs.items():
            model, hist, mse = adding_run(cell, T, hidden=hidden, steps=steps, clip=clip, seed=seed)
            rec = {"run": name, "cell": cell, "T": T, "hidden": hidden, "clip": clip, "seed": seed,
                   "test_mse": mse, "diverged": bool(hist.diverged), "plateau": plateau_steps(hist.loss, baseline),
                   "seconds": round(hist.seconds, 2)}
            if T == T_long:
                layer = (GRU if cell == "GRU" else RNN).from_torch(model.rnn)
                rec["grad_norm_full_lag"] = float(vanishing.layer_gradient_norms(layer, x_probe)[T_long])
                if cell == "GRU":
                    rec["units_z_above_095"] = int(np.sum(layer.last_gates()["z"].mean(axis=(0, 1)) > 0.95))
            records.append(rec)
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gru_teach.training.adding",
                                     description="Run chapter 1's adding-problem comparison and save it as JSON.")
    parser.add_argument("--T", type=int, nargs="+", default=[10, 25, 50, 100, 150])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--out", default=None, help="output file (default: gru_teach/data/ch01_adding.json, "
                                                    "or ch01_exercise.json with --exercise)")
    parser.add_argument("--exercise", action="store_true",
                        help="run the exercise's experiments (exercise_experiment) instead of the comparison")
    args = parser.parse_args(argv)
    t0 = time.time()
    if args.exercise:
        records = exercise_experiment(args.seeds, steps=300)
        command = "python -m gru_teach.training.adding --exercise --seeds " + " ".join(map(str, args.seeds))
        result = {"provenance": provenance(command, time.time() - t0, threads="1 torch thread per run"),
                  "settings": {"steps": 300, "batch": 32, "lr": 0.02}, "baseline_mse": tasks.adding_baseline_mse(),
                  "records": records}
        path = save_results(result, args.out, "ch01_exercise.json")
        print(f"wrote {path} in {result['provenance']['seconds']} s")
        return
    settings = {"steps": args.steps, "batch": 32, "lr": 0.02, "clip": 1.0}
    records = adding_experiment(args.T, ("RNN", "GRU"), args.seeds, **settings)
    settings["hidden"] = {c: ADDING_HIDDEN[c] for c in ("RNN", "GRU")}
    command = "python -m gru_teach.training.adding " + " ".join(
        f"--{k} {' '.join(map(str, v))}" for k, v in (("T", args.T), ("seeds", args.seeds), ("steps", [args.steps])))
    result = {"provenance": provenance(command, time.time() - t0, threads="1 torch thread per run"),
              "settings": settings, "baseline_mse": tasks.adding_baseline_mse(), "records": records}
    path = save_results(result, args.out, "ch01_adding.json")
    print(f"wrote {path} in {result['provenance']['seconds']} s")


if __name__ == "__main__":
    main()
