"""Chapter 5's three real tasks, each one function that trains with :func:`gru_teach.training.train` and scores
the result against its baselines (sizes are arguments: small on the CI's CPU, larger in the committed run).

* :func:`forecast_protocols`: the sunspot forecaster under the honest and the leaky protocols;
* :func:`language_run`: word → language with the book's packed GRU classifier (or the padded-read-out bug);
* :func:`keras_binary_run`, :func:`keras_stacked_run`: the popular posts' Keras models, translated;
* :func:`charlm_run`: a character language model of CPython's documentation, perplexity vs n-gram baselines.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..tasks import forecasting, language, pydoc_text
from .data import make_loader
from .forecast import forecast_run, future_rmse
from .loop import EarlyStopping, accuracy, evaluate_on, train
from .text import CharLM, KerasBinaryGRU, KerasStackedGRU, WordClassifier, sample, sequence_cross_entropy


#: how the forecaster is trained: the popular recipe's settings (64 units, 100 epochs, no early stopping, its
#: shuffled split and all-years scaler), its shuffled split alone (scaler on the training windows, early stopping
#: on the shuffled validation windows), and the book's chronological protocol (with and without early stopping on
#: the validation years, and with the scaler leak alone)
FORECAST_SETUPS = {
    "recipe": {"protocol": "recipe", "hidden": 64, "epochs": 100, "patience": None},
    "shuffled split only": {"protocol": "shuffled", "hidden": 64, "epochs": 100, "patience": 10},
    "honest, recipe's training": {"protocol": "chronological", "hidden": 64, "epochs": 100, "patience": None},
    "honest, early stopping": {"protocol": "chronological", "hidden": 64, "epochs": 100, "patience": 10},
    "scaler on all years, early stopping": {"protocol": "scaler_on_all", "hidden": 64, "epochs": 100,
                                            "patience": 10},
}


def forecast_setup_run(setup: str, seed: int = 0, *, honest=None, device=None, **overrides) -> dict:
    """One seeded run of a :data:`FORECAST_SETUPS` entry: the test RMSE per horizon the protocol reports, the
    RMSE on the chronological test years (what the model really does on years it never saw; the same numbers for
    the honest protocols), the baselines under the protocol (with the linear AR model's score on the
    chronological test years, ``"linear AR, future"``: the control), and the run itself."""
    if setup not in FORECAST_SETUPS:
        raise ValueError(f"unknown setup {setup!r}; expected one of {list(FORECAST_SETUPS)}")
    cfg = {**FORECAST_SETUPS[setup], **overrides}
    honest = honest or forecasting.forecast_data("chronological")
    data = forecasting.forecast_data(cfg["protocol"])
    run = forecast_run(data, seed=seed, hidden=cfg["hidden"], epochs=cfg["epochs"], patience=cfg["patience"],
                       device=device)
    return {"setup": setup, "seed": seed, **cfg, "reported_rmse": run["test_rmse"].tolist(),
            "future_rmse": future_rmse(run["model"], data, honest).tolist(),
            "epochs_run": run["history"].epochs, "best_epoch": run["history"].best_epoch,
            "baselines": {k: v.tolist() for k, v in forecasting.baselines(data, honest).items()},
            "curves": run["history"].curves, "run": run, "data": data}


def forecast_protocols(setups=tuple(FORECAST_SETUPS), seeds=(0, 1, 2), *, log=None, **overrides) -> list[dict]:
    """:func:`forecast_setup_run` for every setup and seed (JSON-friendly records, without the models)."""
    honest = forecasting.forecast_data("chronological")
    records = []
    for setup in setups:
        for seed in seeds:
            rec = forecast_setup_run(setup, seed, honest=honest, **overrides)
            records.append({k: v for k, v in rec.items() if k not in ("run", "data")})
            if log is not None:
                log(f"forecast {setup} seed {seed}: reported {np.mean(rec['reported_rmse']):.1f}, "
                    f"future {np.mean(rec['future_rmse']):.1f}, epochs {rec['epochs_run']}")
    return records


def _loaders(data, batch_size, seed):
    collate = language.pad_and_sort
    return (make_loader(data.train, batch_size, seed=seed, collate_fn=collate),
            make_loader(data.val, 1024, shuffle=False, collate_fn=collate),
            make_loader(data.test, 1024, shuffle=False, collate_fn=collate))


def language_run(data: language.LanguageData, *, seed: int = 0, hidden: int = 64, layers: int = 2, embed: int = 16,
                 dropout: float = 0.0, epochs: int = 10, batch_size: int = 64, lr: float = 5e-3, packed: bool = True,
                 patience: int | None = 3, threads: int | None = 1, progress: bool = False) -> dict:
    """Train the book's :class:`~gru_teach.training.text.WordClassifier`; test accuracy vs the majority class."""
    torch.manual_seed(seed)
    model = WordClassifier(len(data.vocab), len(data.languages), embed=embed, hidden=hidden, layers=layers,
                           dropout=dropout, packed=packed)
    train_loader, val, test = _loaders(data, batch_size, seed)
    history = train(model, train_loader, nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), lr=lr),
                    epochs=epochs, val_data=val, metrics={"acc": accuracy}, clip=1.0, threads=threads,
                    early_stopping=EarlyStopping("val_acc", patience, "max") if patience else None,
                    progress=progress)
    scores = evaluate_on(model, test, nn.functional.cross_entropy, metrics={"acc": accuracy})
    return {"model": model, "history": history, "test_accuracy": scores["acc"], "test_loss": scores["loss"],
            "majority_accuracy": data.majority_accuracy(),
            "parameters": sum(p.numel() for p in model.parameters())}


def packed_vs_padded(runs: list[dict], n_test: int | None = None) -> dict:
    """The paired comparison of the committed language runs (records with ``packed``, ``seed``,
    ``test_accuracy``): both read-outs ran with the same seeds, so compare them seed by seed.

    Returns ``diffs`` (packed minus padded test accuracy per shared seed, in points, seed order), the seed counts
    ``ahead``/``level``/``behind`` for packed (counted by :func:`gru_teach.training.advice.verdict`), ``p`` (the
    two-sided :func:`gru_teach.training.advice.sign_test_p`), and with ``n_test`` (the size of the test split)
    ``words``: each difference as a number of test words (integers: accuracy moves in steps of one word)."""
    from .advice import sign_test_p, verdict
    records = [{"variant": "packed" if r["packed"] else "padded", "seed": r["seed"], "score": r["test_accuracy"]}
               for r in runs]
    by = {(r["variant"], r["seed"]): r["score"] for r in records}
    seeds = sorted(s for v, s in by if v == "packed" and ("padded", s) in by)
    diffs = np.array([100 * (by["packed", s] - by["padded", s]) for s in seeds])
    counts = verdict([r for r in records if r["seed"] in seeds], higher_is_better=True).paired
    if "padded" in counts:                     # packed was best: its counts against padded
        ahead, level, behind = counts["padded"]
    else:                                      # padded was best: turn its counts round
        behind, level, ahead = counts["packed"]
    out = {"seeds": seeds, "diffs": diffs, "ahead": ahead, "level": level, "behind": behind,
           "p": sign_test_p(ahead, behind)}
    if n_test is not None:
        out["words"] = np.rint(diffs / 100 * n_test).astype(int)
    return out


def still_improving(curve, tol: float = 0.005) -> bool:
    """Whether a validation-accuracy curve was still at (or within ``tol`` of) its best at its last epoch: training
    ended before the curve levelled off or turned down."""
    curve = np.asarray(curve, dtype=float)
    if curve.size == 0:
        raise ValueError("an empty curve")
    return bool(curve[-1] >= curve.max() - tol)


def provenance_device(provenance: dict) -> str:
    """The ``device`` of a results file's provenance, as the page prints it: files written before
    :func:`~gru_teach.training.describe_device` said "1 torch thread" read "1 torch threads" (the file itself is
    left as it was written)."""
    import re
    return re.sub(r"\b1 torch threads\b", "1 torch thread", provenance["device"])


def confusion(model: nn.Module, dataset, n_classes: int) -> np.ndarray:
    """Confusion counts [true, predicted] on ``dataset`` (a :class:`~gru_teach.tasks.language.WordDataset`)."""
    (ids, lengths), labels = language.pad_and_sort([dataset[i] for i in range(len(dataset))])
    model.eval()
    with torch.no_grad():
        predicted = model(ids, lengths).argmax(-1)
    model.train()
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (labels.numpy(), predicted.numpy()), 1)
    return counts


def binary_subset(data: language.LanguageData, a: str = "en", b: str = "de") -> language.LanguageData:
    """The words of two languages only, labels 0 (``a``) and 1 (``b``) as floats for a sigmoid output."""
    ia, ib = data.languages.index(a), data.languages.index(b)

    def keep(ds):
        idx = [i for i, lab in enumerate(ds.labels) if lab in (ia, ib)]
        return language.WordDataset([ds.words[i] for i in idx], [float(ds.labels[i] == ib) for i in idx], data.vocab)
    return language.LanguageData(keep(data.train), keep(data.val), keep(data.test), data.vocab, (a, b),
                                 data.ambiguous, data.ambiguous_entries)


def _binary_collate(batch):
    (ids, lengths), labels = language.pad_and_sort(batch)
    return (ids, lengths), labels.float()


def binary_accuracy(logits, target):
    return ((logits > 0).float() == target).float().mean()


def keras_binary_run(data: language.LanguageData, *, seed: int = 0, units: int = 128, epochs: int = 10,
                     batch_size: int = 32, lr: float = 1e-3, threads: int | None = 1) -> dict:
    """The post's GRU(128) + Dense(1, sigmoid), translated (:class:`~gru_teach.training.text.KerasBinaryGRU`),
    trained as the post compiles it (binary cross-entropy, Adam at Keras's default rate 0.001, batch 32), with
    early stopping on validation accuracy instead of the post's validation-on-test."""
    torch.manual_seed(seed)
    model = KerasBinaryGRU(len(data.vocab), units)
    loader = make_loader(data.train, batch_size, seed=seed, collate_fn=_binary_collate)
    val, test = (make_loader(d, 1024, shuffle=False, collate_fn=_binary_collate) for d in (data.val, data.test))
    loss = nn.functional.binary_cross_entropy_with_logits
    history = train(model, loader, loss, torch.optim.Adam(model.parameters(), lr=lr), epochs=epochs, val_data=val,
                    metrics={"acc": binary_accuracy}, early_stopping=EarlyStopping("val_acc", 3, "max"),
                    threads=threads)
    majority = max(np.mean(data.test.labels), 1 - np.mean(data.test.labels))
    return {"model": model, "history": history,
            "test_accuracy": evaluate_on(model, test, loss, metrics={"acc": binary_accuracy})["acc"],
            "majority_accuracy": float(majority)}


def keras_stacked_run(data: language.LanguageData, *, seed: int = 0, embedding_dim: int = 16, units: int = 64,
                      dropout: float = 0.2, recurrent_dropout: float = 0.2, epochs: int = 5, batch_size: int = 64,
                      lr: float = 1e-3, max_steps: int | None = None, threads: int | None = 1) -> dict:
    """The post's stacked classifier, translated (:class:`~gru_teach.training.text.KerasStackedGRU`), with
    Adam at Keras's default rate and categorical cross-entropy."""
    torch.manual_seed(seed)
    model = KerasStackedGRU(len(data.vocab), embedding_dim, units, len(data.languages), dropout=dropout,
                            recurrent_dropout=recurrent_dropout)
    train_loader, val, test = _loaders(data, batch_size, seed)
    history = train(model, train_loader, nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), lr=lr),
                    max_steps, epochs=epochs, val_data=val, metrics={"acc": accuracy}, threads=threads)
    return {"model": model, "history": history,
            "test_accuracy": evaluate_on(model, test, metrics={"acc": accuracy})["acc"]}


def charlm_run(data: pydoc_text.TextData, *, seed: int = 0, embed: int = 32, hidden: int = 128, layers: int = 1,
               length: int = 64, batch_size: int = 32, epochs: int = 1, max_steps: int | None = None, lr: float = 3e-3,
               threads: int | None = 1, temperatures=(0.0, 0.5, 1.0), prompt: str = "The ", sample_length: int = 200,
               eval_chars: int | None = None) -> dict:
    """Train :class:`~gru_teach.training.text.CharLM`; test perplexity (on held-out topics) vs unigram and
    bigram models, and samples at several temperatures."""
    torch.manual_seed(seed)
    V = len(data.vocab)
    model = CharLM(V, embed=embed, hidden=hidden, layers=layers)
    loader = make_loader(data.chunks("train", length), batch_size, seed=seed)
    val = make_loader(data.chunks("val", length), 256, shuffle=False)
    history = train(model, loader, sequence_cross_entropy, torch.optim.Adam(model.parameters(), lr=lr), max_steps,
                    epochs=epochs, val_data=val, clip=1.0, threads=threads, record_every=10)
    test_ids = data.test if eval_chars is None else data.test[:eval_chars]
    test = make_loader(pydoc_text.Chunks(test_ids, length), 256, shuffle=False)
    ce = evaluate_on(model, test, sequence_cross_entropy)["loss"]
    base = {f"{name}": pydoc_text.ngram_cross_entropy(data.train, test_ids[:len(test.dataset) * length + 1], V, order)
            for name, order in (("unigram", 1), ("bigram", 2))}
    samples = {str(t): sample(model, data.vocab, prompt, sample_length, t, seed=seed) for t in temperatures}
    return {"model": model, "history": history, "test_nats": ce, "test_perplexity": math.exp(ce),
            "baseline_nats": base, "baseline_perplexity": {k: math.exp(v) for k, v in base.items()},
            "samples": samples, "parameters": sum(p.numel() for p in model.parameters())}


def summarise_forecast(records: list[dict]) -> dict:
    """Per setup: the reported and the future RMSE as (seeds, horizon) arrays, the baselines under the
    setup's protocol, and ``ar``: the linear AR control in three numbers — ``name`` ("AR(9)": its order),
    ``reported`` (its mean RMSE on the protocol's own test windows) and ``future`` (on the chronological test
    years; ``None`` for records written without that score)."""
    out = {}
    for r in records:
        s = out.setdefault(r["setup"], {"reported": [], "future": [], "baselines": r["baselines"]})
        s["reported"].append(r["reported_rmse"])
        s["future"].append(r["future_rmse"])
    for s in out.values():
        s["reported"], s["future"] = np.array(s["reported"]), np.array(s["future"])
        fitted = next(k for k in s["baselines"] if k.startswith("linear AR("))
        future = s["baselines"].get("linear AR, future")
        s["ar"] = {"name": fitted[len("linear "):], "reported": float(np.mean(s["baselines"][fitted])),
                   "future": None if future is None else float(np.mean(future))}
    return out
