"""Auto-checks for chapter 3 (a GRU in NumPy). Every check returns a Feedback and never raises.

* :func:`check_update_gate_backward` — ``fn(dh, h_prev, n, z) -> δa_z``, the gradient reaching the
  update gate's pre-activation: δa_z = δh ⊙ (h_{t-1} − n) ⊙ z ⊙ (1 − z).
* :func:`check_numerical_gradient` — ``fn(loss, array, eps) -> gradient`` by central differences.
* :func:`check_two_layers` — ``fn(layer1, layer2, x, d_out) -> (outputs, dx)``, forward and backward through two
  stacked GRU layers (layer2 reads layer1's outputs), leaving each layer's ``grads`` filled.
"""
from __future__ import annotations

import numpy as np

from ..checking import compare_array, failed, passed, safe_call
from ...cells.gru import GRU

__all__ = ["check_update_gate_backward", "check_numerical_gradient", "check_two_layers", "reference_two_layers"]


def _close(got, expected) -> bool:
    try:
        arr = np.asarray(got, dtype=float)
        return arr.shape == np.shape(expected) and bool(np.allclose(arr, expected, rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return False


def check_update_gate_backward(fn):
    """Check ``fn(dh, h_prev, n, z)`` against δa_z = δh ⊙ (h_{t-1} − n) ⊙ z(1 − z); name the usual mistakes."""
    rng = np.random.default_rng(3)
    dh, h_prev, n = rng.normal(size=(3, 4)), rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (3, 4))
    z = rng.uniform(0.05, 0.95, (3, 4))
    got, err = safe_call(fn, dh.copy(), h_prev.copy(), n.copy(), z.copy())
    if err is not None:
        return err
    ref = dh * (h_prev - n) * z * (1 - z)
    mistakes = [
        (dh * (h_prev - n), "you returned δz, the gradient of z itself: multiply by σ'(a_z) = z ⊙ (1 − z)"),
        (dh * (n - h_prev) * z * (1 - z), "the sign is flipped: ∂h_t/∂z_t = h_{t-1} − n_t in the book's (PyTorch's) "
                                           "convention h_t = (1 − z) n + z h_{t-1}; n − h_{t-1} belongs to the "
                                           "other convention, h_t = (1 − z) h_{t-1} + z n"),
        (dh * (h_prev - n) * z, "σ'(a) is z ⊙ (1 − z), not z"),
        (dh * (h_prev - n) * (1 - z * z), "1 − z² is tanh's derivative; the update gate is a sigmoid: z ⊙ (1 − z)"),
        (dh * (h_prev - n) * (1 - z), "σ'(a) is z ⊙ (1 − z), not 1 − z"),
        ((h_prev - n) * z * (1 - z), "you forgot to multiply by the incoming gradient δh (chain rule)"),
        (dh * (1 - z) * z * (1 - z), "∂h_t/∂z_t is h_{t-1} − n_t (h_t = n + z ⊙ (h_{t-1} − n)), not 1 − z"),
    ]
    for wrong, message in mistakes:
        if _close(got, wrong):
            return failed(message)
    bad = compare_array(got, ref, "δa_z")
    if bad is not None:
        return bad
    return passed("δa_z = δh ⊙ (h_{t-1} − n) ⊙ z ⊙ (1 − z): correct")


def check_numerical_gradient(fn):
    """Check a student's central-difference gradient ``fn(loss, array, eps)`` on L = Σ x³ + Σ sin(x)."""
    array = np.array([[0.5, -1.0, 2.0], [1.5, -0.3, 0.8]])
    original = array.copy()

    def loss():
        return float(np.sum(array ** 3) + np.sum(np.sin(array)))

    eps = 1e-3
    got, err = safe_call(fn, loss, array, eps)
    if err is not None:
        return err
    if not np.array_equal(array, original):
        return failed("the array was not restored after perturbing it: put each entry back to its old value")
    exact = 3 * original ** 2 + np.cos(original)
    if got is None:
        return failed("your function returned None: did you forget to `return` the gradient?")
    # what the usual mistakes give (computed on a copy, so the check itself stays side-effect free)
    work = original.copy()

    def loss_w():
        return float(np.sum(work ** 3) + np.sum(np.sin(work)))

    forward = np.zeros_like(work)
    base = loss_w()
    for k in range(work.size):
        old = work.flat[k]
        work.flat[k] = old + eps
        forward.flat[k] = (loss_w() - base) / eps
        work.flat[k] = old
    if _close(got, forward) and not _close(got, exact):
        return failed("that is a forward difference (L(x+ε) − L(x))/ε, error O(ε); use the central difference "
                      "(L(x+ε) − L(x−ε))/(2ε), error O(ε²)")
    if _close(np.asarray(got, dtype=float) / 2, exact) if np.shape(got) == exact.shape else False:
        return failed("twice the gradient: divide by 2ε, the distance between x+ε and x−ε")
    bad = compare_array(got, exact, "gradient", rtol=1e-5, atol=1e-5)
    if bad is not None:
        return bad
    return passed("central differences: error of order ε² (here < 1e-5) and the array is left as it was")


def reference_two_layers(layer1, layer2, x, d_out):
    """Two stacked layers: forward through both, then backpropagate d_out through layer2, then layer1."""
    out1, _ = layer1.forward(x)
    out2, _ = layer2.forward(out1)
    d_out1, _ = layer2.backward(d_out)
    dx, _ = layer1.backward(d_out1)
    return out2, dx


def check_two_layers(fn):
    """Check ``fn(layer1, layer2, x, d_out) -> (outputs, dx)`` and both layers' ``grads``."""
    rng = np.random.default_rng(5)
    B, T, I, H = 2, 5, 3, 4
    x, d_out = rng.normal(size=(B, T, I)), rng.normal(size=(B, T, H))
    ref1, ref2 = GRU(I, H, seed=1), GRU(H, H, seed=2)
    ref_out, ref_dx = reference_two_layers(ref1, ref2, x, d_out)
    l1, l2 = GRU(I, H, seed=1), GRU(H, H, seed=2)
    result, err = safe_call(fn, l1, l2, x.copy(), d_out.copy())
    if err is not None:
        return err
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return failed(f"return a pair (outputs, dx); got {type(result).__name__}")
    out, dx = result
    bad = compare_array(out, ref_out, "outputs")
    if bad is not None:
        return failed(bad.message + " — layer2 must read layer1's outputs at every step (batch, time, hidden)")
    for name, layer, ref in (("layer2", l2, ref2), ("layer1", l1, ref1)):
        if not isinstance(getattr(layer, "grads", None), dict) or set(layer.grads) != set(ref.grads):
            return failed(f"{name}.grads is not filled: call {name}.backward(...)")
        for p in ref.grads:
            bad = compare_array(layer.grads[p], ref.grads[p], f"{name}.grads[{p!r}]")
            if bad is not None:
                hint = (" — the upstream gradient of layer1 is what layer2.backward returns (its dx), "
                        "not d_out" if name == "layer1" else "")
                return failed(bad.message + hint)
    bad = compare_array(dx, ref_dx, "dx")
    if bad is not None:
        return failed(bad.message + " — dx is what layer1.backward returns")
    return passed("two stacked layers: outputs, dx and every gradient of both layers are correct")
