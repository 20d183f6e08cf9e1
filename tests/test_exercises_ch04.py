"""Chapter 4 auto-checks: accept correct answers, name the common mistakes, never crash on bad code."""
import functools

import numpy as np
import pytest

from gru_teach import LSTM
from gru_teach.analysis import cost
from gru_teach.teaching.exercises import ch04


# ---------------------------------------------------------------- parameter counts

def test_param_count_accepts_the_right_answer():
    def count(cell, I, H, layers, bidirectional):
        return cost.num_parameters(cell, I, H, num_layers=layers, bidirectional=bidirectional)
    assert ch04.check_stacked_param_count(count).passed
    assert ch04.check_stacked_param_count(lambda *case: float(count(*case))).passed        # 1234.0 is a whole number


def test_count_variant_defaults_equal_torch_formula():
    for case in ch04.PARAM_CASES:
        assert ch04.count_variant(*case) == cost.num_parameters(case[0], case[1], case[2], num_layers=case[3],
                                                                bidirectional=case[4])


@pytest.mark.parametrize("kwargs, words", [
    ({"biases": 1}, "one bias vector"),
    ({"biases": 0}, "forgot the biases"),
    ({"later_reads_input": True}, "read the layer below"),
    ({"later_reads_one_direction": True}, "2H, not H"),
    ({"count_directions": False}, "count each layer twice"),
])
def test_param_count_names_the_mistake(kwargs, words):
    fb = ch04.check_stacked_param_count(functools.partial(ch04.count_variant, **kwargs))
    assert not fb.passed and words in fb.message


def test_param_count_names_swapped_gate_blocks():
    def swapped(cell, I, H, layers, bidirectional):
        blocks = {"GRU": 4, "LSTM": 3, "RNN": 1}[cell]
        return ch04.count_variant(cell, I, H, layers, bidirectional, blocks=blocks)
    fb = ch04.check_stacked_param_count(swapped)
    assert not fb.passed and "3 gate blocks (r, z, n), not 4" in fb.message


@pytest.mark.parametrize("fn, words", [
    (lambda *a: 12, "torch has"),
    (lambda *a: "many", "whole number"),
    (lambda *a: None, "whole number"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (42, "expected a function"),
])
def test_param_count_survives_bad_code(fn, words):
    fb = ch04.check_stacked_param_count(fn)
    assert not fb.passed and words in fb.message


# ---------------------------------------------------------------- equal budgets

def test_equal_budget_accepts_and_names_mistakes():
    assert ch04.check_equal_budget(cost.equal_budget_hidden).passed
    fb = ch04.check_equal_budget(ch04._closest_layer_only)
    assert not fb.passed and "read-out" in fb.message
    fb = ch04.check_equal_budget(ch04._largest_within)
    assert not fb.passed and "closest" in fb.message
    fb = ch04.check_equal_budget(lambda cell, b, I, O: 7)
    assert not fb.passed and "not the closest" in fb.message
    assert not ch04.check_equal_budget(lambda *a: [1, 2]).passed


# ---------------------------------------------------------------- one LSTM step

def test_variant_without_mistakes_is_the_lstm_class():
    for case in ch04._lstm_cases(seed=3):
        h, c = ch04.variant_lstm_step(*case)
        h_ref, c_ref = ch04.reference_lstm_step(*case)
        assert np.abs(h - h_ref).max() < 1e-14 and np.abs(c - c_ref).max() < 1e-14


def test_reference_step_equals_torch():
    import torch
    case = next(ch04._lstm_cases(seed=4))
    x, h, c, W_ih, W_hh, b_ih, b_hh = case
    cell = torch.nn.LSTMCell(3, 4, dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(torch.from_numpy(value))
        h_t, c_t = cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None], torch.from_numpy(c)[None]))
    h_ref, c_ref = ch04.reference_lstm_step(*case)
    assert np.abs(h_t[0].numpy() - h_ref).max() < 1e-14 and np.abs(c_t[0].numpy() - c_ref).max() < 1e-14


def test_lstm_step_accepts_the_right_answer():
    assert ch04.check_lstm_step(ch04.reference_lstm_step).passed


@pytest.mark.parametrize("kwargs, words", [
    ({"forget": False}, "forget gate is missing"),
    ({"swap": True}, "h and c are swapped"),
    ({"tanh_c": False}, "passes through tanh"),
    ({"use_b_hh": False}, "b_hh is missing"),
    ({"order": ("i", "f", "o", "g")}, "order (i, f, o, g)"),
    ({"order": ("f", "i", "g", "o")}, "order (f, i, g, o)"),
])
def test_lstm_step_names_the_mistake(kwargs, words):
    fb = ch04.check_lstm_step(functools.partial(ch04.variant_lstm_step, **kwargs))
    assert not fb.passed and words in fb.message


def test_lstm_step_names_a_sigmoid_candidate():
    from gru_teach.cells.recurrent import sigmoid
    fb = ch04.check_lstm_step(functools.partial(ch04.variant_lstm_step, g_act=sigmoid))
    assert not fb.passed and "candidate g uses σ" in fb.message


@pytest.mark.parametrize("fn, words", [
    (lambda *a: None, "pair"),
    (lambda x, h, c, *w: h, "pair"),
    (lambda x, h, c, *w: (h, c), "differs"),
    (lambda x, h, c, *w: (h[:2], c), "shape"),
    (lambda x, h, c, *w: (h * np.nan, c), "NaN"),
    (lambda x, h, c, W_ih, *w: W_ih @ h, "raised ValueError"),
])
def test_lstm_step_survives_bad_code(fn, words):
    fb = ch04.check_lstm_step(fn)
    assert not fb.passed and words in fb.message


# ---------------------------------------------------------------- coupling

def _couple(params, H, how="negate", names=("weight_ih", "weight_hh", "bias_ih", "bias_hh")):
    out = {k: np.array(v, dtype=float) for k, v in params.items()}
    for name in names:
        i_rows = out[name][:H].copy()
        out[name][H:2 * H] = {"negate": -i_rows, "one_minus": 1 - i_rows, "copy": i_rows}[how]
    return out


def test_coupled_gates_accepts_the_right_answer():
    fb = ch04.check_coupled_gates(_couple)
    assert fb.passed and "f = 1 − i" in fb.message


@pytest.mark.parametrize("fn, words", [
    (functools.partial(_couple, how="one_minus"), "1 − W is not the way"),
    (functools.partial(_couple, how="copy"), "f = i"),
    (functools.partial(_couple, names=("weight_ih", "weight_hh")), "bias_ih: the forget rows are unchanged"),
    (lambda p, H: {**p, "bias_ih": p["bias_ih"] + 1}, "only the forget rows should change"),
    (lambda p, H: {"weight_ih": p["weight_ih"]}, "four parameters"),
    (lambda p, H: {**p, "weight_hh": p["weight_hh"][:2]}, "shape"),
    (lambda p, H: None, "four parameters"),
    (lambda p, H: p["nope"], "KeyError"),
])
def test_coupled_gates_names_the_mistake(fn, words):
    fb = ch04.check_coupled_gates(fn)
    assert not fb.passed and words in fb.message, fb.message


def test_coupled_gates_reference_gives_exact_coupling():
    from gru_teach.analysis.coupled import couple_gates
    lstm = LSTM(2, 3, seed=7)
    assert ch04.check_coupled_gates(lambda p, H: couple_gates(lstm, output_gate=True).parameters()).passed
