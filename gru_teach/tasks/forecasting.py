"""Forecasting the yearly sunspot number (statsmodels' ``sunspots``, 1700–2008, 309 values; ships offline).

The honest protocol, and the leaks it avoids:

* **windows**: an input window of the ``window`` values before year t, a target of the ``horizon`` values from
  year t on (direct multi-step forecast: one output per step ahead);
* **chronological split by target year**: training targets up to ``train_until``, validation targets up to
  ``val_until``, test targets after it. A window belongs to the part that holds *all* of its targets (windows
  whose targets straddle a boundary are dropped), so no target value is ever seen by two parts. Inputs may
  reach back into an earlier part: at forecast time those years are known history, not leakage;
* **the scaler is fitted on the training years only** (``MinMaxScaler`` to [0, 1], as in the popular recipe)
  and applied unchanged to validation and test.

:data:`PROTOCOLS`: ``"chronological"`` (the honest one); ``"scaler_on_all"`` (the same split, but the scaler sees
every year, test years included: the first leak of a popular recipe); ``"recipe"`` (the popular recipe's whole
protocol: it has the data up to ``val_until``, fits the scaler on all of it and splits the windows at random with
``train_test_split``, shuffled, into parts of 70/15/15 %); ``"shuffled"`` (the recipe's random split alone: the
same windows in the same parts, but the scaler fitted on the training windows' values only). A shuffled protocol's
own test score can then be compared with what its model scores on the years after ``val_until``, which it never
saw — the chronological test windows (:func:`rescale` moves them onto another protocol's scale).
Scores are RMSEs in sunspot numbers (after undoing the scaling), so protocols with different scalers compare.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROTOCOLS = ("chronological", "scaler_on_all", "recipe", "shuffled")


def sunspots() -> tuple[np.ndarray, np.ndarray]:
    """(years, yearly mean sunspot number), 1700–2008, from ``statsmodels.datasets.sunspots`` (no download)."""
    try:
        from statsmodels.datasets import sunspots as data
    except ImportError as err:  # pragma: no cover - statsmodels is in requirements.txt
        raise ImportError("the sunspots data ship with statsmodels: pip install statsmodels") from err
    frame = data.load_pandas().data
    return frame["YEAR"].to_numpy(dtype=int), frame["SUNACTIVITY"].to_numpy(dtype=float)


def make_windows(series, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (input, target) pair of a 1-D series: ``x[i] = series[t-window:t]``, ``y[i] = series[t:t+horizon]``.

    Returns ``x`` (N, window, 1), ``y`` (N, horizon) and ``t`` (N,), the index of each window's first target;
    t runs from ``window`` to ``len(series) - horizon``.
    """
    series = np.asarray(series, dtype=float)
    if series.ndim != 1:
        raise ValueError(f"series must be 1-D; got shape {series.shape}")
    if not (isinstance(window, (int, np.integer)) and window >= 1 and isinstance(horizon, (int, np.integer))
            and horizon >= 1):
        raise ValueError(f"window and horizon must be positive integers; got window={window!r}, horizon={horizon!r}")
    n = len(series) - window - horizon + 1
    if n < 1:
        raise ValueError(f"a series of {len(series)} values has no window of {window} inputs + {horizon} targets")
    t = np.arange(window, window + n)
    x = np.stack([series[i - window:i] for i in t])[:, :, None]
    y = np.stack([series[i:i + horizon] for i in t])
    return x, y, t


class MinMaxScaler:
    """x ↦ (x − min) / (max − min), with min and max learned by :meth:`fit` (on the training values only)."""

    def fit(self, values) -> "MinMaxScaler":
        values = np.asarray(values, dtype=float)
        if values.size == 0:
            raise ValueError("cannot fit a scaler on no values")
        self.min, self.max = float(values.min()), float(values.max())
        if self.max == self.min:
            raise ValueError(f"cannot scale constant values ({self.min})")
        return self

    def transform(self, values):
        return (np.asarray(values, dtype=float) - self.min) / (self.max - self.min)

    def inverse(self, values):
        return np.asarray(values, dtype=float) * (self.max - self.min) + self.min


@dataclass
class ForecastData:
    """Scaled windows of one protocol (``x_*``: (N, window, 1); ``y_*``: (N, horizon)), the fitted scaler, and the
    year of each window's first target (``years_*``)."""

    protocol: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    years_train: np.ndarray
    years_val: np.ndarray
    years_test: np.ndarray
    scaler: MinMaxScaler
    window: int
    horizon: int

    def part(self, name: str):
        """``(x, y)`` of ``"train"``, ``"val"`` or ``"test"`` as float32 arrays."""
        if name not in ("train", "val", "test"):
            raise ValueError(f"part must be 'train', 'val' or 'test'; got {name!r}")
        return getattr(self, f"x_{name}").astype(np.float32), getattr(self, f"y_{name}").astype(np.float32)


def forecast_data(protocol: str = "chronological", *, window: int = 20, horizon: int = 5,
                  train_until: int = 1929, val_until: int = 1969, seed: int = 0) -> ForecastData:
    """The sunspot windows under ``protocol`` (see the module docstring).

    Chronological parts by the years of the targets: training ≤ ``train_until`` < validation ≤ ``val_until`` <
    test. ``"recipe"`` and ``"shuffled"`` split the windows whose targets end by ``val_until`` at random
    (``seed``) 70/15/15; the recipe fits the scaler on every value up to ``val_until``, ``"shuffled"`` on the
    values of its training windows.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}; got {protocol!r}")
    if not years_ok(train_until, val_until):
        raise ValueError(f"expected 1720 < train_until < val_until < 2004; got {train_until}, {val_until}")
    years, values = sunspots()
    x, y, t = make_windows(values, window, horizon)
    first, last = years[t], years[t + horizon - 1]
    if protocol in ("recipe", "shuffled"):
        pool = np.flatnonzero(last <= val_until)
        order = pool[np.random.default_rng(seed).permutation(len(pool))]
        cut = np.round(np.array([0.7, 0.85]) * len(pool)).astype(int)
        idx = {"train": order[:cut[0]], "val": order[cut[0]:cut[1]], "test": order[cut[1]:]}
        seen = values[years <= val_until] if protocol == "recipe" else np.concatenate(
            [x[idx["train"]].ravel(), y[idx["train"]].ravel()])
        scaler = MinMaxScaler().fit(seen)
    else:
        idx = {"train": np.flatnonzero(last <= train_until),
               "val": np.flatnonzero((first > train_until) & (last <= val_until)),
               "test": np.flatnonzero(first > val_until)}
        scaler = MinMaxScaler().fit(values if protocol == "scaler_on_all" else values[years <= train_until])
    return ForecastData(protocol, *(a for p in ("train", "val", "test") for a in
                                    (scaler.transform(x[idx[p]]), scaler.transform(y[idx[p]]))),
                        *(first[idx[p]] for p in ("train", "val", "test")), scaler, window, horizon)


def rescale(values, source: ForecastData, target: ForecastData) -> np.ndarray:
    """Scaled ``values`` of protocol ``source`` on the scale of ``target`` (undo one scaler, apply the other)."""
    return target.scaler.transform(source.scaler.inverse(values))


def years_ok(train_until: int, val_until: int) -> bool:
    return 1720 < train_until < val_until < 2004


def rmse_per_horizon(pred, target) -> np.ndarray:
    """Root-mean-square error for each step ahead: (N, horizon) arrays → (horizon,)."""
    pred, target = np.asarray(pred, dtype=float), np.asarray(target, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(f"predictions have shape {pred.shape}, targets {target.shape}; expected the same")
    return np.sqrt(np.mean((pred - target) ** 2, axis=0))


def persistence(x) -> np.ndarray:
    """The naive forecast: every future value equals the last observed one. (N, window, 1) → (N, horizon)
    needs the horizon, so this returns (N, 1); broadcast it against the targets."""
    return np.asarray(x)[:, -1, :1]


@dataclass
class LinearAR:
    """Direct linear autoregression: ŷ_{t+h} = a_h + Σ_{k=1..p} w_{h,k} y_{t-k}, one least-squares fit per
    horizon h on the training windows; the order p is chosen on the validation windows."""

    order: int
    coef: np.ndarray      # (p + 1, horizon): intercept row first

    @staticmethod
    def _design(x, p):
        x = np.asarray(x)[:, -p:, 0]
        return np.hstack([np.ones((len(x), 1)), x])

    @classmethod
    def fit(cls, x_train, y_train, order: int) -> "LinearAR":
        coef, *_ = np.linalg.lstsq(cls._design(x_train, order), np.asarray(y_train, dtype=float), rcond=None)
        return cls(order, coef)

    def predict(self, x) -> np.ndarray:
        return self._design(x, self.order) @ self.coef

    @classmethod
    def select(cls, data: ForecastData, orders=None) -> "LinearAR":
        """The order with the lowest validation RMSE (mean over horizons), refitted on the training windows."""
        orders = range(1, data.window + 1) if orders is None else orders
        scores = {p: rmse_per_horizon(cls.fit(data.x_train, data.y_train, p).predict(data.x_val), data.y_val).mean()
                  for p in orders}
        return cls.fit(data.x_train, data.y_train, min(scores, key=scores.get))


def baselines(data: ForecastData, future: ForecastData | None = None) -> dict[str, np.ndarray]:
    """Test RMSE per horizon (sunspot numbers) of persistence and of the linear AR chosen on validation.

    With ``future`` (another protocol's data, usually the chronological one), also ``"linear AR, future"``: the
    same fitted AR model scored on ``future``'s test windows — the control that says how much of a protocol's
    gap between its own test score and the future is the later years being harder, for a model that has too
    few parameters to memorise its training windows."""
    inv = data.scaler.inverse
    target = inv(data.y_test)
    ar = LinearAR.select(data)
    out = {"persistence": rmse_per_horizon(np.broadcast_to(inv(persistence(data.x_test)), target.shape), target),
           f"linear AR({ar.order})": rmse_per_horizon(inv(ar.predict(data.x_test)), target)}
    if future is not None:
        out["linear AR, future"] = rmse_per_horizon(inv(ar.predict(rescale(future.x_test, future, data))),
                                                    future.scaler.inverse(future.y_test))
    return out
