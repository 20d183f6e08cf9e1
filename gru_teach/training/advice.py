"""Training advice, tested: small controlled experiments over several seeds, each ending in a one-line verdict.

Each experiment changes one thing and keeps everything else fixed (data, split, model size, epochs, seeds); the
score is the best validation value over the epochs (the model that early stopping keeps):

* ``optimizer``: Adam vs SGD with momentum 0.9 vs RMSprop, each at its own best learning rate from a small grid
  (chosen on validation by the committed run; a comparison at one shared learning rate would test the rate);
* ``schedule``: constant vs step decay vs cosine annealing vs one-cycle, same optimizer and peak rate;
  — these two on the sunspot forecaster (:mod:`.forecast`), scored by validation RMSE (sunspot numbers);
* ``clipping``: gradient-norm clipping at 1 vs none;
* ``dropout``: dropout between two stacked GRU layers, 0 vs 0.25 vs 0.5;
* ``normalisation``: none vs batch vs layer normalisation before each GRU layer (real characters only);
  — these three on the word → language classifier (:mod:`.text`), scored by validation accuracy.

:func:`verdict` turns the per-seed scores into a sentence with a rule stated in advance: a variant is *clearly*
better than another only when its worst seed beats the other's best seed; otherwise the two are within the
seed-to-seed spread. With three seeds that is a strict rule: "within the spread" means "not shown", not "equal".
Because every variant runs with the same seeds (the same initial weights and batch order), the verdict also
counts, seed by seed, where the best variant was ahead, level or behind (a paired comparison: it sees a
consistent small advantage that the seed-to-seed spread hides), and it says so when two variants gave exactly
the same score on every seed (for example clipping that never engaged: the two were one run).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..tasks import forecasting, language
from .data import make_loader
from .forecast import forecast_run
from .loop import EarlyStopping, accuracy, evaluate_on, train
from .text import WordClassifier

EXPERIMENTS = ("optimizer", "schedule", "clipping", "dropout", "normalisation")
HIGHER_IS_BETTER = {"optimizer": False, "schedule": False, "clipping": True, "dropout": True, "normalisation": True}
METRIC = {e: ("validation RMSE (sunspot numbers)" if not HIGHER_IS_BETTER[e] else "validation accuracy")
          for e in EXPERIMENTS}

#: the learning-rate grids searched by the committed run, per optimizer
LR_GRID = {"adam": (0.003, 0.01, 0.03, 0.1, 0.3), "sgd": (0.1, 0.3, 1.0, 3.0), "rmsprop": (0.001, 0.003, 0.01, 0.03)}
#: the grid's seeds differ from the experiments' seeds, so that the chosen rate is not scored on the runs that chose it
GRID_SEEDS = (10, 11)
#: learning rates used before the committed run has chosen them
DEFAULT_LRS = {"adam": 0.01, "sgd": 0.3, "rmsprop": 0.003}

#: sizes of the live (CPU) version and of the committed run
SIZES = {
    "live": {"seeds": (0, 1, 2), "window": 10, "hidden": 16, "batch": 128, "forecast_epochs": 25,
             "words": 200, "text_hidden": 24, "text_batch": 128, "text_epochs": 4},
    "full": {"seeds": (0, 1, 2, 3, 4), "window": 20, "hidden": 32, "batch": 32, "forecast_epochs": 40,
             "words": 2000, "text_hidden": 32, "text_batch": 64, "text_epochs": 6},
}


def _schedules():
    """name -> (optimizer, total_steps) -> scheduler (or None)."""
    return {
        "constant": None,
        "step": lambda opt, n: torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, n // 3), gamma=0.3),
        "cosine": lambda opt, n: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=n),
        "one-cycle": lambda opt, n: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=opt.param_groups[0]["lr"],
                                                                         total_steps=n),
    }


def variants(experiment: str) -> tuple:
    """The variants an experiment compares, in the order they are plotted."""
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}; expected one of {EXPERIMENTS}")
    return {"optimizer": tuple(LR_GRID), "schedule": tuple(_schedules()), "clipping": ("clip at 1", "no clipping"),
            "dropout": (0.0, 0.25, 0.5), "normalisation": ("none", "batch", "layer")}[experiment]


def config(experiment: str, variant, lrs: dict | None = None) -> dict:
    """The settings of one variant: everything else stays at the shared baseline (Adam, constant rate, clipping
    at 1, no dropout, no normalisation), so variants of different experiments that coincide run once."""
    lrs = {**DEFAULT_LRS, **(lrs or {})}
    if experiment in ("optimizer", "schedule"):
        opt = variant if experiment == "optimizer" else "adam"
        return {"task": "forecast", "optimizer": opt, "lr": lrs[opt],
                "schedule": variant if experiment == "schedule" else "constant"}
    if experiment in ("clipping", "dropout", "normalisation"):
        return {"task": "text", "clip": None if variant == "no clipping" else 1.0,
                "dropout": variant if experiment == "dropout" else 0.0,
                "norm": variant if experiment == "normalisation" else "none"}
    raise ValueError(f"unknown experiment {experiment!r}; expected one of {EXPERIMENTS}")


def run_config(cfg: dict, seed: int, *, size: str = "live", data=None) -> dict:
    """One seeded run of a :func:`config`, for a fixed number of epochs; ``score``: the best validation RMSE or
    accuracy over the epochs (the model early stopping would keep: it restores the best epoch's weights, with a
    patience as long as the run), the per-epoch validation curve, and for text runs the training accuracy of the
    kept model and the share of steps on which clipping engaged."""
    s = SIZES[size]
    if cfg["task"] == "forecast":
        data = data or forecasting.forecast_data(window=s["window"])
        run = forecast_run(data, seed=seed, hidden=s["hidden"], epochs=s["forecast_epochs"],
                           batch_size=s["batch"], lr=cfg["lr"], optimizer=cfg["optimizer"],
                           scheduler=_schedules()[cfg["schedule"]], patience=s["forecast_epochs"])
        h = run["history"]
        return {"score": float(run["val_rmse"].mean()), "curve": h.curves["val_loss"], "diverged": bool(h.diverged)}
    data = data or language.language_data(per_language=s["words"])
    torch.manual_seed(seed)
    model = WordClassifier(len(data.vocab), len(data.languages), embed=16, hidden=s["text_hidden"], layers=2,
                           dropout=cfg["dropout"], norm=cfg["norm"])
    loader = make_loader(data.train, s["text_batch"], seed=seed, collate_fn=language.pad_and_sort)
    val = make_loader(data.val, 1024, shuffle=False, collate_fn=language.pad_and_sort)
    h = train(model, loader, nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), lr=0.01),
              epochs=s["text_epochs"], val_data=val, metrics={"acc": accuracy}, clip=cfg["clip"], threads=1,
              early_stopping=EarlyStopping("val_acc", s["text_epochs"], "max"))
    train_acc = evaluate_on(model, make_loader(data.train, 1024, shuffle=False, collate_fn=language.pad_and_sort),
                            metrics={"acc": accuracy})["acc"]
    return {"score": max(h.curves["val_acc"]), "curve": h.curves["val_acc"], "train_score": train_acc,
            "clipped_share": float(np.mean(h.grad_norm > 1.0)), "max_grad_norm": float(h.grad_norm.max()),
            "diverged": bool(h.diverged)}


def run_experiments(experiments=EXPERIMENTS, *, size: str = "live", seeds=None, lrs: dict | None = None,
                    log=None, cache: dict | None = None) -> dict[str, list[dict]]:
    """``{experiment: [record per variant and seed]}``; a configuration shared by several experiments (the
    baseline) is trained once per seed — also across calls that pass the same ``cache`` dict.
    ``log(message)`` is called after every run."""
    if isinstance(experiments, str):
        experiments = (experiments,)
    seeds = SIZES[size]["seeds"] if seeds is None else tuple(seeds)
    cache = {} if cache is None else cache
    data = cache.setdefault(("data", size), {"forecast": None, "text": None})
    out = {}
    for experiment in experiments:
        out[experiment] = []
        for variant in variants(experiment):
            cfg = config(experiment, variant, lrs)
            for seed in seeds:
                key = (size, tuple(sorted(cfg.items())), seed)
                if key not in cache:
                    if data[cfg["task"]] is None:
                        data[cfg["task"]] = (forecasting.forecast_data(window=SIZES[size]["window"])
                                             if cfg["task"] == "forecast"
                                             else language.language_data(per_language=SIZES[size]["words"]))
                    cache[key] = run_config(cfg, seed, size=size, data=data[cfg["task"]])
                    if log is not None:
                        log(f"{experiment}: {variant} seed {seed}: score {cache[key]['score']:.4g}")
                out[experiment].append({"experiment": experiment, "variant": variant, "seed": seed, **cfg,
                                        **cache[key]})
    return out


def validation_sizes(size: str = "full") -> dict:
    """How many validation examples a verdict of this size rests on: forecast windows and words."""
    s = SIZES[size]
    return {"forecast windows": len(forecasting.forecast_data(window=s["window"]).y_val),
            "words": len(language.language_data(per_language=s["words"]).val)}


def learning_rate_grid(*, size: str = "full", seeds=None, log=None) -> list[dict]:
    """Every optimizer at every rate of :data:`LR_GRID` (forecaster, constant rate), seeds :data:`GRID_SEEDS`."""
    seeds = GRID_SEEDS if seeds is None else tuple(seeds)
    data = forecasting.forecast_data(window=SIZES[size]["window"])
    records = []
    for opt, rates in LR_GRID.items():
        for lr in rates:
            for seed in seeds:
                cfg = {"task": "forecast", "optimizer": opt, "lr": lr, "schedule": "constant"}
                records.append({"variant": opt, "seed": seed, **cfg, **run_config(cfg, seed, size=size, data=data)})
                if log is not None:
                    log(f"grid: {opt} lr {lr} seed {seed}: {records[-1]['score']:.4g}")
    return records


def best_learning_rates(records: list[dict]) -> dict:
    """From :func:`learning_rate_grid` records, each optimizer's rate with the lowest mean validation RMSE."""
    best = {}
    for opt in dict.fromkeys(r["variant"] for r in records):
        by_lr = {}
        for r in records:
            if r["variant"] == opt:
                by_lr.setdefault(r["lr"], []).append(r["score"])
        best[opt] = min(by_lr, key=lambda lr: np.mean(by_lr[lr]))
    return best


@dataclass
class Verdict:
    """The outcome of an experiment: the best variant (by mean score), the variants it clearly beats, those within
    the seed spread of it, those that gave the very same score on every seed (``identical``, a subset of
    ``within_spread``), the paired count per other variant ``(seeds where best is ahead, level, behind)``, and a
    one-line sentence."""

    best: str
    clearly_worse: list
    within_spread: list
    means: dict
    text: str
    identical: list
    paired: dict


def verdict(records: list[dict], *, higher_is_better: bool, label=str) -> Verdict:
    """Apply the rule of the module docstring to ``records`` (``variant``, ``seed``, ``score``)."""
    scores = {}
    for r in records:
        scores.setdefault(r["variant"], {})[r["seed"]] = r["score"]
    if len(scores) < 2 or min(len(v) for v in scores.values()) < 2:
        raise ValueError("a verdict needs at least two variants with at least two seeds each")
    sign = 1 if higher_is_better else -1
    means = {v: float(np.mean(list(s.values()))) for v, s in scores.items()}
    best = max(means, key=lambda v: sign * means[v])
    worst_of_best = min(sign * x for x in scores[best].values())
    others = [v for v in scores if v != best]
    clearly = [v for v in others if max(sign * x for x in scores[v].values()) < worst_of_best]
    within = [v for v in others if v not in clearly]
    paired = {}
    for v in others:
        diffs = [sign * (scores[best][k] - scores[v][k]) for k in scores[best] if k in scores[v]]
        paired[v] = (sum(d > 0 for d in diffs), sum(d == 0 for d in diffs), sum(d < 0 for d in diffs))
    identical = [v for v in within if paired[v][1] == len(scores[best]) == len(scores[v])]
    if len(identical) == len(others):       # nothing to choose: the variants were one run
        return Verdict(best, clearly, within, means, f"{', '.join(label(v) for v in scores)} gave the same score on "
                       "every seed", identical, paired)
    text = f"{label(best)} is best"
    if clearly:
        text += f"; every seed of it beats every seed of {', '.join(label(v) for v in clearly)}"
    for v in within:
        ahead, level, behind = paired[v]
        if v in identical:
            text += f"; {label(v)} gave the same score as it on every seed"
        else:
            text += (f"; {label(v)} within the seed spread of it (seed by seed: ahead on {ahead}"
                     + (f", level on {level}" if level else "") + f", behind on {behind})")
    return Verdict(best, clearly, within, means, text, identical, paired)


def sign_test_p(ahead: int, behind: int) -> float:
    """Two-sided exact sign test: the probability, if two variants were equally good (each untied seed a fair
    coin), of a split at least as lopsided as ``ahead`` : ``behind``. Ties are left out. 5 : 0 gives 1/16."""
    if min(ahead, behind) < 0:
        raise ValueError(f"counts must be non-negative; got {ahead}, {behind}")
    n, k = ahead + behind, max(ahead, behind)
    if n == 0:
        return 1.0
    from math import comb
    return min(1.0, 2 * sum(comb(n, i) for i in range(k, n + 1)) / 2 ** n)


def label(experiment: str):
    """How a variant is named on the page."""
    if experiment == "dropout":
        return lambda v: f"dropout {float(v):g}"
    if experiment == "normalisation":
        return lambda v: {"none": "no normalisation", "batch": "batch norm", "layer": "layer norm"}[v]
    if experiment == "optimizer":
        return lambda v: {"adam": "Adam", "sgd": "SGD+momentum", "rmsprop": "RMSprop"}[v]
    return str


def plot_verdicts(experiment: str, live: list[dict], committed: list[dict] | None = None):
    """Plot the live seeds beside the committed run's, print both verdicts; return them (live, committed)."""
    from .figures import plot_seeds
    name = label(experiment)

    def groups(records):
        out = {}
        for r in records:
            out.setdefault(name(r["variant"]), []).append(r["score"])
        return out
    higher = HIGHER_IS_BETTER[experiment]
    plot_seeds(groups(live), ylabel=METRIC[experiment], title=experiment,
               reference=groups(committed) if committed else None)
    import textwrap
    v_live = verdict(live, higher_is_better=higher, label=name)
    print(textwrap.fill(v_live.text, 76, initial_indent="live:      ", subsequent_indent=" " * 11))
    v_file = None
    if committed:
        v_file = verdict(committed, higher_is_better=higher, label=name)
        print(textwrap.fill(v_file.text, 76, initial_indent="committed: ", subsequent_indent=" " * 11))
    return v_live, v_file
