"""gru_teach.analysis.cost: parameter counts equal torch's, budgets are met, bad input is named."""
import itertools

import pytest
import torch

from gru_teach.analysis import cost
from gru_teach.training import SequenceModel


def torch_count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("cell, layers, bidirectional, bias", list(itertools.product(
    ("RNN", "GRU", "LSTM"), (1, 2, 3), (False, True), (True, False))))
def test_num_parameters_equals_torch(cell, layers, bidirectional, bias):
    for I, H in ((1, 1), (3, 5), (10, 32)):
        module = getattr(torch.nn, cell)(I, H, num_layers=layers, bidirectional=bidirectional, bias=bias)
        assert cost.num_parameters(cell, I, H, num_layers=layers, bidirectional=bidirectional,
                                   bias=bias) == torch_count(module)


def test_the_three_formulas():
    I, H = 7, 11
    assert cost.num_parameters("RNN", I, H) == H * (I + H + 2)
    assert cost.num_parameters("GRU", I, H) == 3 * H * (I + H + 2)
    assert cost.num_parameters("LSTM", I, H) == 4 * H * (I + H + 2)


def test_model_parameters_equals_sequence_model():
    for cell in ("RNN", "GRU", "LSTM"):
        assert cost.model_parameters(cell, 2, 9, 3) == torch_count(SequenceModel(2, 9, 3, cell=cell))


def test_equal_budget_hidden_is_the_closest():
    budget = cost.model_parameters("GRU", 2, 16, 1)          # 977
    sizes = cost.equal_budget_sizes(budget, 2, 1)
    assert sizes["GRU"] == (16, 977)
    for cell, (H, count) in sizes.items():
        for other in (H - 1, H + 1):
            assert abs(cost.model_parameters(cell, 2, other, 1) - budget) >= abs(count - budget)
    assert sizes["LSTM"][0] < sizes["GRU"][0] < sizes["RNN"][0]
    assert cost.equal_budget_hidden("RNN", 1, 1, 1) == 1     # tiny budgets still give a size


def test_multiply_adds():
    assert cost.multiply_adds_per_token("LSTM", 128, 128) == 4 * 128 * 256
    ratio = cost.multiply_adds_per_token("GRU", 64, 64) / cost.multiply_adds_per_token("LSTM", 64, 64)
    assert ratio == 0.75
    assert cost.ELEMENTWISE["LSTM"]["sigmoid"] == 3 and cost.ELEMENTWISE["GRU"]["sigmoid"] == 2


@pytest.mark.parametrize("call, words", [
    (lambda: cost.num_parameters("Transformer", 2, 3), "cell must be one of"),
    (lambda: cost.num_parameters("GRU", 0, 3), "input_size must be a positive integer; got 0"),
    (lambda: cost.num_parameters("GRU", 2, 2.5), "hidden_size must be a positive integer; got 2.5"),
    (lambda: cost.num_parameters("GRU", 2, 3, num_layers=0), "num_layers"),
    (lambda: cost.equal_budget_hidden("GRU", -5, 2, 1), "budget"),
    (lambda: cost.readout_parameters(4, 0), "output_size"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()
