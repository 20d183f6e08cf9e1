"""gru_teach.analysis.diagram (light): the cell diagram draws every part and, given a trace record, its numbers."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gru_teach.analysis.diagram import draw_gru_cell  # noqa: E402
from gru_teach.analysis.trace import example_inputs, example_weights, trace_gru  # noqa: E402


def texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_diagram_has_the_gates_and_operations():
    fig = draw_gru_cell()
    words = texts(fig)
    for part in ("update", "reset", "candidate", "⊙", "1−", "+", "h_{t-1}", "x_t", "h_t", "W_{hn}"):
        assert part in words, part
    assert "[" not in words                                 # no numbers without a record
    plt.close(fig)


def test_diagram_writes_the_traced_values():
    rec = trace_gru(*example_inputs(), **example_weights())[0]
    fig = draw_gru_cell(rec)
    words = texts(fig)
    assert f"[{rec['z'][0]:.2f}, {rec['z'][1]:.2f}]" in words
    assert f"[{rec['h'][0]:.2f}, {rec['h'][1]:.2f}]" in words
    plt.close(fig)


def test_diagram_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_gru_cell(ax=ax) is fig
    plt.close(fig)


def test_lstm_diagram_has_the_gates_and_both_states():
    from gru_teach.analysis.diagram import draw_lstm_cell

    fig = draw_lstm_cell()
    words = texts(fig)
    for part in ("forget", "input", "candidate", "output", "tanh", "⊙", "+", "c_{t-1}", "c_t", "h_{t-1}", "x_t",
                 "h_t", "f_t", "i_t", "g_t", "o_t"):
        assert part in words, part
    assert "reset" not in words and "update" not in words
    plt.close(fig)


def test_side_by_side_draws_both_cells():
    from gru_teach.analysis.diagram import draw_gru_and_lstm

    fig = draw_gru_and_lstm()
    assert len(fig.axes) == 2
    left, right = (" ".join(t.get_text() for t in ax.texts) for ax in fig.axes)
    assert "reset" in left and "output" not in left
    assert "output" in right and "reset" not in right
    assert "GRU" in fig.axes[0].get_title() and "LSTM" in fig.axes[1].get_title()
    plt.close(fig)
