"""Finite-difference gradient checks: is a hand-written backward pass right?

For a scalar loss L(θ) and each entry θ_k, the central difference

    ∂L/∂θ_k ≈ (L(θ + ε e_k) − L(θ − ε e_k)) / (2ε)

has an error of order ε² (a forward difference, (L(θ + ε e_k) − L(θ)) / ε, only of order ε). The analytic
gradient g_a and the numerical one g_n of a parameter array are compared with the relative error

    rel(g_a, g_n) = ‖g_a − g_n‖ / max(‖g_a‖ + ‖g_n‖, tiny)

which is about 1e-10 or smaller for a correct float64 implementation, and ≳ 1e-3 for a wrong one.

* :func:`numerical_gradient` — central differences of any ``loss()`` with respect to one array (in place).
* :func:`check_gradients` — any function: analytic gradients of several arrays against central differences.
* :func:`check_layer` — a ``gru_teach`` GRU, LSTM or RNN layer (every parameter, the input and the initial state).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["GradCheckReport", "numerical_gradient", "relative_error", "check_gradients", "check_layer"]


class GradCheckReport(dict):
    """``{name: relative error}`` that prints as a table (text, and HTML in a notebook)."""

    def worst(self) -> float:
        """The largest relative error (0.0 for an empty report)."""
        return max(self.values(), default=0.0)

    def passed(self, tol: float = 1e-7) -> bool:
        """True when every relative error is at most ``tol``."""
        return all(v <= tol for v in self.values())

    def rows(self) -> list[tuple[str, str]]:
        return [(name, f"{err:.1e}") for name, err in self.items()]

    def __str__(self) -> str:
        width = max([len("array")] + [len(k) for k in self])
        lines = [f"{'array':<{width}}  relative error", f"{'-' * width}  --------------"]
        lines += [f"{name:<{width}}  {err}" for name, err in self.rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td><code>{n}</code></td><td>{e}</td></tr>" for n, e in self.rows())
        return f"<table><tr><th>array</th><th>relative error</th></tr>{body}</table>"


def relative_error(analytic, numerical) -> float:
    """‖a − n‖ / max(‖a‖ + ‖n‖, tiny): 0 when equal, 1 when one of them is zero and the other is not."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"shapes differ: analytic {a.shape}, numerical {n.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / max(scale, np.finfo(np.float64).tiny))


def numerical_gradient(loss: Callable[[], float], array: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``loss()`` with respect to every entry of ``array``.

    ``array`` is perturbed *in place* (``loss`` must read it) and restored
    exactly afterwards. Costs 2 · array.size calls of ``loss``.
    """
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError("array must be a floating-point NumPy array; "
                        f"got {type(array).__name__}")
    grad = np.zeros(array.shape, dtype=np.float64)
    flat, g = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("array must be contiguous, so that loss() sees "
                         "the entries perturbed in place")
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = float(loss())
        flat[k] = old - eps
        minus = float(loss())
        flat[k] = old
        g[k] = (plus - minus) / (2 * eps)
    return grad


def check_gradients(loss: Callable[[], float], arrays: dict, grads: dict, eps: float = 1e-6) -> GradCheckReport:
    """Compare analytic ``grads[name]`` with central differences of ``loss()`` for each ``arrays[name]``.

    ``loss()`` must compute the scalar loss from the arrays as they are at call time (they are perturbed in
    place). Use float64: in float32 the rounding error of L (≈ 1e-7 · |L|) divided by 2ε swamps the check.
    Returns a :class:`GradCheckReport` ``{name: relative error}``.
    """
    missing = set(arrays) - set(grads)
    if missing:
        raise KeyError(f"no analytic gradient for {sorted(missing)}")
    return GradCheckReport({name: relative_error(grads[name], numerical_gradient(loss, arr, eps))
                            for name, arr in arrays.items()})


def check_layer(layer, x=None, *, batch: int = 2, time: int = 4, seed: int = 0, eps: float = 1e-6) -> GradCheckReport:
    """Gradient-check a ``gru_teach`` GRU, LSTM or RNN layer: every parameter, the input x and the initial state.

    The loss is L = Σ out ⊙ W_out + Σ h_T ⊙ w_T (+ Σ c_T ⊙ v_T for the LSTM) with fixed random weights, so every
    output and the final state(s) feed it. Needs a float64 layer.
    """
    if layer.dtype != np.float64:
        raise TypeError("gradient checks need a float64 layer (float32 rounding swamps the differences)")
    rng = np.random.default_rng(seed)
    H = layer.hidden_size
    x = rng.normal(size=(batch, time, layer.input_size)) if x is None else np.array(x, dtype=np.float64)
    B, T = x.shape[:2]
    is_pair = len(layer.GATES) == 4                     # the LSTM carries (h, c)
    states = [rng.normal(size=(B, H)) for _ in range(2 if is_pair else 1)]
    w_out = rng.normal(size=(B, T, H))
    w_last = [rng.normal(size=(B, H)) for _ in states]

    def run():
        out, last = layer.forward(x, tuple(states) if is_pair else states[0])
        return out, (list(last) if is_pair else [last])

    def loss():
        out, last = run()
        return float(np.sum(out * w_out) + sum(np.sum(s * w) for s, w in zip(last, w_last)))

    run()
    dx, d0 = layer.backward(w_out, tuple(w_last) if is_pair else w_last[0])
    d0 = list(d0) if is_pair else [d0]
    arrays = dict(layer.parameters())
    grads = {name: layer.grads[name] for name in arrays}
    arrays["x"], grads["x"] = x, dx
    for i, (s, d) in enumerate(zip(states, d0)):
        name = ("h0", "c0")[i]
        arrays[name], grads[name] = s, d
    return check_gradients(loss, arrays, grads, eps)
