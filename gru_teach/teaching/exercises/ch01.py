"""Auto-checks for chapter 1's exercises. Each check returns a Feedback and never raises on student code.

- :func:`check_tanh_jacobian`: ``fn(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> ∂h_t/∂h_{t-1}`` = diag(1 − h_t²) W_hh.
- :func:`check_vanishing_guaranteed`: ``fn(W, gamma) -> bool``, True iff σ_max(W) < 1/γ (Pascanu et al., 2013).
- :func:`check_clip_grad_norm`: ``fn(grads: dict, max_norm) -> norm_before``, scaling the dict in place.
"""
from __future__ import annotations

import numpy as np

from ..checking import compare_array, failed, passed, safe_call
from ...analysis.vanishing import scaled_orthogonal, spectral_norm


def reference_tanh_jacobian(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """diag(1 − h_t²) W_hh with h_t = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)."""
    h = np.tanh(W_ih @ x + b_ih + W_hh @ h_prev + b_hh)
    return (1 - h * h)[:, None] * W_hh


def check_tanh_jacobian(fn) -> "Feedback":  # noqa: F821
    """Compare ``fn`` with diag(1 − h²) W_hh on random cases (H = 3, I = 2), naming the usual mistakes."""
    rng = np.random.default_rng(1)
    for case in range(3):
        I, H = 2, 3
        args = (rng.standard_normal(I), rng.standard_normal(H), rng.standard_normal((H, I)),
                rng.standard_normal((H, H)), rng.standard_normal(H), rng.standard_normal(H))
        expected = reference_tanh_jacobian(*args)
        got, err = safe_call(fn, *(a.copy() for a in args))
        if err is not None:   # a failing Feedback is falsy: test for None
            return err
        bad = compare_array(got, expected, "the Jacobian")
        if bad is None:
            continue
        arr = np.asarray(got, dtype=float) if np.shape(got) == expected.shape else None
        W_hh = args[3]
        if arr is not None and np.all(np.isfinite(arr)):
            if np.allclose(arr, W_hh):
                return failed("you returned W_hh: the tanh's derivative diag(1 − h_t²) is missing")
            if np.allclose(arr, expected.T):
                return failed("your Jacobian is transposed: row i should be ∂h_t[i]/∂h_{t-1}, "
                              "i.e. (1 − h_t[i]²) times row i of W_hh")
            if np.allclose(arr, W_hh * (1 - np.tanh(args[0] @ args[2].T + args[4] + W_hh @ args[1] + args[5]) ** 2)):
                return failed("the derivative multiplies the columns: use diag(1 − h²) @ W_hh, which scales rows "
                              "(in NumPy: (1 - h**2)[:, None] * W_hh)")
            a = W_hh @ args[1] + args[2] @ args[0] + args[4] + args[5]
            if np.allclose(arr, (1 - a * a)[:, None] * W_hh):
                return failed("you used 1 − a² of the pre-activation a; tanh'(a) = 1 − tanh(a)² = 1 − h_t²")
        return failed(f"case {case + 1}: {bad.message}")
    return passed("correct: ∂h_t/∂h_{t-1} = diag(1 − h_t²) W_hh")


_VANISH_CASES = (
    ("0.9 × orthogonal, tanh", scaled_orthogonal(4, 0.9, 0), 1.0),
    ("1.2 × orthogonal, tanh", scaled_orthogonal(4, 1.2, 0), 1.0),
    ("[[0.5, 2], [0, 0.5]], tanh (eigenvalues 0.5, but σ_max ≈ 2.1)", np.array([[0.5, 2.0], [0.0, 0.5]]), 1.0),
    ("3.5 × orthogonal, sigmoid (γ = 1/4)", scaled_orthogonal(3, 3.5, 1), 0.25),
    ("4.5 × orthogonal, sigmoid (γ = 1/4)", scaled_orthogonal(3, 4.5, 1), 0.25),
)


def check_vanishing_guaranteed(fn) -> "Feedback":  # noqa: F821
    """``fn(W, gamma)`` must say whether σ_max(W) < 1/γ, the sufficient condition for vanishing gradients."""
    for name, W, gamma in _VANISH_CASES:
        expected = spectral_norm(W) < 1.0 / gamma
        got, err = safe_call(fn, W.copy(), gamma)
        if err is not None:   # a failing Feedback is falsy: test for None
            return err
        if not isinstance(got, (bool, np.bool_)):
            return failed(f"return True or False; got {type(got).__name__} {got!r} for {name}")
        if bool(got) != expected:
            hint = ""
            if "eigenvalues" in name:
                hint = (" The eigenvalues are below 1, yet the bound (γσ_max)^k needs the largest *singular* value: "
                        "this matrix can amplify a vector 2.1-fold in one step (its powers still shrink eventually, "
                        "but the theorem does not guarantee it).")
            elif gamma != 1.0:
                hint = " Did you use γ? The condition is σ_max(W) < 1/γ."
            return failed(f"{name}: expected {expected}, got {bool(got)}.{hint}")
    return passed("correct: vanishing is guaranteed exactly when σ_max(W) < 1/γ (and not decided by eigenvalues)")


def check_clip_grad_norm(fn) -> "Feedback":  # noqa: F821
    """``fn(grads, max_norm)`` must scale all arrays by one factor when their *global* norm exceeds max_norm."""
    def cases():
        yield {"w": np.array([[3.0, 0.5], [0.0, 0.0]]), "b": np.array([4.0])}, 1.0      # global norm ≈ 5.02
        yield {"w": np.array([[0.3, 0.0]]), "b": np.array([0.4])}, 1.0                    # 0.5: unchanged
        yield {"w": np.array([1.0, 2.0, 2.0])}, 1.5                                       # one array, norm 3
    for grads, max_norm in cases():
        original = {k: v.copy() for k, v in grads.items()}
        norm = np.sqrt(sum(np.sum(v * v) for v in original.values()))
        scale = min(1.0, max_norm / (norm + 1e-6))
        got, err = safe_call(fn, grads, max_norm)
        if err is not None:   # a failing Feedback is falsy: test for None
            return err
        try:
            got_norm = float(got)
        except (TypeError, ValueError):
            return failed(f"return the global norm *before* clipping (a number); got {type(got).__name__}")
        if not np.isclose(got_norm, norm, rtol=1e-6):
            return failed(f"returned norm {got_norm:.6g}; the global norm before clipping is "
                          f"sqrt(Σ ‖g_k‖²) = {norm:.6g}")
        result = {k: np.asarray(v, dtype=float) for k, v in grads.items()}
        if all(np.allclose(result[k], original[k]) for k in original) and scale < 1:
            return failed("the gradients were not changed: scale the arrays *in place* (g *= s), "
                          "as torch.nn.utils.clip_grad_norm_ does")
        for k in original:
            if not np.allclose(result[k], original[k] * scale, rtol=1e-5, atol=1e-9):
                if scale == 1:
                    return failed(f"norm {norm:.3g} ≤ max_norm {max_norm}: the gradients must stay unchanged")
                per_array = {j: original[j] * min(1.0, max_norm / np.linalg.norm(original[j])) for j in original}
                if all(np.allclose(result[j], per_array[j]) for j in original):
                    return failed("you clipped each array separately; clip by the *global* norm of all of them, "
                                  "with one common factor max_norm/‖g‖, so the direction is kept")
                if all(np.allclose(result[j], np.clip(original[j], -max_norm, max_norm)) for j in original):
                    return failed("that is value clipping (np.clip per entry), which changes the direction; "
                                  "norm clipping multiplies every entry by max_norm/‖g‖")
                return failed(f"{k!r} after clipping should be {np.round(original[k] * scale, 4).tolist()}; "
                              f"got {np.round(result[k], 4).tolist()}")
    return passed("correct: one factor max_norm/‖g‖ for all gradients, applied only when ‖g‖ > max_norm")
