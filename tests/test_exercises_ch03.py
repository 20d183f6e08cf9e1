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
