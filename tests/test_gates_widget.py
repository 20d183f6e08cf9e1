"""gru_teach.teaching.widgets.gates: the explorer's pure function, its frames, and the hand-set GRU's behaviour."""
import matplotlib

matplotlib.use("Agg")
import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gru_teach.teaching.widgets.gates import (EXPLORER_VALUES, EXPLORER_X, constant_gate_unit,  # noqa: E402
                                              flag_signal, gate_explorer, gate_frame_png, gate_values,
                                              hand_set_gru, memory_steps, plot_constant_gates,
                                              plot_gates_over_time)


def sig(a):
    return 1 / (1 + np.exp(-a))


def test_gate_values_follow_the_equations():
    v = gate_values(1.0, 0.5, b_r=-1.0, b_z=2.0)
    r, z = sig(1.0 + 0.5 - 1.0), sig(1.0 + 0.5 + 2.0)
    n = np.tanh(1.5 + r * 0.75)
    assert np.isclose(v["r"], r) and np.isclose(v["z"], z) and np.isclose(v["n"], n)
    assert np.isclose(v["h"], (1 - z) * n + z * 0.5)


def test_large_update_bias_keeps_state_and_negative_one_takes_candidate():
    assert abs(gate_values(2.0, -0.8, b_z=12.0)["h"] + 0.8) < 1e-4
    v = gate_values(2.0, -0.8, b_z=-12.0)
    assert abs(v["h"] - v["n"]) < 1e-4


def test_frames_and_explorer():
    from PIL import Image
    png = gate_frame_png(0.0, 0.8, 4.0, -4.0)
    image = Image.open(io.BytesIO(png))
    assert png.startswith(b"\x89PNG") and image.size == (440, 205) and len(png) < 6000
    assert Image.open(io.BytesIO(gate_frame_png(0.0, 0.8, scale=2))).size == (880, 410)
    assert gate_frame_png(0.0, 0.8, 4.0, -4.0) == png                     # pure: same input, same picture
    assert gate_frame_png(0.0, -0.8, 4.0, -4.0) != png
    small = gate_explorer({"h_prev": [0.0, 0.5], "b_r": [0.0], "b_z": [0.0, 4.0]})
    assert len(small.frames) == 4 and "<input type=\"range\"" in small._repr_html_()
    # finer than three positions per slider, and a page weight that stays near a megabyte
    sizes = [len(v) for v in EXPLORER_VALUES.values()]
    assert min(sizes) >= 5 and np.prod(sizes) <= 400


def test_hand_set_gru_holds_follows_and_resets():
    gru, x = hand_set_gru(), flag_signal(T=30, flags=(4, 13, 21), seed=0)
    out, _ = gru.forward(x)
    v = x[0, :, 0]
    # unit 1 holds tanh(2 v) of the last flag until the next one
    np.testing.assert_allclose(out[0, 4:13, 0], np.tanh(2 * v[4]), atol=0.01)
    np.testing.assert_allclose(out[0, 21:, 0], np.tanh(2 * v[21]), atol=0.01)
    # unit 2 follows the input
    np.testing.assert_allclose(out[0, :, 1], np.tanh(2 * v), atol=0.01)
    # unit 3 forgets at a flag: its state is then tanh(0.5 v) whatever came before
    np.testing.assert_allclose(out[0, [4, 13, 21], 2], np.tanh(0.5 * v[[4, 13, 21]]), atol=0.01)
    g = gru.last_gates()
    assert g["z"][0, 4, 0] < 0.01 and g["z"][0, 5, 0] > 0.99 and g["r"][0, 13, 2] < 0.01


def test_gates_over_time_figure():
    fig = plot_gates_over_time(hand_set_gru(), flag_signal())
    assert len(fig.axes) == 4 and len(fig.axes[1].images) == 1 and len(fig.axes[2].images) == 1
    plt.close(fig)


def test_explorer_opens_on_a_frame_where_the_update_gate_mixes():
    explorer = gate_explorer()
    start = {name: values[k] for (name, values), k in zip(explorer.params.items(), explorer.start)}
    first = gate_values(EXPLORER_X, **start)
    assert 0.5 < first["z"] < 0.9 and first["n"] > first["h"] > start["h_prev"]
    key = "-".join(map(str, explorer.start))
    assert explorer.frames[key] in explorer._repr_html_()


def test_constant_update_gate_is_a_moving_average_with_memory_one_over_one_minus_z():
    unit = constant_gate_unit(0.9)
    x = np.random.default_rng(0).normal(size=(1, 30, 1))
    out, _ = unit.forward(x, np.full((1, 1), 0.3))
    h, expected = 0.3, []
    for x_t in x[0, :, 0]:
        h = 0.9 * h + 0.1 * np.tanh(x_t)
        expected.append(h)
    np.testing.assert_allclose(out[0, :, 0], expected, atol=1e-12)
    for z in (0.5, 0.8, 0.9, 0.95, 0.99):
        assert abs(memory_steps(z) - 1 / (1 - z)) <= 1          # the old state falls below 1/e
    with pytest.raises(ValueError):
        constant_gate_unit(1.0)
    fig = plot_constant_gates()
    assert len(fig.axes[0].lines) == 4
    plt.close(fig)
