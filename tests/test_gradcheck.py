"""gru_teach.analysis.gradcheck: central differences are accurate, and the checks tell right gradients from wrong ones."""
import numpy as np
import pytest

from gru_teach import GRU, LSTM, RNN
from gru_teach.analysis.gradcheck import GradCheckReport, check_gradients, check_layer, numerical_gradient, relative_error


def test_numerical_gradient_is_central_and_restores_the_array():
    x = np.array([0.3, -1.2, 2.0])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x ** 3)), x, eps=1e-3)
    assert np.array_equal(x, before)
    # central differences of x³ are exact up to ε² (= 1e-6); a forward difference would be off by ~3x·ε
    assert np.allclose(g, 3 * before ** 2, atol=2e-6)


def test_numerical_gradient_rejects_non_float_arrays():
    with pytest.raises(TypeError):
        numerical_gradient(lambda: 0.0, np.arange(3), 1e-6)


def test_relative_error_values():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [0.0]) == pytest.approx(1.0)
    assert relative_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    with pytest.raises(ValueError):
        relative_error([1.0], [1.0, 2.0])


def test_check_gradients_on_a_student_function_finds_a_wrong_gradient():
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(3, 4)), rng.normal(size=4)

    def loss():
        return float(np.sum(np.tanh(W @ x)))

    right = {"W": np.outer(1 - np.tanh(W @ x) ** 2, x), "x": W.T @ (1 - np.tanh(W @ x) ** 2)}
    report = check_gradients(loss, {"W": W, "x": x}, right)
    assert report.passed(1e-8) and report.worst() < 1e-8
    wrong = dict(right, x=W.T @ np.ones(3))            # forgot tanh'
    report = check_gradients(loss, {"W": W, "x": x}, wrong)
    assert report["W"] < 1e-8 and report["x"] > 1e-2 and not report.passed()
    with pytest.raises(KeyError):
        check_gradients(loss, {"W": W}, {})


@pytest.mark.parametrize("make", [lambda: GRU(3, 4, seed=0), lambda: GRU(3, 4, reset_after=False, seed=0),
                                  lambda: LSTM(3, 4, seed=0), lambda: RNN(3, 4, seed=0),
                                  lambda: RNN(3, 4, nonlinearity="relu", seed=0)],
                         ids=["gru", "gru_reset_before", "lstm", "rnn_tanh", "rnn_relu"])
def test_check_layer_passes_every_layer_kind(make):
    layer = make()
    report = check_layer(layer, batch=2, time=3)
    expected = {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "x", "h0"} | ({"c0"} if isinstance(layer, LSTM) else set())
    assert set(report) == expected
    assert report.worst() < 1e-7, str(report)


def test_check_layer_catches_a_broken_backward():
    layer = GRU(2, 3, seed=1)
    original = layer.backward

    def broken(d_out, d_last=None):
        dx, dh0 = original(d_out, d_last)
        layer.grads["weight_hh"] = layer.grads["weight_hh"] * 1.01
        return dx, dh0

    layer.backward = broken
    report = check_layer(layer, batch=1, time=3)
    assert report["weight_hh"] > 1e-3 and report["weight_ih"] < 1e-7


def test_check_layer_refuses_float32():
    with pytest.raises(TypeError):
        check_layer(GRU(2, 2, dtype=np.float32, seed=0))


def test_report_prints_a_table():
    report = GradCheckReport({"weight_ih": 1.5e-11, "x": 2e-10})
    text = str(report)
    assert "relative error" in text and "weight_ih" in text and "1.5e-11" in text
    assert "<table>" in report._repr_html_() and report.worst() == 2e-10
