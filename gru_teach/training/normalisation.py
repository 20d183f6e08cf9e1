"""Does BatchNormalization before GRU layers help? A small, seeded test of a popular recommendation.

The model mirrors the recommended stack — [norm] → GRU → [norm] → GRU → linear — with the normalisation
layer chosen among

* ``"none"``;
* ``"batch"``: batch normalisation (Ioffe & Szegedy, 2015) of each feature over the batch *and* the time
  steps, x̂ = (x − μ_B) / sqrt(σ²_B + ε) · γ + β, with running averages used at evaluation (Keras's
  ``BatchNormalization`` on a (batch, time, features) tensor does the same);
* ``"layer"``: layer normalisation (Ba, Kiros & Hinton, 2016) over the features of each sample and time step,
  which does not depend on the batch.

:func:`compare_normalisations` trains each variant on the digits read row by row with several seeds and
reports train and test accuracy.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..tasks import digits_sequences
from .loop import evaluate, train

NORMS = ("none", "batch", "layer")


class _BatchNormOverTime(nn.BatchNorm1d):
    """BatchNorm1d for (batch, time, features): statistics per feature over batch and time. A 2-D input
    (tokens, features), such as the ``data`` of a PackedSequence, is normalised over its tokens."""

    def forward(self, x):
        if x.ndim == 2:
            return super().forward(x)
        return super().forward(x.transpose(1, 2)).transpose(1, 2)


def norm_layer(kind: str, features: int) -> nn.Module:
    """The normalisation layer named ``kind`` for ``features`` features."""
    if kind not in NORMS:
        raise ValueError(f"kind must be one of {NORMS}; got {kind!r}")
    return {"none": nn.Identity, "batch": _BatchNormOverTime, "layer": nn.LayerNorm}[kind](features)


class StackedGRUClassifier(nn.Module):
    """norm → GRU → norm → GRU → linear read-out of the last state (sequence → class logits)."""

    def __init__(self, input_size: int, hidden_size: int, n_classes: int, norm: str = "none"):
        super().__init__()
        self.norm1, self.gru1 = norm_layer(norm, input_size), nn.GRU(input_size, hidden_size, batch_first=True)
        self.norm2, self.gru2 = norm_layer(norm, hidden_size), nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, n_classes)

    def forward(self, x):
        h, _ = self.gru1(self.norm1(x))
        h, _ = self.gru2(self.norm2(h))
        return self.out(h[:, -1])


def accuracy(model: nn.Module, x, y) -> float:
    """Fraction of correct predictions, in evaluation mode (BatchNorm uses its running averages)."""
    return evaluate(model, x, y, lambda logits, labels: (logits.argmax(1) == labels).float().mean())


def shuffled_batches(x, y, batch: int, epochs: int, rng):
    """Minibatches of (x, y), reshuffled every epoch, for ``epochs`` passes over the data."""
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            yield x[idx], y[idx]


def train_classifier(norm: str, seed: int, *, hidden: int = 32, epochs: int = 12, batch: int = 64,
                     lr: float = 5e-3, data=None) -> dict:
    """Train one variant with Adam (:func:`gru_teach.training.train`, one torch thread) on the digits;
    return its train and test accuracy."""
    data = data or digits_sequences(seed=0)
    torch.manual_seed(seed)
    model = StackedGRUClassifier(data.x_train.shape[2], hidden, 10, norm)
    batches = shuffled_batches(data.x_train.astype(np.float32), data.y_train, batch, epochs,
                               np.random.default_rng(seed))
    steps = epochs * -(-len(data.x_train) // batch)
    train(model, batches, nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), lr=lr), steps,
          threads=1)
    return {"norm": norm, "seed": seed, "train_accuracy": accuracy(model, data.x_train, data.y_train),
            "test_accuracy": accuracy(model, data.x_test, data.y_test)}


def compare_normalisations(norms=NORMS, seeds=(0, 1, 2), **kwargs) -> list[dict]:
    """:func:`train_classifier` for every normalisation and seed (same data split for all)."""
    data = digits_sequences(seed=0)
    return [train_classifier(n, s, data=data, **kwargs) for n in norms for s in seeds]


def summarise(records: list[dict]) -> dict[str, dict[str, float]]:
    """Mean and spread (min, max) of the test accuracy and the mean train−test gap, per normalisation."""
    out = {}
    for norm in dict.fromkeys(r["norm"] for r in records):
        test = np.array([r["test_accuracy"] for r in records if r["norm"] == norm])
        train = np.array([r["train_accuracy"] for r in records if r["norm"] == norm])
        out[norm] = {"test_mean": float(test.mean()), "test_min": float(test.min()), "test_max": float(test.max()),
                     "gap_mean": float((train - test).mean())}
    return out
