"""Non-recurrent baselines for sequence classification: what a model gets without reading the steps in order.

Logistic regression (scikit-learn, multinomial, L2 penalty C = 1, features standardised on the training set) on
two views of a sequence x (T, features):

* ``"flat"``: all T · features numbers, each at its own position — a strong baseline for fixed-length inputs
  such as the 8×8 digits, since every weight is tied to one pixel (and so knows its row);
* ``"bag"``: the sum of the rows Σ_t x_t — a *bag of rows*, blind to their order by construction.
"""
from __future__ import annotations

import numpy as np

__all__ = ["FEATURES", "features", "logistic_regression_accuracy"]

FEATURES = ("flat", "bag")


def features(x, kind: str = "flat") -> np.ndarray:
    """(N, T, F) sequences -> (N, T·F) for ``"flat"`` or (N, F) for ``"bag"`` (sum over time)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (samples, time, features); got shape {x.shape}")
    if kind == "flat":
        return x.reshape(len(x), -1)
    if kind == "bag":
        return x.sum(axis=1)
    raise ValueError(f"kind must be one of {FEATURES}; got {kind!r}")


def logistic_regression_accuracy(split, kind: str = "flat", *, max_iter: int = 2000) -> float:
    """Test accuracy of logistic regression trained on ``split``'s training part (a tasks.Split), deterministic."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    model.fit(features(split.x_train, kind), split.y_train)
    return float(model.score(features(split.x_test, kind), split.y_test))
