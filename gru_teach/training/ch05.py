"""Chapter 5's committed run: ``python -m gru_teach.training.ch05`` (on a CPU: ``nice -n 10`` and some patience).

Writes three results files into ``gru_teach/data/`` (each with its provenance: command, date, versions, machine,
device, wall time; ``--only forecast|tasks|advice`` writes one):

* ``ch05_forecast.json``: the sunspot forecaster under every setup of
  :data:`gru_teach.training.real_tasks.FORECAST_SETUPS` (5 seeds), with the baselines under each protocol;
* ``ch05_tasks.json``: the other real tasks at full size — the word → language classifier (packed vs the padded
  read-out, 3 seeds), the two translated Keras models, and the character language model with samples;
* ``ch05_advice.json``: the learning-rate grid per optimizer and the five training-advice experiments at full
  size (:data:`gru_teach.training.advice.SIZES` ``["full"]``); the verdicts are computed from the records where they
  are shown.

The chapter plots these files and re-runs small versions live. ``--quick`` shrinks everything (a smoke test).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from ..data import provenance, save_results
from ..tasks import language, pydoc_text
from . import advice, real_tasks
from .device import describe_device, pick_device
from .loop import torch_threads


def _strip(run: dict, keep=()) -> dict:
    """A run's numbers without the model (JSON-friendly); curves from its history."""
    out = {k: v for k, v in run.items() if k not in ("model", "history")}
    if "history" in run:
        out["curves"] = run["history"].curves
        out["epochs_run"] = run["history"].epochs
    return out


def forecast_results(quick: bool, log) -> dict:
    seeds = (0,) if quick else (0, 1, 2, 3, 4)
    return {"forecast": real_tasks.forecast_protocols(seeds=seeds, log=log, **({"epochs": 5} if quick else {}))}


def tasks_results(quick: bool, log) -> dict:
    results = {}
    data = language.language_data(per_language=300 if quick else 2000)
    runs = []
    for packed in (True, False):
        for seed in ((0,) if quick else (0, 1, 2)):
            run = real_tasks.language_run(data, seed=seed, epochs=1 if quick else 12, packed=packed, patience=3)
            runs.append({"packed": packed, "seed": seed, **_strip(run)})
            log(f"language packed={packed} seed {seed}: test accuracy {run['test_accuracy']:.3f}")
    results["language"] = {"words": {"train": len(data.train), "val": len(data.val), "test": len(data.test)},
                           "ambiguous_removed": data.ambiguous, "runs": runs}
    binary = real_tasks.binary_subset(data)
    results["keras_binary"] = []
    for seed in ((0,) if quick else (0, 1, 2)):
        run = real_tasks.keras_binary_run(binary, seed=seed, epochs=1 if quick else 10)
        results["keras_binary"].append({"seed": seed, **_strip(run)})
        log(f"keras binary seed {seed}: {run['test_accuracy']:.3f}")
    run = real_tasks.keras_stacked_run(data, epochs=1 if quick else 8, max_steps=5 if quick else None)
    results["keras_stacked"] = _strip(run)
    log(f"keras stacked: {run['test_accuracy']:.3f}")
    text = pydoc_text.text_data()
    run = real_tasks.charlm_run(text, hidden=256 if not quick else 32, embed=64 if not quick else 16,
                                length=100, batch_size=64, epochs=1 if quick else 6, max_steps=3 if quick else None,
                                temperatures=(0.0, 0.5, 0.8, 1.0, 1.5), sample_length=300)
    results["charlm"] = {**_strip(run), "split": text.split, "chars": {k: int(len(getattr(text, k)))
                                                                        for k in ("train", "val", "test")}}
    log(f"char LM: perplexity {run['test_perplexity']:.2f} vs {run['baseline_perplexity']}")
    return results


def advice_results(quick: bool, log) -> dict:
    size = "live" if quick else "full"
    seeds = (0, 1) if quick else None
    grid = advice.learning_rate_grid(size=size, seeds=seeds, log=log)
    lrs = advice.best_learning_rates(grid)
    experiments = advice.run_experiments(size=size, seeds=seeds, lrs=lrs, log=log)
    for e, r in experiments.items():   # the verdicts are recomputed from the records wherever they are shown
        log(f"{e}: {advice.verdict(r, higher_is_better=advice.HIGHER_IS_BETTER[e], label=advice.label(e)).text}")
    return {"size": size, "sizes": advice.SIZES[size], "validation": advice.validation_sizes(size), "lr_grid": grid,
            "best_lrs": lrs, "experiments": experiments}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gru_teach.training.ch05",
                                     description="Chapter 5's full-size runs; writes gru_teach/data/ch05_*.json.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, writes to --out-dir")
    parser.add_argument("--only", choices=["forecast", "tasks", "advice"], default=None)
    parser.add_argument("--out-dir", default=None, help="folder for the JSON files (default: gru_teach/data)")
    args = parser.parse_args(argv)
    device = pick_device("cpu")     # the runs are sized for a CPU; the device is named in the provenance
    command = "python -m gru_teach.training.ch05" + (" --quick" if args.quick else "") + (
        f" --only {args.only}" if args.only else "")

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    for name, fn in (("forecast", forecast_results), ("tasks", tasks_results), ("advice", advice_results)):
        if args.only not in (None, name):
            continue
        t0 = time.time()
        with torch_threads(1):
            result = fn(args.quick, log)
            where = describe_device(device)
        result = {"provenance": provenance(command, time.time() - t0, device=where,
                                           threads="1 torch thread, runs one after another"), **result}
        out = None if args.out_dir is None else f"{args.out_dir}/ch05_{name}.json"
        path = save_results(_jsonable(result), out, f"ch05_{name}.json")
        log(f"wrote {path} in {result['provenance']['seconds']} s")


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    return obj


if __name__ == "__main__":
    main()
