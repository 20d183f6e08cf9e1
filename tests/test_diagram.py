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
