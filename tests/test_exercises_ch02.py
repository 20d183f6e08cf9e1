"""gru_teach.teaching.exercises.ch02: the checks accept correct code, name each known mistake, and never crash."""
import functools

import numpy as np
import pytest

from gru_teach.analysis.conventions import flip_update_gate
from gru_teach.teaching.exercises.ch02 import (MISTAKES, check_chung_conversion, check_hand_step, check_param_count,
                                      check_step, hand_step_answer, variant_step)
from gru_teach.analysis.trace import gru_step


def test_reference_step_passes():
    fb = check_step(gru_step)
    assert fb.passed and "matches" in fb.message


def test_correct_batched_broadcasting_step_passes():
    def my_step(x, h, W_ih, W_hh, b_ih, b_hh):
        H = len(h)
        gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
        r = 1 / (1 + np.exp(-(gi[:H] + gh[:H])))
        z = 1 / (1 + np.exp(-(gi[H:2 * H] + gh[H:2 * H])))
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        return (1 - z) * n + z * h
    assert check_step(my_step).passed


@pytest.mark.parametrize("kwargs,expected", [
    ({"update": "take"}, "update direction is flipped"),
    ({"r_act": np.tanh}, "reset gate uses tanh"),
    ({"z_act": np.tanh}, "update gate uses tanh"),
    ({"r_act": np.tanh, "z_act": np.tanh}, "both gates use tanh"),
    ({"reset": "before"}, "reset is applied before"),
    ({"reset": "outside"}, "b_hn is added outside"),
    ({"use_b_hh": False}, "recurrent bias b_hh is missing"),
    ({"use_b_ih": False}, "input bias b_ih is missing"),
    ({"use_b_ih": False, "use_b_hh": False}, "both biases are missing"),
    ({"order": ("z", "r", "n")}, "order (z, r, n)"),
    ({"order": ("n", "z", "r")}, "order (n, z, r)"),
])
def test_each_known_mistake_is_named(kwargs, expected):
    fb = check_step(functools.partial(variant_step, **kwargs))
    assert not fb.passed
    assert expected in fb.message, fb.message


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def rnn_step_on_candidate_rows(x, h, W_ih, W_hh, b_ih, b_hh):
    """A student's plain tanh RNN step: the candidate rows only, no gates at all."""
    H = len(h)
    return np.tanh(W_ih[2 * H:] @ x + b_ih[2 * H:] + W_hh[2 * H:] @ h + b_hh[2 * H:])


def rnn_step_on_all_rows(x, h, W_ih, W_hh, b_ih, b_hh):
    """A student's plain tanh RNN step on the stacked weights: the blocks are never split."""
    return np.tanh(W_ih @ x + b_ih + W_hh @ h + b_hh)


def step_without_reset(x, h, W_ih, W_hh, b_ih, b_hh):
    """A student's GRU step that forgets the reset gate in the candidate."""
    H = len(h)
    gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
    z = _sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = np.tanh(gi[2 * H:] + gh[2 * H:])
    return (1 - z) * n + z * h


def step_without_update(x, h, W_ih, W_hh, b_ih, b_hh):
    """A student's GRU step that returns the candidate."""
    H = len(h)
    gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
    r = _sigmoid(gi[:H] + gh[:H])
    return np.tanh(gi[2 * H:] + r * gh[2 * H:])


@pytest.mark.parametrize("student,expected", [
    (rnn_step_on_candidate_rows, "plain tanh RNN step"),
    (rnn_step_on_all_rows, "plain tanh RNN step on all 3H rows"),
    (step_without_reset, "reset gate is ignored"),
    (step_without_update, "update gate is ignored"),
])
def test_a_step_without_gates_is_named(student, expected):
    fb = check_step(student)
    assert not fb.passed and expected in fb.message, fb.message
    if student is not rnn_step_on_candidate_rows:
        assert "no gates" not in fb.message


def test_every_mistake_is_distinguishable_from_the_others():
    for kwargs, message in MISTAKES:
        fb = check_step(functools.partial(variant_step, **kwargs))
        assert not fb.passed and message in fb.message, (kwargs, fb.message)


@pytest.mark.parametrize("bad,expected", [
    (lambda *a: 1 / 0, "raised ZeroDivisionError"),
    (lambda *a: None, "is None"),
    (lambda x, h, *a: np.full_like(h, np.nan), "NaN"),
    (lambda x, h, *a: np.zeros(len(h) + 1), "shape"),
    (lambda x, h, *a: h[None], "shape"),
    (lambda x, h, *a: "h", "array of numbers"),
    (lambda x, h, *a: h * 0.5, "differs from the reference"),
    ("not a function", "expected a function"),
])
def test_broken_student_code_gets_a_message_not_a_crash(bad, expected):
    fb = check_step(bad)
    assert not fb.passed and expected in fb.message, fb.message


def test_hand_step_check():
    ref = hand_step_answer()
    rounded = {k: np.round(v, 3).tolist() for k, v in ref.items()}
    assert check_hand_step(rounded).passed
    wrong = dict(rounded, n=[0.0, 0.0])
    fb = check_hand_step(wrong)
    assert not fb.passed and "n" in fb.message and "Hint" in fb.message
    assert not check_hand_step({"r": rounded["r"]}).passed
    assert not check_hand_step([1, 2]).passed
    assert "None" in check_hand_step(dict(rounded, z=None)).message


def test_param_count_check():
    assert check_param_count(lambda I, H: 3 * H * (I + H + 2)).passed
    assert "one bias" in check_param_count(lambda I, H: 3 * H * (I + H + 1)).message
    assert "LSTM" in check_param_count(lambda I, H: 4 * H * (I + H + 2)).message
    assert "plain RNN" in check_param_count(lambda I, H: H * (I + H + 2)).message
    assert not check_param_count(lambda I, H: None).passed
    assert not check_param_count(lambda I, H: "many").passed
    assert "raised" in check_param_count(lambda I: 0).message


def test_chung_conversion_check():
    assert check_chung_conversion(flip_update_gate).passed
    assert "unchanged" in check_chung_conversion(lambda p: p).message

    def weights_only(p):
        q = {k: np.array(v) for k, v in p.items()}
        H = q["weight_hh"].shape[1]
        q["weight_ih"][H:2 * H] *= -1
        q["weight_hh"][H:2 * H] *= -1
        return q
    assert "biases" in check_chung_conversion(weights_only).message
    assert not check_chung_conversion(lambda p: None).passed
    assert not check_chung_conversion(lambda p: {"weight_ih": 1}).passed
    assert "shape" in check_chung_conversion(lambda p: dict(p, weight_ih=np.zeros(3))).message
    assert "raised" in check_chung_conversion(lambda p: p["nope"]).message
