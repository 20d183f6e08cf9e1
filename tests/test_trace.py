"""gru_teach.analysis.trace: the number-by-number tracer agrees with torch.nn.GRUCell and renders readable tables."""
import numpy as np
import pytest
import torch

from gru_teach import GRU
from gru_teach.analysis.trace import (QUANTITIES, TraceTables, example_inputs, example_weights, gru_step, gru_step_record,
                             split_gates, stack_trace, trace_gru, trace_table)


def torch_cell(params):
    cell = torch.nn.GRUCell(params["weight_ih"].shape[1], params["weight_hh"].shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, value in params.items():
            getattr(cell, name).copy_(torch.from_numpy(np.asarray(value, float)))
    return cell


def torch_states(params, xs, h0):
    cell, h, out = torch_cell(params), torch.tensor(h0, dtype=torch.float64)[None], []
    with torch.no_grad():
        for x in xs:
            h = cell(torch.tensor(x, dtype=torch.float64)[None], h)
            out.append(h[0].numpy().copy())
    return np.array(out)


def test_example_trace_states_equal_torch_grucell():
    xs, h0 = example_inputs()
    params = example_weights()
    records = trace_gru(xs, h0, **params)
    assert len(records) == 3 and [r["t"] for r in records] == [1, 2, 3]
    np.testing.assert_allclose(stack_trace(records, "h"), torch_states(params, xs, h0), atol=1e-14)


def test_random_trace_equals_torch_and_gru_teach_gates():
    rng = np.random.default_rng(3)
    gru = GRU(3, 4, seed=1)
    xs, h0 = rng.normal(size=(5, 3)), rng.uniform(-1, 1, 4)
    records = trace_gru(xs, h0, **gru.parameters())
    np.testing.assert_allclose(stack_trace(records, "h"), torch_states(gru.parameters(), xs, h0), atol=1e-13)
    out, _ = gru.forward(xs[None], h0[None])
    gates = gru.last_gates()
    for key in ("r", "z", "n"):
        np.testing.assert_allclose(stack_trace(records, key), gates[key][0], atol=1e-14)
    np.testing.assert_allclose(stack_trace(records, "h_n"), gru._cache["hn"][0], atol=1e-14)


def test_step_record_intermediates_are_consistent():
    rec = gru_step_record([1.0, -1.0], [0.3, -0.2], *example_weights().values())
    np.testing.assert_allclose(rec["r"], 1 / (1 + np.exp(-rec["a_r"])))
    np.testing.assert_allclose(rec["r_h_n"], rec["r"] * rec["h_n"])
    np.testing.assert_allclose(rec["a_n"], rec["i_n"] + rec["r_h_n"])
    np.testing.assert_allclose(rec["h"], (1 - rec["z"]) * rec["n"] + rec["z"] * rec["h_prev"])
    assert set(rec) == {key for key, _, _ in QUANTITIES}


def test_first_example_step_by_hand():
    # h0 = 0, x1 = (1, 0): a_r = (0.5, 0), a_z = (0.5, 0.5), h_n = b_hn = (0.5, 0), i_n = (1, 0.5)
    rec = trace_gru(*example_inputs(), **example_weights())[0]
    np.testing.assert_allclose(rec["a_r"], [0.5, 0.0])
    np.testing.assert_allclose(rec["h_n"], [0.5, 0.0])
    s = 1 / (1 + np.exp(-0.5))
    np.testing.assert_allclose(rec["n"], np.tanh([1 + s * 0.5, 0.5]))
    np.testing.assert_allclose(rec["h"], (1 - s) * np.tanh([1 + s * 0.5, 0.5]))


def test_gru_step_rejects_mismatched_weights():
    with pytest.raises(ValueError, match="hidden size"):
        gru_step([1.0, 0.0], [0.0, 0.0, 0.0], *example_weights().values())
    with pytest.raises(ValueError, match="3H"):
        split_gates(np.zeros((5, 2)), 2)


def test_split_gates_returns_r_z_n_blocks():
    r, z, n = split_gates(np.arange(6.0), 2)
    assert r.tolist() == [0, 1] and z.tolist() == [2, 3] and n.tolist() == [4, 5]


def test_tables_show_every_quantity_with_rounded_values():
    rec = trace_gru(*example_inputs(), **example_weights())[0]
    html = trace_table(rec, fmt="html")
    md = trace_table(rec, fmt="markdown", digits=3)
    text = str(rec)
    for _, symbol, _ in QUANTITIES:
        assert symbol in text and symbol in md
    assert html.count("<tr>") == len(QUANTITIES) + 1 and "step t = 1" in html
    assert "0.622" in md and "0.6225" in text           # σ(0.5) to the requested digits
    assert md.splitlines()[2].startswith("| quantity |")
    both = TraceTables(trace_gru(*example_inputs(), **example_weights()))
    assert both._repr_html_().count("<table") == 3 and "step t = 3" in str(both)
    with pytest.raises(ValueError):
        trace_table(rec, fmt="latex")


def test_torch_trace_agrees_with_trace_gru_and_detects_a_change():
    from gru_teach.analysis.trace import max_trace_difference, torch_trace
    xs, h0 = example_inputs()
    params = example_weights()
    ours = trace_gru(xs, h0, **params)
    assert max_trace_difference(ours, torch_trace(torch_cell(params), xs, h0)) < 1e-14
    other = dict(params, bias_hh=params["bias_hh"] + 0.1)
    assert max_trace_difference(ours, torch_trace(torch_cell(other), xs, h0)) > 0.01


def test_with_gate_bias_pins_the_gate():
    from gru_teach.analysis.trace import with_gate_bias
    xs, h0 = example_inputs()
    keep = trace_gru(xs, np.array([0.5, -0.3]), **with_gate_bias(example_weights(), "z", 30.0))
    np.testing.assert_allclose(stack_trace(keep, "h"), [[0.5, -0.3]] * 3, atol=1e-12)
    shut = with_gate_bias(example_weights(), "r", -30.0)
    assert shut["bias_ih"][:2].tolist() == [-30.0, -30.0] and shut["bias_hh"][:2].tolist() == [0.0, 0.0]
    assert example_weights()["bias_ih"][0] == 0.0                  # the original is not modified
    with pytest.raises(ValueError):
        with_gate_bias(example_weights(), "n", 1.0)


def test_blog_trace_recomputation():
    from gru_teach.analysis.trace import BLOG_TRACE, recompute_blog_trace, blog_trace_table
    rec = recompute_blog_trace("elementwise")
    # r = σ(W ⊙ x + U_r h): W ⊙ x = (0.1, 0.4), U_r h = (0.005, 0.011)
    np.testing.assert_allclose(rec["a_r"], [0.105, 0.411])
    np.testing.assert_allclose(recompute_blog_trace("dot")["a_r"], [0.505, 0.511])
    np.testing.assert_allclose(rec["h_from_stated"], [0.52, 0.69])
    for reading in ("elementwise", "dot"):
        assert np.all(recompute_blog_trace(reading)["r"] > 0.5)        # so the stated r = (0.3, 0.4) is impossible
    no_r = recompute_blog_trace("elementwise", reset_in_candidate=False)
    np.testing.assert_allclose(no_r["h_tilde"], np.tanh([0.1, 0.4] + np.array(BLOG_TRACE["U_h"]) @ [0.1, 0.2]))
    table = blog_trace_table()
    assert table._repr_html_().count("<tr>") == 5 and "[0.300, 0.400]" in table and "[0.526, 0.601]" in table
    with pytest.raises(ValueError):
        recompute_blog_trace("cross")


def test_weights_table_labels_each_stacked_row_with_its_gate_and_unit():
    from gru_teach.analysis.trace import weights_table
    table = weights_table(example_weights())
    assert table._repr_html_().count("<tr>") == 7
    assert "z₂" in table and "-0.5" in table
    text = weights_table(example_weights(), fmt="text").splitlines()
    row_z1 = next(line for line in text if line.startswith("z₁")).split()
    assert row_z1 == ["z₁", "1.0", "0.0", "0.5", "0.0", "-0.5", "0.0"]
