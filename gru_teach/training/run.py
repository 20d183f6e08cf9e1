"""The training entry point: ``python -m gru_teach.training.run <task> [options]``.

One command trains one of the book's tasks with :func:`gru_teach.training.train` on the best device available
(cuda → mps → cpu), with validation, early stopping, a checkpoint that a later call resumes bit for bit, and a
final score on the test split that training never saw::

    python -m gru_teach.training.run sunspots --progress
    python -m gru_teach.training.run language --epochs 20 --checkpoint run.pt --progress
    python -m gru_teach.training.run language --epochs 40 --checkpoint run.pt --resume   # continue to 40

Tasks: ``adding`` (chapter 1's synthetic task), ``sunspots``, ``language`` and ``charlm`` (chapter 5).

Tasks register a builder in :data:`TASKS` (``name -> builder(seed=..., size=...) -> TaskSetup``). :func:`fit` is
the part a multi-process launcher reuses: it accepts a ``train_sampler`` (e.g. a ``DistributedSampler``) and a
``wrap_model`` function (e.g. ``lambda m: DistributedDataParallel(m)``), and only the main process writes files.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from . import distributed
from .data import as_dataset, make_loader
from .device import describe_device, pick_device, seed_everything
from .loop import (EarlyStopping, SequenceModel, evaluate_on, make_optimizer, torch_threads,
                   train)


@dataclass
class TaskSetup:
    """Everything :func:`fit` needs for one task: model, data splits, loss, metrics and sensible defaults.

    ``monitor``: the validation value early stopping watches (``"val_loss"`` or ``"val_<metric>"``) and ``mode``.
    ``baselines``: test scores of simple baselines, ``{name: {metric: value}}``, for the report.
    """

    name: str
    model: nn.Module
    train: Dataset
    val: Dataset
    test: Dataset
    loss_fn: Callable
    metrics: dict = field(default_factory=dict)
    collate_fn: Callable | None = None
    epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-2
    clip: float | None = 1.0
    monitor: str = "val_loss"
    mode: str = "min"
    patience: int = 5
    baselines: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def adding_task(*, seed: int = 0, size: str = "small") -> TaskSetup:
    """Chapter 1's adding problem (T = 20) as fixed train/validation/test sets: a quick smoke test of the loop."""
    from .. import tasks
    n = {"small": 512, "full": 8192}[size]
    T = 20
    train_set, val_set, test_set = (as_dataset(*tasks.adding_problem(m, T, seed=s))
                                    for m, s in ((n, 1), (n // 4, 2), (n // 4, 3)))
    torch.manual_seed(seed)
    return TaskSetup("adding", SequenceModel(2, 16, 1), train_set, val_set, test_set, nn.functional.mse_loss,
                     epochs=20, batch_size=32, lr=0.02,
                     baselines={"predict 1": {"loss": tasks.adding_baseline_mse()}}, info={"T": T, "samples": n})


def sunspots_task(*, seed: int = 0, size: str = "small") -> TaskSetup:
    """Chapter 5's forecaster: 20 years in, 5 years out, chronological split, scaler fitted on training years."""
    from ..tasks import forecasting
    data = forecasting.forecast_data("chronological")
    parts = [as_dataset(*data.part(p)) for p in ("train", "val", "test")]
    mse = nn.functional.mse_loss
    persist = np.repeat(forecasting.persistence(data.x_test), data.horizon, 1)
    ar = forecasting.LinearAR.select(data)
    baselines = {"persistence": {"loss": float(np.mean((persist - data.y_test) ** 2))},
                 f"linear AR({ar.order})": {"loss": float(np.mean((ar.predict(data.x_test) - data.y_test) ** 2))}}
    torch.manual_seed(seed)
    return TaskSetup("sunspots", SequenceModel(1, {"small": 32, "full": 64}[size], data.horizon), *parts, mse,
                     epochs=100, batch_size=32, lr=0.01, patience=10, baselines=baselines,
                     info={"window": data.window, "horizon": data.horizon, "loss units": "scaled to [0, 1]"})


def language_task(*, seed: int = 0, size: str = "small") -> TaskSetup:
    """Chapter 5's word → language classifier (packed character GRU, two layers)."""
    from ..tasks import language
    from .loop import accuracy
    from .text import WordClassifier
    data = language.language_data(per_language={"small": 1000, "full": 2000}[size])
    torch.manual_seed(seed)
    model = WordClassifier(len(data.vocab), len(data.languages), hidden={"small": 32, "full": 64}[size])
    return TaskSetup("language", model, data.train, data.val, data.test, nn.functional.cross_entropy,
                     {"acc": accuracy}, language.pad_and_sort, epochs=15, batch_size=64, lr=5e-3,
                     monitor="val_acc", mode="max", patience=3,
                     baselines={"majority class": {"acc": data.majority_accuracy()}},
                     info={"languages": list(data.languages)})


def charlm_task(*, seed: int = 0, size: str = "small") -> TaskSetup:
    """Chapter 5's character language model of CPython's help text (loss in nats per character)."""
    from ..tasks import pydoc_text
    from .text import CharLM, sequence_cross_entropy
    data = pydoc_text.text_data()
    V, length = len(data.vocab), 100
    torch.manual_seed(seed)
    hidden = {"small": 128, "full": 256}[size]
    base = {name: {"loss": pydoc_text.ngram_cross_entropy(data.train, data.test, V, order)}
            for name, order in (("unigram", 1), ("bigram", 2))}
    return TaskSetup("charlm", CharLM(V, embed=64, hidden=hidden), *(data.chunks(p, length) for p in
                                                                       ("train", "val", "test")),
                     sequence_cross_entropy, epochs=6, batch_size=64, lr=3e-3, patience=2, baselines=base,
                     info={"chunk": length, "hidden": hidden})


#: task name → builder(seed=..., size=...) -> TaskSetup
TASKS: dict[str, Callable[..., TaskSetup]] = {"adding": adding_task, "sunspots": sunspots_task,
                                              "language": language_task, "charlm": charlm_task}


def build(task: str, *, seed: int = 0, size: str = "small") -> TaskSetup:
    """The :class:`TaskSetup` of a registered task (a clear error naming the registered ones otherwise)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {sorted(TASKS)}")
    if size not in ("small", "full"):
        raise ValueError(f"size must be 'small' or 'full'; got {size!r}")
    return TASKS[task](seed=seed, size=size)


def fit(setup: TaskSetup, *, epochs: int | None = None, batch_size: int | None = None, lr: float | None = None,
        device=None, seed: int = 0, checkpoint=None, resume: bool = False, progress: bool = False,
        threads: int | None = None, train_sampler=None, wrap_model=None, optimizer: str = "adam",
        **train_kwargs) -> dict:
    """Train ``setup.model`` (Adam, or ``"sgd"`` with momentum 0.9 or ``"rmsprop"``; early stopping on
    ``setup.monitor``); return a summary: per-epoch curves, the test scores, the baselines', the device, the time.

    ``train_sampler``/``wrap_model``: hooks for distributed training (see the module docstring); further keyword
    arguments go to :func:`gru_teach.training.train` (e.g. ``scheduler``, ``record_every``).
    """
    device = pick_device(device)
    epochs = setup.epochs if epochs is None else epochs
    batch_size = setup.batch_size if batch_size is None else batch_size
    lr = setup.lr if lr is None else lr
    model = setup.model.to(device)
    if wrap_model is not None:
        model = wrap_model(model)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    loader = make_loader(setup.train, batch_size, seed=seed, device=device, collate_fn=setup.collate_fn,
                         sampler=train_sampler)
    val = make_loader(setup.val, max(batch_size, 256), shuffle=False, device=device, collate_fn=setup.collate_fn)
    test = make_loader(setup.test, max(batch_size, 256), shuffle=False, device=device, collate_fn=setup.collate_fn)
    stopper = EarlyStopping(setup.monitor, setup.patience, setup.mode)
    t0 = time.perf_counter()
    history = train(model, loader, setup.loss_fn, opt, epochs=epochs, val_data=val, metrics=setup.metrics,
                    clip=setup.clip, early_stopping=stopper, checkpoint=checkpoint, resume=resume,
                    progress=progress, threads=threads, **train_kwargs)
    seconds = time.perf_counter() - t0
    scores = evaluate_on(model, test, setup.loss_fn, metrics=setup.metrics)
    with torch_threads(threads):
        where = describe_device(device)
    return {"task": setup.name, "device": where, "epochs_run": history.epochs,
            "best_epoch": history.best_epoch, "stopped_early": history.stopped_early, "seconds": round(seconds, 2),
            "settings": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "clip": setup.clip,
                         "optimizer": optimizer, "seed": seed, **setup.info},
            "parameters": sum(p.numel() for p in setup.model.parameters()),
            "curves": history.curves, "test": scores, "baselines": setup.baselines}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m gru_teach.training.run",
                                     description="Train one of the book's tasks with gru_teach.training.train.")
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--epochs", type=int, default=None, help="total epochs (default: the task's)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--optimizer", default="adam", choices=["adam", "sgd", "rmsprop"])
    parser.add_argument("--size", default="small", choices=["small", "full"], help="data/model size")
    parser.add_argument("--device", default="auto", help="auto (cuda → mps → cpu), cuda, cuda:1, mps or cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads while training")
    parser.add_argument("--checkpoint", default=None, help="checkpoint file, written after every epoch")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint if it exists")
    parser.add_argument("--progress", action="store_true", help="show tqdm progress bars")
    parser.add_argument("--out", default=None, help="write the summary as JSON to this file")
    parser.add_argument("--save-weights", default=None,
                        help="save the trained weights here (with {rank} in the name: one file per process)")
    args = parser.parse_args(argv)
    # under torchrun: one process per rank, DistributedDataParallel + DistributedSampler (gru_teach.training.distributed)
    with distributed.session(args.device) as dist:
        seed_everything(args.seed)
        setup = build(args.task, seed=args.seed, size=args.size)
        summary = fit(setup, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, device=dist.device,
                      seed=args.seed, checkpoint=args.checkpoint, resume=args.resume, progress=args.progress,
                      threads=args.threads, optimizer=args.optimizer,
                      train_sampler=dist.sampler(setup.train, seed=args.seed), wrap_model=dist.wrap)
        summary["processes"] = {"world_size": dist.world_size, "backend": dist.backend,
                                "weights_max_diff_across_ranks": dist.weights_max_diff(setup.model)}
        if args.save_weights:
            distributed.save_weights(setup.model, args.save_weights, dist)
    if dist.is_main:
        scores = ", ".join(f"{k} {v:.4g}" for k, v in summary["test"].items())
        base = "; ".join(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in s.items())
                         for name, s in summary["baselines"].items())
        n = dist.world_size
        where = summary["device"] + (f", {n} process{'es' if n > 1 else ''} ({dist.backend})"
                                     if dist.distributed else "")
        print(f"{summary['task']} on {where}: {summary['epochs_run']} epochs "
              f"(best {summary['best_epoch']}) in {summary['seconds']} s; test {scores}"
              + (f"; baselines {base}" if base else ""))
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                json.dump(summary, fh, indent=1, default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
