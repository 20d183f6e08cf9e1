"""Chapter 3 auto-checks: accept correct answers, name the common mistakes, never crash on bad code."""
import numpy as np
import pytest
import torch

from gru_teach import GRU
from gru_teach.teaching.exercises import ch03
from gru_teach.analysis.gradcheck import numerical_gradient


def test_update_gate_accepts_the_right_answer():
    fb = ch03.check_update_gate_backward(lambda dh, h_prev, n, z: dh * (h_prev - n) * z * (1 - z))
    assert fb.passed


@pytest.mark.parametrize("fn, words", [
    (lambda dh, h, n, z: dh * (h - n), "z ⊙ (1 − z)"),
    (lambda dh, h, n, z: dh * (n - h) * z * (1 - z), "sign"),
    (lambda dh, h, n, z: dh * (h - n) * (1 - z * z), "tanh"),
    (lambda dh, h, n, z: (h - n) * z * (1 - z), "δh"),
    (lambda dh, h, n, z: dh * 2.0, "differs"),
    (lambda dh, h, n, z: None, "None"),
    (lambda dh, h, n, z: 1 / 0, "ZeroDivisionError"),
    (lambda dh, h, n, z: dh[:1], "shape"),
    ("not a function", "function"),
])
def test_update_gate_names_the_mistake(fn, words):
    fb = ch03.check_update_gate_backward(fn)
    assert not fb.passed and words in fb.message


def test_numerical_gradient_check():
    assert ch03.check_numerical_gradient(numerical_gradient).passed


def _forward_difference(loss, array, eps):
    g, base = np.zeros_like(array), loss()
    for k in range(array.size):
        old = array.flat[k]
        array.flat[k] = old + eps
        g.flat[k] = (loss() - base) / eps
        array.flat[k] = old
    return g


def _not_restored(loss, array, eps):
    g = numerical_gradient(loss, array, eps)
    array += 1
    return g


@pytest.mark.parametrize("fn, words", [
    (_forward_difference, "forward difference"),
    (_not_restored, "restored"),
    (lambda loss, a, eps: 2 * numerical_gradient(loss, a, eps), "2ε"),
    (lambda loss, a, eps: None, "None"),
    (lambda loss, a, eps: a[0], "shape"),
    (lambda loss, a, eps: {}["x"], "KeyError"),
])
def test_numerical_gradient_names_the_mistake(fn, words):
    fb = ch03.check_numerical_gradient(fn)
    assert not fb.passed and words in fb.message


def test_two_layers_reference_equals_torch_two_layer_gru():
    torch.manual_seed(0)
    m = torch.nn.GRU(3, 4, num_layers=2, batch_first=True, dtype=torch.float64)
    layers = []
    for k, size in enumerate((3, 4)):
        layer = GRU(size, 4)
        layer.set_parameters(**{p: getattr(m, f"{p}_l{k}").detach().numpy() for p in layer.parameters()})
        layers.append(layer)
    rng = np.random.default_rng(0)
    x, d_out = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    out, dx = ch03.reference_two_layers(*layers, x, d_out)
    xt = torch.tensor(x, requires_grad=True)
    out_t, _ = m(xt)
    out_t.backward(torch.tensor(d_out))
    assert np.abs(out - out_t.detach().numpy()).max() < 1e-12
    assert np.abs(dx - xt.grad.numpy()).max() < 1e-12
    assert np.abs(layers[0].grads["weight_hh"] - m.weight_hh_l0.grad.numpy()).max() < 1e-12


def test_two_layers_check():
    assert ch03.check_two_layers(ch03.reference_two_layers).passed


def _d_out_to_layer1(l1, l2, x, d_out):
    out1, _ = l1.forward(x)
    out2, _ = l2.forward(out1)
    l2.backward(d_out)
    dx, _ = l1.backward(d_out)
    return out2, dx


def _no_backward(l1, l2, x, d_out):
    out1, _ = l1.forward(x)
    return l2.forward(out1)[0], np.zeros_like(x)


@pytest.mark.parametrize("fn, words", [
    (_d_out_to_layer1, "layer2.backward returns"),
    (_no_backward, "not filled"),
    (lambda l1, l2, x, d: (l1.forward(x)[0], x), "layer2 must read"),
    (lambda l1, l2, x, d: None, "pair"),
    (lambda l1, l2, x, d: l2.forward(x), "raised"),
])
def test_two_layers_names_the_mistake(fn, words):
    fb = ch03.check_two_layers(fn)
    assert not fb.passed and words in fb.message


# ------------------------------------------------------------------ the whole backward step of a GRU
def _step_backward(dh, cache, params, bug=None):
    """A student's answer written out as code, with one deliberate bug (or none)."""
    x, h_prev = cache["x"], cache["h_prev"]
    r, z, n, hn = cache["r"], cache["z"], cache["n"], cache["hn"]
    W_hn = params["weight_hh"][2 * r.shape[1]:]
    one_minus_z = 1.0 if bug == "no_one_minus_z" else 1 - z
    tanh_prime = 1 - np.tanh(n) ** 2 if bug == "tanh_twice" else 1 - n ** 2
    sig_z = z if bug in ("sigmoid_prime_s", "sigmoid_prime_s_z") else z * (1 - z)
    sig_r = r if bug in ("sigmoid_prime_s", "sigmoid_prime_s_r") else r * (1 - r)
    da_n = dh * one_minus_z * tanh_prime
    dz = dh * (n - h_prev) if bug == "flipped_update" else dh * (h_prev - n)
    da_z = dz * sig_z
    if bug == "reset_before_formula":
        da_r = (da_n @ W_hn) * h_prev * sig_r
    else:
        da_r = da_n * hn * sig_r
    n_in = da_n * r if bug == "reset_on_input" else da_n
    n_rec = da_n if bug == "reset_missing_in_product" else da_n * r
    d_a = np.concatenate([da_r, da_z, n_in], axis=1)
    d_hh = np.concatenate([da_r, da_z, n_rec], axis=1)
    db_hh = d_hh.sum(0)
    if bug == "bias_hn_without_r":
        db_hh = np.concatenate([da_r, da_z, da_n], axis=1).sum(0)
    direct = 0.0 if bug == "no_direct_path" else dh * z
    grads = {"weight_ih": d_a.T @ x, "bias_ih": d_a.sum(0), "weight_hh": d_hh.T @ h_prev, "bias_hh": db_hh,
             "x": d_a @ params["weight_ih"], "h_prev": direct + d_hh @ params["weight_hh"]}
    if bug == "transposed":
        grads["weight_ih"] = x.T @ d_a
    if bug == "bias_not_summed":
        grads["bias_ih"] = d_a
    if bug == "missing_key":
        del grads["h_prev"]
    if bug == "nan":
        grads["x"] = grads["x"] * np.nan
    if bug == "scaled":
        grads["weight_hh"] = 1.5 * grads["weight_hh"]
    return grads


def test_step_backward_accepts_a_correct_answer_and_its_references_agree_with_torch():
    assert ch03.check_step_backward(_step_backward).passed
    # the reference is gru_teach.GRU's backward: check it against torch.nn.GRUCell for one step
    rng = np.random.default_rng(0)
    params = GRU(3, 4, seed=1).parameters()
    x, h_prev, dh = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    cache = ch03.step_cache(params, x, h_prev)
    ref = ch03.reference_step_backward(dh, cache, params)
    cell = GRU(3, 4, seed=1).to_torch(cell=True)
    xt, ht = torch.tensor(x, requires_grad=True), torch.tensor(h_prev, requires_grad=True)
    h_t = cell(xt, ht)
    np.testing.assert_allclose(h_t.detach().numpy(), cache["h"], atol=1e-14)
    (h_t * torch.tensor(dh)).sum().backward()
    np.testing.assert_allclose(ref["x"], xt.grad.numpy(), atol=1e-13)
    np.testing.assert_allclose(ref["h_prev"], ht.grad.numpy(), atol=1e-13)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        np.testing.assert_allclose(ref[name], getattr(cell, name).grad.numpy(), atol=1e-13)
    # the student-style code above, with no bug, is the same function
    for key, value in _step_backward(dh, cache, params).items():
        np.testing.assert_allclose(value, ref[key], atol=1e-13)


@pytest.mark.parametrize("bug", sorted(ch03.STEP_MISTAKES))
def test_step_backward_names_each_known_mistake(bug):
    """Each mistake, written as a student would write it, gets its own message (not the generic one)."""
    fb = ch03.check_step_backward(lambda dh, c, p: _step_backward(dh, c, p, bug))
    assert not fb.passed and fb.message == ch03.STEP_MISTAKES[bug]


@pytest.mark.parametrize("bug, words", [
    ("transposed", "transposed"),
    ("bias_not_summed", "sum over the batch"),
    ("missing_key", "misses h_prev"),
    ("nan", "NaN"),
    ("scaled", "weight_hh (∂L/∂W_hh, rows of gate block r/z/n) differs"),
])
def test_step_backward_explains_other_errors(bug, words):
    fb = ch03.check_step_backward(lambda dh, c, p: _step_backward(dh, c, p, bug))
    assert not fb.passed and words in fb.message, fb.message


@pytest.mark.parametrize("fn, words", [
    (lambda dh, c, p: None, "None"),
    (lambda dh, c, p: [dh], "dict"),
    (lambda dh, c, p: c["missing"], "KeyError"),
    ("not a function", "function"),
])
def test_step_backward_never_crashes(fn, words):
    fb = ch03.check_step_backward(fn)
    assert not fb.passed and words in fb.message


def test_mistaken_step_backward_rejects_unknown_names():
    params = GRU(2, 3, seed=0).parameters()
    cache = ch03.step_cache(params, np.ones((1, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="unknown mistake"):
        ch03.mistaken_step_backward(np.ones((1, 3)), cache, params, "typo")
