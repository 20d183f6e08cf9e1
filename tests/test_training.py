import numpy as np
import pytest
import torch

from gru_teach import tasks
from gru_teach.training import History, SequenceModel, adding_experiment, adding_run, evaluate, train


def test_sequence_model_output_shapes():
    x = torch.randn(3, 7, 2)
    assert SequenceModel(2, 5, 1, cell="RNN")(x).shape == (3, 1)
    assert SequenceModel(2, 5, 4, cell="LSTM", readout="all")(x).shape == (3, 7, 4)
    ids = torch.randint(0, 10, (3, 7))
    assert SequenceModel(10, 5, 10, cell="GRU", readout="all")(ids).shape == (3, 7, 10)
    with pytest.raises(ValueError):
        SequenceModel(2, 5, 1, cell="Transformer")


def test_train_records_loss_and_true_grad_norm_and_reduces_loss():
    torch.manual_seed(0)
    model = SequenceModel(2, 8, 1, cell="GRU")
    x, y = tasks.adding_problem(32, 5, seed=0)
    # the recorded norm of step 0 equals the norm computed by hand
    loss = torch.nn.functional.mse_loss(model(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    expected = float(torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())))
    model.zero_grad()
    hist = train(model, (x, y), torch.nn.functional.mse_loss, torch.optim.Adam(model.parameters(), 0.02), 60,
                 threads=1)
    assert isinstance(hist, History) and hist.steps == 60 and not hist.diverged
    assert hist.grad_norm[0] == pytest.approx(expected, rel=1e-5)
    assert hist.loss[-1] < 0.5 * hist.loss[0]


def test_clipping_bounds_the_update_but_records_the_norm_before():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    x, y = torch.ones(4, 3) * 100, torch.zeros(4, 1)
    before = [p.detach().clone() for p in model.parameters()]
    hist = train(model, (x, y), torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=1.0), 1,
                 clip=0.5)
    assert hist.grad_norm[0] > 100
    step = torch.sqrt(sum(((p.detach() - b) ** 2).sum() for p, b in zip(model.parameters(), before)))
    assert float(step) == pytest.approx(0.5, rel=1e-4)


def test_train_stops_and_flags_divergence():
    model = torch.nn.Linear(1, 1)
    data = lambda step: (torch.tensor([[float("inf")]]), torch.tensor([[0.0]]))  # noqa: E731
    hist = train(model, data, torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.1), 10)
    assert hist.diverged and hist.steps == 1


def test_train_accepts_iterables_and_validates_arguments():
    model = torch.nn.Linear(2, 1)
    batches = [(np.ones((2, 2)), np.zeros((2, 1)))] * 3
    hist = train(model, iter(batches), torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), 0.1), 3)
    assert hist.steps == 3 and hist.loss[2] < hist.loss[0]
    with pytest.raises(ValueError):
        train(model, batches[0], torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), 0.1), 1, clip=0)


def test_evaluate_matches_manual_loss():
    model = torch.nn.Linear(2, 1)
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    with torch.no_grad():
        manual = float(torch.nn.functional.mse_loss(model(torch.from_numpy(x)), torch.from_numpy(y)))
    assert evaluate(model, x, y, torch.nn.functional.mse_loss) == pytest.approx(manual)


def test_adding_run_gru_learns_short_sequences_quickly():
    _, hist, mse = adding_run("GRU", 6, steps=150, hidden=8)
    assert mse < 0.05 < tasks.adding_baseline_mse()
    records = adding_experiment((4,), ("RNN",), (0,), steps=2, hidden=4, test_size=10)
    assert adding_experiment((4,), ("GRU",), (0,), steps=1, test_size=10)[0]["parameters"] == 977
    assert records[0]["cell"] == "RNN" and records[0]["parameters"] == 4 * (2 + 4 + 2) + 5


def test_plateau_steps_and_the_exercise_experiment():
    from gru_teach.training.adding import exercise_experiment, plateau_steps
    base = tasks.adding_baseline_mse()
    loss = np.r_[np.full(30, base), np.full(30, 0.1 * base)]
    assert plateau_steps(loss, base, window=10) == 26   # window 26..35: mean (4 + 0.6) / 10 · base < base / 2
    assert plateau_steps(np.full(50, base), base) is None and plateau_steps(loss[:5], base) is None
    records = exercise_experiment(seeds=(0,), steps=3, T_long=6, T_short=4, big_hidden=6)
    assert [r["run"] for r in records] == ["long_gru", "long_rnn", "big_rnn", "unclipped_rnn"]
    assert records[3]["clip"] is None and records[2]["hidden"] == 6
    assert 0 <= records[0]["units_z_above_095"] <= 16 and records[1]["grad_norm_full_lag"] >= 0


def test_torch_threads_is_scoped_and_restores_the_setting():
    from gru_teach.training import torch_threads
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before
    model = torch.nn.Linear(1, 1)
    train(model, (torch.ones(2, 1), torch.ones(2, 1)), torch.nn.functional.mse_loss,
          torch.optim.SGD(model.parameters(), lr=0.1), 2, threads=1)
    assert torch.get_num_threads() == before


def test_divergence_is_flagged_even_when_training_continues():
    model = torch.nn.Linear(1, 1)
    data = lambda step: (torch.tensor([[float("nan")]]), torch.tensor([[0.0]]))  # noqa: E731
    hist = train(model, data, torch.nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.1), 3,
                 stop_on_nonfinite=False)
    assert hist.diverged and hist.steps == 3
