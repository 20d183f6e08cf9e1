"""Auto-checks for chapter 3 (a GRU in NumPy). Every check returns a Feedback and never raises.

* :func:`check_update_gate_backward` — ``fn(dh, h_prev, n, z) -> δa_z``, the gradient reaching the
  update gate's pre-activation: δa_z = δh ⊙ (h_{t-1} − n) ⊙ z ⊙ (1 − z).
* :func:`check_numerical_gradient` — ``fn(loss, array, eps) -> gradient`` by central differences.
* :func:`check_two_layers` — ``fn(layer1, layer2, x, d_out) -> (outputs, dx)``, forward and backward through two
  stacked GRU layers (layer2 reads layer1's outputs), leaving each layer's ``grads`` filled.
* :func:`check_step_backward` — ``fn(dh, cache, params) -> grads``, the whole backward pass of one GRU step
  (PyTorch's reset-after form): the four parameter gradients, ∂L/∂x_t and ∂L/∂h_{t-1}, given ∂L/∂h_t and the
  step's cache. Checked against :class:`gru_teach.GRU`'s own backward and by central differences; it names the
  usual mistakes (:data:`STEP_MISTAKES`).
"""
from __future__ import annotations

import numpy as np

from ..checking import check_array, compare_array, failed, passed, safe_call
from ...analysis.gradcheck import check_gradients
from ...cells.gru import GRU

__all__ = ["STEP_MISTAKES", "check_numerical_gradient", "check_step_backward", "check_two_layers",
           "check_update_gate_backward", "mistaken_step_backward", "reference_step_backward", "reference_two_layers",
           "step_cache"]


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


# ------------------------------------------------------------------ the whole backward step

#: what a student's ``fn(dh, cache, params)`` must return, and what each entry is
STEP_GRADS = {"weight_ih": "∂L/∂W_ih", "weight_hh": "∂L/∂W_hh", "bias_ih": "∂L/∂b_ih", "bias_hh": "∂L/∂b_hh",
              "x": "∂L/∂x_t", "h_prev": "∂L/∂h_{t-1}"}


def _layer(params) -> GRU:
    W_ih = np.asarray(params["weight_ih"], dtype=float)
    gru = GRU(W_ih.shape[1], W_ih.shape[0] // 3)
    gru.set_parameters(**params)
    return gru


def step_cache(params, x, h_prev) -> dict:
    """One forward step of :class:`gru_teach.GRU` from ``h_prev``: the cache a student receives.

    ``x`` (B, I), ``h_prev`` (B, H). Returns ``{"x", "h_prev", "r", "z", "n", "hn", "h"}``, each (B, ·), with
    hn = W_hn h_{t-1} + b_hn (the term r multiplies) and h = h_t.
    """
    gru = _layer(params)
    out, _ = gru.forward(np.asarray(x, float)[:, None], np.asarray(h_prev, float))
    c = gru._require_cache()
    cache = {k: c[k][:, 0].copy() for k in ("x", "h_prev", "r", "z", "n", "hn")}
    cache["h"] = out[:, 0].copy()
    return cache


def _assemble(gru: GRU, cache, d_a, d_hh, direct) -> dict:
    """The six gradients from the pre-activation gradients, with the layer's own weight-gradient code."""
    dx = gru._weight_grads(cache["x"][:, None], cache["h_prev"][:, None], d_a[:, None], d_hh[:, None])
    return {**gru.grads, "x": dx[:, 0], "h_prev": direct + d_hh @ gru.weight_hh}


def _deltas(gru: GRU, dh, cache):
    """(d_a, d_hh, direct) of one step, from :meth:`GRU._step_back_after` (the layer's own backward step)."""
    rz = np.concatenate([cache["r"], cache["z"]], axis=1)
    d_a, d_hh, dh_prev = gru._step_back_after(dh, rz, cache["n"], cache["hn"], cache["h_prev"])
    return d_a, d_hh, dh_prev - d_hh @ gru.weight_hh


def reference_step_backward(dh, cache, params) -> dict:
    """The correct answer: :class:`gru_teach.GRU`'s backward for one step (reset-after), as a dict of six arrays."""
    gru = _layer(params)
    return _assemble(gru, cache, *_deltas(gru, np.asarray(dh, float), cache))


def _blocks(a, H):
    return a[:, :H], a[:, H:2 * H], a[:, 2 * H:]


def mistaken_step_backward(dh, cache, params, mistake: str) -> dict:
    """What a known mistake (a key of :data:`STEP_MISTAKES`) gives, as the correct deltas changed by that mistake."""
    gru = _layer(params)
    H = gru.hidden_size
    d_a, d_hh, direct = (a.copy() for a in _deltas(gru, np.asarray(dh, float), cache))
    r, z, n, h_prev = cache["r"], cache["z"], cache["n"], cache["h_prev"]
    a_r, a_z, a_n = _blocks(d_a, H)            # views: editing them edits d_a
    h_r, h_z, h_n = _blocks(d_hh, H)
    if mistake == "no_one_minus_z":            # δa_n = δh ⊙ (1 − n²), and δa_r inherits it
        for block in (a_r, a_n, h_r, h_n):
            block /= 1 - z
    elif mistake.startswith("sigmoid_prime_s"):     # σ'(a) written as σ(a), for z, r or both
        if mistake != "sigmoid_prime_s_r":
            a_z /= 1 - z
            h_z /= 1 - z
        if mistake != "sigmoid_prime_s_z":
            a_r /= 1 - r
            h_r /= 1 - r
    elif mistake == "tanh_twice":              # 1 − tanh(n)² where n is already tanh(a_n)
        factor = (1 - np.tanh(n) ** 2) / (1 - n * n)
        for block in (a_r, a_n, h_r, h_n):
            block *= factor
    elif mistake == "flipped_update":          # ∂h/∂z = n − h_{t-1}
        a_z *= -1
        h_z *= -1
    elif mistake == "reset_missing_in_product":    # the recurrent product's n block gets δa_n, not δa_n ⊙ r
        h_n /= r
    elif mistake == "reset_on_input":          # r applied to the input part W_in x + b_in as well
        a_n *= r
    elif mistake == "reset_before_formula":    # Cho's δr = (δa_n W_hn) ⊙ h_{t-1} in a reset-after cell
        a_r[:] = h_r[:] = (a_n @ gru.weight_hh[2 * H:]) * h_prev * r * (1 - r)
    elif mistake == "bias_hn_without_r":       # b_hn treated as outside r
        grads = _assemble(gru, cache, d_a, d_hh, direct)
        grads["bias_hh"][2 * H:] = a_n.sum(axis=0)
        return grads
    elif mistake == "no_direct_path":          # ∂L/∂h_{t-1} without δh ⊙ z
        direct = np.zeros_like(direct)
    else:
        raise ValueError(f"unknown mistake {mistake!r}; known: {sorted(STEP_MISTAKES)}")
    return _assemble(gru, cache, d_a, d_hh, direct)


_SIGMOID_PRIME = "σ'(a) is σ(a)(1 − σ(a)), i.e. z ⊙ (1 − z) and r ⊙ (1 − r), not z or r"

#: the mistakes the check recognises, and what it tells the student
STEP_MISTAKES = {
    "no_one_minus_z": "δa_n lacks the factor (1 − z): h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}, so δn = δh ⊙ (1 − z) "
                      "before tanh' (and δa_r, which comes from δa_n, inherits the error)",
    "sigmoid_prime_s": _SIGMOID_PRIME,
    "sigmoid_prime_s_z": _SIGMOID_PRIME,
    "sigmoid_prime_s_r": _SIGMOID_PRIME,
    "tanh_twice": "tanh' is 1 − n² with n = tanh(a_n) from the cache; you applied tanh to n once more "
                  "(1 − tanh(n)²)",
    "flipped_update": "the sign of δz is flipped: ∂h_t/∂z = h_{t-1} − n in the book's (PyTorch's) convention "
                      "h_t = (1 − z) n + z h_{t-1}",
    "reset_missing_in_product": "the reset gate is missing where it belongs: in reset-after, r multiplies "
                                "W_hn h_{t-1} + b_hn, so the recurrent product's n block receives δa_n ⊙ r "
                                "(this changes ∂L/∂W_hh, ∂L/∂b_hh and ∂L/∂h_{t-1})",
    "reset_on_input": "the reset gate is applied to the wrong term: r scales only the recurrent part "
                      "W_hn h_{t-1} + b_hn, not the input part W_in x + b_in; the input side receives δa_n itself",
    "reset_before_formula": "that δr belongs to the reset-before cell (Cho et al.), where r multiplies h_{t-1} "
                            "inside W_hn (r ⊙ h); here r multiplies the product, so δr = δa_n ⊙ hn with "
                            "hn = W_hn h_{t-1} + b_hn from the cache",
    "bias_hn_without_r": "∂L/∂b_hn needs the factor r too: b_hn sits inside r ⊙ (W_hn h_{t-1} + b_hn)",
    "no_direct_path": "∂L/∂h_{t-1} misses the direct path δh ⊙ z: h_{t-1} reaches h_t through z ⊙ h_{t-1} "
                      "as well as through the three recurrent products",
}


def _matches(got: dict, expected: dict) -> bool:
    return all(np.allclose(np.asarray(got[k], float), expected[k], rtol=1e-6, atol=1e-9) for k in expected)


def check_step_backward(fn):
    """Check ``fn(dh, cache, params)`` -> dict of the six gradients of one GRU step (see :data:`STEP_GRADS`).

    ``dh`` (B, H) is ∂L/∂h_t; ``cache`` holds x, h_prev, r, z, n, hn of the step (:func:`step_cache`); ``params``
    the four stacked PyTorch parameters. The answer must equal :func:`reference_step_backward` (gru_teach's own
    backward) and pass a central-difference gradient check of L = Σ dh ⊙ h_t.
    """
    rng = np.random.default_rng(11)
    B, I, H = 3, 4, 5
    params = {k: v * 2.0 for k, v in GRU(I, H, seed=4).parameters().items()}   # gates well inside (0, 1)
    x, h_prev, dh = rng.normal(size=(B, I)), rng.uniform(-0.9, 0.9, (B, H)), rng.normal(size=(B, H))
    cache = step_cache(params, x, h_prev)
    student_cache = {k: v.copy() for k, v in cache.items() if k != "h"}
    got, err = safe_call(fn, dh.copy(), student_cache, {k: v.copy() for k, v in params.items()})
    if err is not None:
        return err
    if got is None:
        return failed("your function returned None: return a dict with the keys " + ", ".join(STEP_GRADS))
    if not isinstance(got, dict):
        return failed(f"return a dict with the keys {', '.join(STEP_GRADS)}; got {type(got).__name__}")
    missing = [k for k in STEP_GRADS if k not in got]
    if missing:
        return failed(f"the dict misses {', '.join(missing)} (expected keys: {', '.join(STEP_GRADS)})")
    ref = reference_step_backward(dh, cache, params)
    for k, meaning in STEP_GRADS.items():
        shape = ref[k].shape
        arr = got[k]
        if np.shape(arr) == shape[::-1] and shape[0] != shape[-1]:
            return failed(f"{k} ({meaning}) has shape {np.shape(arr)}: transposed; expected {shape}, "
                          "the shape of the array it is the gradient of")
        if k.startswith("bias") and np.shape(arr) == (B, *shape):
            return failed(f"{k} ({meaning}) has shape {np.shape(arr)}: sum over the batch, the bias is shared "
                          f"by every sequence; expected {shape}")
        bad = check_array(arr, shape, f"{k} ({meaning})")
        if bad is not None:
            return bad
    if not _matches(got, ref):
        for mistake, message in STEP_MISTAKES.items():
            if _matches(got, mistaken_step_backward(dh, cache, params, mistake)):
                return failed(message)
        wrong = []
        for k, meaning in STEP_GRADS.items():
            diff = np.abs(np.asarray(got[k], float) - ref[k])
            if not np.allclose(got[k], ref[k], rtol=1e-6, atol=1e-9):
                if k in ("x", "h_prev"):
                    wrong.append(f"{k} ({meaning})")
                    continue
                rows = [g for g, block in zip("rzn", np.split(diff, 3, axis=0)) if block.max() > 1e-9]
                wrong.append(f"{k} ({meaning}, rows of gate block {'/'.join(rows)})")
        right = [k for k in STEP_GRADS if not any(w.startswith(k + " ") for w in wrong)]
        verb = "differs" if len(wrong) == 1 else "differ"
        return failed("not yet: " + "; ".join(wrong) + f" {verb} from gru_teach.GRU's backward"
                      + (f" (correct: {', '.join(right)})" if right else "")
                      + ". Work block by block: δa_n, then δa_z, then δa_r")
    # independent evidence: central differences of L = Σ dh ⊙ h_t
    arrays = {k: np.array(v, dtype=float) for k, v in params.items()}
    arrays["x"], arrays["h_prev"] = x.copy(), h_prev.copy()

    def loss():
        gru = _layer({k: arrays[k] for k in params})
        _, h = gru.forward(arrays["x"][:, None], arrays["h_prev"])
        return float(np.sum(dh * h))

    report = check_gradients(loss, arrays, {k: np.asarray(got[k], float) for k in arrays})
    if not report.passed(1e-6):
        return failed(f"equal to the reference yet the gradient check fails (worst relative error "
                      f"{report.worst():.1e}); please report this")
    return passed("all six gradients equal gru_teach.GRU's backward and pass a central-difference check "
                  f"(worst relative error {report.worst():.0e})")
