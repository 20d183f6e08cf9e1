"""gru_teach.analysis.coupled: a coupled-gate LSTM built from the LSTM class, its trace, and its exact GRU twin."""
import numpy as np
import pytest
import torch

from gru_teach import GRU, LSTM
from gru_teach.analysis import coupled


def sequence(T=6, I=3, seed=0):
    return np.random.default_rng(seed).normal(size=(T, I))


def test_coupling_makes_f_equal_one_minus_i_and_pins_o():
    lstm = coupled.couple_gates(LSTM(3, 4, seed=1))
    recs = coupled.trace_lstm(lstm, sequence())
    for rec in recs:
        np.testing.assert_allclose(rec["f"], 1 - rec["i"], rtol=0, atol=1e-15)
        assert np.all(rec["o"] > 1 - 1e-13)
        np.testing.assert_allclose(rec["h"], np.tanh(rec["c"]), rtol=0, atol=1e-12)
        # the update is the GRU's rule with z = f and n = g
        np.testing.assert_allclose(rec["c"], (1 - rec["f"]) * rec["g"] + rec["f"] * rec["c_prev"], atol=1e-15)
    kept = coupled.couple_gates(LSTM(3, 4, seed=1), output_gate=True)
    assert np.all(coupled.trace_lstm(kept, sequence())[0]["o"] < 0.99)


def test_trace_equals_torch_lstm():
    lstm = coupled.couple_gates(LSTM(3, 4, seed=2))
    xs = sequence(seed=3)
    h0, c0 = np.full(4, 0.1), np.full(4, -0.2)
    recs = coupled.trace_lstm(lstm, xs, h0, c0)
    with torch.no_grad():
        out, _ = lstm.to_torch()(torch.from_numpy(xs)[None], (torch.from_numpy(h0)[None, None],
                                                               torch.from_numpy(c0)[None, None]))
    np.testing.assert_allclose(np.stack([r["h"] for r in recs]), out[0].numpy(), rtol=0, atol=1e-14)
    np.testing.assert_allclose(recs[0]["c_prev"], c0)


def test_gru_twin_equals_the_input_only_coupled_lstm():
    lstm = coupled.input_only(coupled.couple_gates(LSTM(3, 5, seed=4)))
    xs = sequence(T=20, I=3, seed=5)
    c = np.stack([r["c"] for r in coupled.trace_lstm(lstm, xs)])
    gru = coupled.gru_twin(lstm)
    assert isinstance(gru, GRU)
    h, _ = gru.forward(xs[None])
    assert np.abs(h[0] - c).max() < 1e-12
    # with recurrent weights the two differ: the LSTM's gates read tanh(c), the GRU's read h itself
    full = coupled.couple_gates(LSTM(3, 5, seed=4))
    c_full = np.stack([r["c"] for r in coupled.trace_lstm(full, xs)])
    assert np.abs(c_full - c).max() > 1e-3


def test_input_only_keeps_the_total_bias():
    lstm = LSTM(2, 3, seed=6)
    only = coupled.input_only(lstm)
    assert not only.weight_hh.any() and not only.bias_hh.any()
    np.testing.assert_allclose(only.bias_ih, lstm.bias_ih + lstm.bias_hh)


def test_coupled_table_shows_the_gru_rule():
    recs = coupled.trace_lstm(coupled.couple_gates(LSTM(2, 2, seed=0)), sequence(T=3, I=2))
    html = coupled.coupled_table(recs, unit=1)._repr_html_()
    assert "1 − i" in html and "(1−z)n + z c_{t-1}, z = f" in html and html.count("<tr>") == 4
    assert f"{recs[2]['c'][1]:.3f}" in html


@pytest.mark.parametrize("call, error, words", [
    (lambda: coupled.couple_gates(GRU(2, 2)), TypeError, "expected a gru_teach.LSTM; got GRU"),
    (lambda: coupled.gru_twin(coupled.couple_gates(LSTM(2, 2, seed=0))), ValueError, "input_only"),
    (lambda: coupled.gru_twin(coupled.input_only(LSTM(2, 2, seed=0))), ValueError, "couple_gates"),
])
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call()
