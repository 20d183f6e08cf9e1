"""gru_teach.training.compare (chapter 4's experiment) and its report: budgets, models, runs, the results file."""
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gru_teach import tasks  # noqa: E402
from gru_teach.analysis import cost  # noqa: E402
from gru_teach.data import load_results  # noqa: E402
from gru_teach.training import compare, compare_report  # noqa: E402


def test_set_forget_bias_every_layer_and_direction():
    lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    compare.set_forget_bias(lstm, 1.0)
    for name, p in lstm.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.all(p[5:10] == 1) and not torch.all(p[:5] == 1)
        if name.startswith("bias_hh"):
            assert torch.all(p[5:10] == 0)
    with pytest.raises(TypeError, match="expects torch.nn.LSTM; got GRU"):
        compare.set_forget_bias(torch.nn.GRU(2, 2))


def test_build_model_sizes_and_forget_gate_start():
    for model in compare.MODELS:
        net = compare.build_model(model, 2, 7, 3, "all")
        assert sum(p.numel() for p in net.parameters()) == cost.model_parameters(compare.CELL[model], 2, 7, 3)
    net = compare.build_model("LSTM-fb1", 2, 7, 1)
    f_bias = net.rnn.bias_ih_l0[7:14] + net.rnn.bias_hh_l0[7:14]
    assert torch.all(f_bias == 1)
    with pytest.raises(ValueError, match="model must be one of"):
        compare.build_model("Mamba", 2, 7, 1)


@pytest.mark.parametrize("task", compare.TASKS, ids=lambda t: t.name)
def test_every_model_gets_the_same_budget(task):
    sizes = {m: task.hidden(m) for m in compare.MODELS}
    assert sizes["GRU"] == task.budget_hidden
    I, O, _ = task.sizes
    for model, H in sizes.items():
        count = cost.model_parameters(compare.CELL[model], I, H, O)
        assert abs(count - task.budget) <= 0.12 * task.budget, (model, count, task.budget)


def test_losses():
    logits = torch.randn(2, 4, 3)
    y = torch.tensor(np.random.default_rng(0).integers(0, 3, (2, 4)))
    manual = -torch.log_softmax(logits, -1).gather(-1, y[..., None]).mean()
    assert torch.allclose(compare.sequence_cross_entropy(logits, y), manual)
    x, targets = tasks.counting_batch([1, 3])
    out = torch.randn(2, 6, 3)
    kept = torch.as_tensor(targets) >= 0
    full = torch.nn.functional.binary_cross_entropy_with_logits(out[kept], torch.as_tensor(targets)[kept])
    assert torch.allclose(compare.masked_bce(out, torch.as_tensor(targets)), full)


def test_learning_curve_windows():
    assert compare.learning_curve(np.arange(100.0), points=4) == [12.0, 37.0, 62.0, 87.0]
    assert compare.learning_curve(np.ones(3), points=50) == [1.0, 1.0, 1.0]
    assert compare.learning_curve([]) == []


def test_run_one_is_deterministic_and_complete():
    task = compare.QUICK_TASKS[0]
    a, _ = compare.run_one(task, "GRU", 0)
    b, _ = compare.run_one(task, "GRU", 0)
    assert a["score"] == b["score"] and a["curve"] == b["curve"]
    assert {"task", "model", "seed", "hidden", "parameters", "score", "metrics", "curve", "seconds"} <= set(a)


def test_counting_states_come_from_the_lstm_cell_state():
    torch.manual_seed(0)
    net = compare.build_model("LSTM", 2, 4, 3, "all")
    states = compare.string_states(net, 3)
    x = torch.nn.functional.one_hot(torch.as_tensor(tasks.counting_batch([3])[0]), 2).double()
    lstm = net.rnn.double()
    h, c = torch.zeros(1, 1, 4, dtype=torch.float64), torch.zeros(1, 1, 4, dtype=torch.float64)
    cs = []
    with torch.no_grad():
        for t in range(6):
            _, (h, c) = lstm(x[:, t:t + 1], (h, c))
            cs.append(c[0, 0].numpy())
    assert states.shape == (6, 4) and np.abs(states - np.array(cs)).max() < 1e-12
    turn = compare.states_at_turn(net, [1, 2, 3])
    np.testing.assert_allclose(turn, compare.string_states(net, 3)[:3])
    for model in ("GRU", "RNN"):
        assert compare.string_states(compare.build_model(model, 2, 4, 3, "all"), 2).shape == (4, 4)


def test_counting_unit_finds_the_linear_unit():
    n = np.arange(1, 21)
    states = np.stack([np.tanh(n / 3.0), 0.1 * n - 0.5, np.sin(n)], axis=1)
    assert compare.counting_unit(states, n) == 1


def test_summarise_mean_and_sample_std():
    records = [{"task": "t", "model": "GRU", "hidden": 4, "parameters": 10, "score": s} for s in (1.0, 2.0, 3.0)]
    s = compare.summarise(records)["t"]["GRU"]
    assert s["mean"] == 2.0 and s["std"] == pytest.approx(1.0) and s["values"] == [1.0, 2.0, 3.0]


def test_quick_command_writes_a_results_file(tmp_path, capsys):
    out = tmp_path / "quick.json"
    compare.main(["--quick", "--seeds", "0", "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["provenance"]["command"] == "python -m gru_teach.training.compare --quick --seeds 0"
    assert len(result["records"]) == len(compare.QUICK_TASKS) * len(compare.MODELS)
    assert set(result["counting_states"]) == set(compare.MODELS)
    table = compare_report.results_table(result, fmt="text")
    assert all(t.name in table for t in compare.QUICK_TASKS)
    fig = compare_report.plot_learning_curves(result, [t.name for t in compare.QUICK_TASKS])
    drawn = [ax for ax in fig.axes if ax.lines]
    assert len(drawn) == len(compare.QUICK_TASKS) and fig.axes[len(drawn)].get_legend() is not None
    plt.close(fig)
    plt.close(compare_report.plot_counting(result))
    with pytest.raises(KeyError, match="no task 'nope'"):
        compare_report.task_info(result, "nope")


def test_committed_results_cover_every_task_model_and_three_seeds():
    result = load_results("ch04_compare.json")
    prov = result["provenance"]
    assert prov["command"] == "python -m gru_teach.training.compare" and prov["seconds"] > 0
    names = [t["name"] for t in result["tasks"]]
    assert names == [t.name for t in compare.TASKS]
    for task in names:
        for model in compare.MODELS:
            seeds = {r["seed"] for r in result["records"] if r["task"] == task and r["model"] == model}
            assert len(seeds) >= 3, (task, model)
    assert {"LSTM", "GRU"} <= set(result["counting_states"])


def test_format_score():
    assert compare_report.format_score("test_accuracy", 0.8123, 0.013) == "81.2 ± 1.3 %"
    assert compare_report.format_score("generalisation_n", 31.0, 3.6) == "31.0 ± 3.6"
    assert compare_report.format_score("test_mse", 0.000234, 0.00011) == "2.3 ± 1.1 e-4"
    assert compare_report.format_score("test_ce", 0.4603, 0.0152) == "0.460 ± 0.015"
    assert compare_report.format_score("test_mse", 0.0, 0.0) == "0.000 ± 0.000"


def test_pin_reset_gate_keeps_r_open_through_training():
    from gru_teach import GRU

    torch.manual_seed(0)
    net = compare.build_model("GRU", 2, 4, 1)
    compare.pin_reset_gate(net.rnn)
    x, y = tasks.adding_problem(16, 6, seed=0)
    from gru_teach.training import train
    train(net, (x, y), torch.nn.functional.mse_loss, torch.optim.Adam(net.parameters(), 0.05), 5)
    assert torch.all(net.rnn.weight_hh_l0[:4] == 0) and torch.all(net.rnn.bias_ih_l0[:4] == 30)
    assert not torch.all(net.rnn.weight_hh_l0[4:] == 0)
    layer = GRU.from_torch(net.rnn)
    layer.forward(x.astype(float))
    assert layer.last_gates()["r"].min() > 1 - 1e-12
    with pytest.raises(TypeError, match="expects torch.nn.GRU"):
        compare.pin_reset_gate(torch.nn.LSTM(2, 2))


def test_plot_string_states_draws_every_unit():
    torch.manual_seed(0)
    nets = {"LSTM": compare.build_model("LSTM", 2, 3, 3, "all"), "GRU": compare.build_model("GRU", 2, 4, 3, "all")}
    fig = compare_report.plot_string_states(nets, 5)
    assert [len(ax.lines) for ax in fig.axes] == [3 + 1, 4 + 1]       # units + the a/b boundary
    plt.close(fig)


def test_plateau_exit():
    result = {"tasks": [{"name": "t", "steps": 100, "baseline": 1.0}],
              "records": [{"task": "t", "model": "GRU", "curve": [1.0, 0.9, 0.4, 0.1]},
                          {"task": "t", "model": "GRU", "curve": [1.0, 1.0, 0.5, 0.1]},
                          {"task": "t", "model": "LSTM", "curve": [1.0, 1.0, 1.0, 0.9]}]}
    assert compare_report.plateau_exit(result, "t", "GRU") == 75          # mean 0.45 < 0.5 in window 3 of 4
    assert compare_report.plateau_exit(result, "t", "LSTM") is None
    assert compare_report.plateau_exit(result, "t", "RNN") is None
