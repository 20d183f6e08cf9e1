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


# ----------------------------------------------------------------------------- chapter 5: epochs, data loaders,
# validation, early stopping, schedulers, checkpoints, devices, host syncs, clear errors
import math  # noqa: E402

from torch import nn  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from gru_teach.training import (EarlyStopping, accuracy, as_dataset, evaluate_on, make_loader,  # noqa: E402
                                pick_device, seed_everything, split_indices)


class TinyRegressor(nn.Module):
    """GRU → dropout → linear read-out of the last state: small, but with every kind of state a resume needs
    (dropout draws from torch's global generator)."""

    def __init__(self, hidden=6, dropout=0.3):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(self.drop(h[:, -1]))


def _adding_data(n=40, T=6, seed=0):
    x, y = tasks.adding_problem(n, T, seed=seed)
    return as_dataset(x, y)


def _setup(seed=0, *, loader_seed=1, epochs_total=6, dropout=0.3):
    torch.manual_seed(seed)
    model = TinyRegressor(dropout=dropout)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    train_loader = make_loader(_adding_data(), 7, seed=loader_seed)     # 40 samples → 6 batches, the last of 5
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs_total * len(train_loader))
    return model, opt, train_loader, sched


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


def test_epoch_mode_records_curves_validation_metrics_and_lr():
    model, opt, loader, _ = _setup(dropout=0.0)
    val = _adding_data(16, seed=1)
    mae = lambda out, y: (out - y).abs().mean()  # noqa: E731
    hist = train(model, loader, nn.functional.mse_loss, opt, epochs=4, val_data=val, metrics={"mae": mae})
    assert hist.epochs == 4 and hist.steps == 4 * len(loader) == len(hist.loss)
    assert set(hist.curves) == {"epoch", "train_loss", "val_loss", "val_mae", "lr", "seconds"}
    assert hist.curve("epoch").tolist() == [1, 2, 3, 4]
    # the epoch's training loss is the batch-size-weighted mean of its per-step losses
    sizes = np.array([7] * 5 + [5])
    assert hist.curve("train_loss")[0] == pytest.approx(np.sum(hist.loss[:6] * sizes) / 40, rel=1e-6)
    # the validation values are those of evaluate_on after the last epoch
    final = evaluate_on(model, val, nn.functional.mse_loss, metrics={"mae": mae})
    assert hist.curve("val_loss")[-1] == pytest.approx(final["loss"], rel=1e-6)
    assert hist.curve("val_mae")[-1] == pytest.approx(final["mae"], rel=1e-6)
    assert hist.curve("lr").tolist() == [0.01] * 4
    with pytest.raises(KeyError, match="recorded"):
        hist.curve("val_accuracy")


def test_checkpoint_resume_continues_bit_for_bit(tmp_path):
    """Interrupted after 3 of 6 epochs and resumed from the checkpoint with freshly built objects (different
    seeds, so nothing but the checkpoint can make them agree) = one uninterrupted run, bit for bit."""
    val = _adding_data(16, seed=1)
    kwargs = dict(val_data=val, scheduler_interval="step", clip=1.0, early_stopping=EarlyStopping(patience=50))
    model, opt, loader, sched = _setup()
    straight = train(model, loader, nn.functional.mse_loss, opt, epochs=6, scheduler=sched, **kwargs)
    expected = _params(model)

    path = tmp_path / "run.pt"
    model, opt, loader, sched = _setup()
    first = train(model, loader, nn.functional.mse_loss, opt, epochs=3, scheduler=sched, checkpoint=path, **kwargs)
    assert first.epochs == 3 and path.is_file()
    torch.manual_seed(999)                              # what happened in between does not matter
    model, opt, loader, sched = _setup(seed=5, loader_seed=7)
    resumed = train(model, loader, nn.functional.mse_loss, opt, epochs=6, scheduler=sched, checkpoint=path,
                    resume=True, **kwargs)
    assert all(torch.equal(a, b) for a, b in zip(_params(model), expected))
    assert np.array_equal(resumed.loss, straight.loss) and np.array_equal(resumed.grad_norm, straight.grad_norm)
    for name in ("train_loss", "val_loss", "lr"):
        assert resumed.curves[name] == straight.curves[name]
    assert resumed.steps == straight.steps and resumed.best_epoch == straight.best_epoch


def test_resuming_only_weights_and_optimizer_is_not_enough(tmp_path):
    """The control for the test above: without the generators' states (dropout, shuffling) the runs differ."""
    model, opt, loader, sched = _setup()
    train(model, loader, nn.functional.mse_loss, opt, epochs=6, scheduler=sched, scheduler_interval="step")
    expected = _params(model)
    model, opt, loader, sched = _setup()
    train(model, loader, nn.functional.mse_loss, opt, epochs=3, scheduler=sched, scheduler_interval="step",
          checkpoint=tmp_path / "run.pt")
    state = torch.load(tmp_path / "run.pt", weights_only=True)
    model, opt, loader, sched = _setup(seed=5, loader_seed=7)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["scheduler"])
    train(model, loader, nn.functional.mse_loss, opt, epochs=3, scheduler=sched, scheduler_interval="step")
    assert not all(torch.equal(a, b) for a, b in zip(_params(model), expected))


def test_resume_checks_that_the_checkpoint_fits(tmp_path):
    model, opt, loader, _ = _setup()
    train(model, loader, nn.functional.mse_loss, opt, epochs=1, checkpoint=tmp_path / "a.pt")
    model, opt, _, _ = _setup()
    other = make_loader(_adding_data(), 10)
    with pytest.raises(ValueError, match="6 batches per epoch.*gives 4"):
        train(model, other, nn.functional.mse_loss, opt, epochs=2, checkpoint=tmp_path / "a.pt", resume=True)
    bigger = TinyRegressor(hidden=8)
    with pytest.raises(ValueError, match="does not fit this model"):
        train(bigger, loader, nn.functional.mse_loss, torch.optim.Adam(bigger.parameters()), epochs=2,
              checkpoint=tmp_path / "a.pt", resume=True)
    # resume=True without a file yet starts from scratch (a job's first attempt)
    fresh = train(model, loader, nn.functional.mse_loss, opt, epochs=1, checkpoint=tmp_path / "new.pt", resume=True)
    assert fresh.epochs == 1 and (tmp_path / "new.pt").is_file()


def test_early_stopping_stops_and_restores_the_best_weights():
    """Validation targets of the opposite sign: the better the fit, the worse the validation loss."""
    x, y = tasks.adding_problem(40, 6, seed=0)
    val = (x, -y)
    model, opt, loader, _ = _setup(dropout=0.0)
    stop = EarlyStopping(monitor="val_loss", patience=2)
    hist = train(model, loader, nn.functional.mse_loss, opt, epochs=30, val_data=val, early_stopping=stop)
    assert hist.stopped_early and hist.epochs == hist.best_epoch + 2 < 30
    best = hist.curve("val_loss")[hist.best_epoch - 1]
    assert best == hist.curve("val_loss").min()
    assert evaluate_on(model, val, nn.functional.mse_loss)["loss"] == pytest.approx(best, rel=1e-6)
    # the restored weights are exactly those after best_epoch epochs of an identical run
    model2, opt2, loader2, _ = _setup(dropout=0.0)
    train(model2, loader2, nn.functional.mse_loss, opt2, epochs=hist.best_epoch, val_data=val)
    assert all(torch.equal(a, b) for a, b in zip(_params(model), _params(model2)))
    with pytest.raises(ValueError, match="val_accuracy.*expected one of"):
        train(model, loader, nn.functional.mse_loss, opt, epochs=1, val_data=val,
              early_stopping=EarlyStopping(monitor="val_accuracy"))
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="largest")


def test_schedulers_per_epoch_per_step_and_on_plateau():
    model, opt, loader, _ = _setup(dropout=0.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    hist = train(model, loader, nn.functional.mse_loss, opt, epochs=5, scheduler=sched)
    assert hist.curve("lr").tolist() == pytest.approx([0.01, 0.005, 0.005, 0.0025, 0.0025])
    model, opt, loader, _ = _setup(dropout=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=3 * len(loader))
    lrs = []
    train(model, loader, nn.functional.mse_loss, opt, epochs=3, scheduler=sched, scheduler_interval="step",
          on_step=lambda step: lrs.append(opt.param_groups[0]["lr"]))
    assert len(lrs) == 18 and max(lrs) == pytest.approx(0.05, rel=0.05) and lrs[-1] < 1e-4
    model, opt, loader, _ = _setup(dropout=0.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.1)
    x, y = tasks.adding_problem(40, 6, seed=0)
    hist = train(model, loader, nn.functional.mse_loss, opt, epochs=4, scheduler=plateau, val_data=(x, -y))
    assert hist.curve("lr")[-1] < 0.01     # the validation loss got worse, so the rate was cut


def test_record_every_and_host_syncs():
    """Per-step records are optional and copied to the host in bulk: the number of host syncs that gru_teach's loop
    makes does not grow with the number of batches per epoch (the hot path has none). Counted: the tensor methods
    that read a value on the host, called directly from gru_teach code (torch's own, such as Adam reading its
    step counter kept on the CPU for exactly this reason, are not the loop's)."""
    import sys

    class HostSyncs(TorchFunctionMode):
        NAMES = {"item", "__bool__", "__float__", "__int__", "tolist", "numpy", "cpu"}

        def __init__(self):
            super().__init__()
            self.count = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", "") in self.NAMES:
                caller = sys._getframe(1)      # skip torch's dispatch machinery to the code that called it
                while caller.f_code.co_filename.endswith(("overrides.py", "_tensor.py")):
                    caller = caller.f_back
                self.count += "gru_teach" in caller.f_code.co_filename
            return func(*args, **(kwargs or {}))

    counts = {}
    for n in (14, 56):          # 2 and 8 batches per epoch
        torch.manual_seed(0)
        model = TinyRegressor()
        loader = make_loader(_adding_data(n), 7)
        with HostSyncs() as syncs:
            train(model, loader, nn.functional.mse_loss, torch.optim.Adam(model.parameters()), epochs=2,
                  val_data=_adding_data(8, seed=1), record_every=1)
        counts[n] = syncs.count
    assert counts[14] == counts[56]
    with HostSyncs() as per_step:     # the control: syncing every step shows up in the count
        train(TinyRegressor(), make_loader(_adding_data(14), 7), nn.functional.mse_loss,
              torch.optim.SGD(TinyRegressor().parameters(), lr=0.1), epochs=2, sync_every=1)
    with HostSyncs() as per_epoch:
        train(TinyRegressor(), make_loader(_adding_data(14), 7), nn.functional.mse_loss,
              torch.optim.SGD(TinyRegressor().parameters(), lr=0.1), epochs=2)
    assert per_step.count > per_epoch.count
    # every 3rd step recorded: the same values as the full record at those steps
    model, opt, loader, _ = _setup(dropout=0.0)
    full = train(model, loader, nn.functional.mse_loss, opt, epochs=2)
    model, opt, loader, _ = _setup(dropout=0.0)
    sparse = train(model, loader, nn.functional.mse_loss, opt, epochs=2, record_every=3)
    assert sparse.steps_recorded.tolist() == [0, 3, 6, 9] and full.steps_recorded is None
    assert np.array_equal(sparse.loss, full.loss[::3])
    assert sparse.curves["train_loss"] == full.curves["train_loss"]
    model, opt, loader, _ = _setup(dropout=0.0)
    none = train(model, loader, nn.functional.mse_loss, opt, epochs=2, record_every=None)
    assert len(none.loss) == 0 and none.steps == 12 and none.curves["train_loss"] == full.curves["train_loss"]


def test_divergence_in_epoch_mode_is_found_at_the_next_sync():
    model = nn.Linear(1, 1)
    bad = [(torch.tensor([[float("nan")]]), torch.tensor([[0.0]]))] * 4
    hist = train(model, bad, nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.1), epochs=3)
    assert hist.diverged and hist.epochs == 1
    model = nn.Linear(1, 1)
    hist = train(model, bad, nn.functional.mse_loss, torch.optim.SGD(model.parameters(), lr=0.1), epochs=3,
                 sync_every=1)
    assert hist.diverged and hist.steps == 1 and hist.epochs == 0


def test_datasets_tuple_inputs_and_steps_with_a_loader():
    class Masked(nn.Module):        # two inputs: the batch is (x, mask, y) and the model gets (x, mask)
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 1)

        def forward(self, x, mask):
            return self.lin(x * mask)

    g = torch.Generator().manual_seed(0)
    x, mask = torch.randn(20, 3, generator=g), (torch.rand(20, 3, generator=g) > 0.5).float()
    y = (x * mask).sum(1, keepdim=True)
    model = Masked()
    hist = train(model, TensorDataset(x, mask, y), nn.functional.mse_loss,
                 torch.optim.SGD(model.parameters(), lr=0.1), epochs=30, batch_size=8)
    assert hist.steps == 30 * 3 and hist.curve("train_loss")[-1] < 0.1 * hist.curve("train_loss")[0]
    capped = train(model, make_loader(TensorDataset(x, mask, y), 8), nn.functional.mse_loss,
                   torch.optim.SGD(model.parameters(), lr=0.1), steps=7)
    assert capped.steps == 7 and capped.epochs == 3


def test_accuracy_metric_and_evaluate_on_weighting():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert float(accuracy(logits, torch.tensor([0, 1, 1]))) == pytest.approx(2 / 3)
    assert float(accuracy(torch.tensor([[0.3], [-1.0]]), torch.tensor([[1.0], [1.0]]))) == 0.5
    assert float(accuracy(torch.tensor([0.3, -1.0]), torch.tensor([1.0, 0.0]))) == 1.0
    model = nn.Linear(2, 2)
    x, y = torch.randn(10, 2), torch.randint(0, 2, (10,))
    whole = evaluate_on(model, (x, y), nn.functional.cross_entropy, metrics={"acc": accuracy})
    batched = evaluate_on(model, make_loader(TensorDataset(x, y), 3, shuffle=False), nn.functional.cross_entropy,
                          metrics={"acc": accuracy})              # batches of 3, 3, 3, 1: weighted by size
    assert batched["loss"] == pytest.approx(whole["loss"], rel=1e-6)
    assert batched["acc"] == pytest.approx(whole["acc"])
    assert whole["loss"] == pytest.approx(evaluate(model, x, y, nn.functional.cross_entropy), rel=1e-6)


def test_device_selection_and_clear_errors():
    assert pick_device("auto") == pick_device(None) == torch.device(
        "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu")
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="unknown device 'gpu'.*'cuda', 'mps', 'cpu'"):
        pick_device("gpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU.*available here: .*cpu"):
            pick_device("cuda")
    with pytest.raises(TypeError, match="device must be"):
        pick_device(3)
    model = nn.Linear(2, 1)
    hist = train(model, (torch.ones(4, 2), torch.zeros(4, 1)), nn.functional.mse_loss,
                 torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, device="cpu")
    assert hist.epochs == 2 and next(model.parameters()).device.type == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        train(model, (torch.ones(4, 2), torch.zeros(4, 1)), nn.functional.mse_loss,
              torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, device="tpu0")


def test_bad_configuration_gets_errors_naming_expected_and_given():
    model = TinyRegressor()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mse = nn.functional.mse_loss
    x, y = tasks.adding_problem(8, 5, seed=0)
    with pytest.raises(ValueError, match=r"output has shape \(8, 1\) but the target has shape \(8,\)"):
        train(model, (x, y[:, 0]), mse, opt, epochs=1)
    with pytest.raises(ValueError, match=r"first training batch: inputs \(8, 5, 3\) float32.*input_size"):
        train(model, (np.zeros((8, 5, 3), np.float32), y), mse, opt, epochs=1)
    with pytest.raises(ValueError, match=r"returned 8 outputs.*for 4 targets"):
        train(model, (x, y[:4]), mse, opt, epochs=1)
    empty = DataLoader(TensorDataset(torch.zeros(3, 5, 2), torch.zeros(3, 1)), batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match=r"training data is empty.*3 samples, batch_size=4, drop_last=True"):
        train(model, empty, mse, opt, epochs=1)
    with pytest.raises(ValueError, match="dataset is empty"):
        make_loader(TensorDataset(torch.zeros(0, 2)), 4)
    with pytest.raises(ValueError, match="validation data is empty"):
        train(model, (x, y), mse, opt, epochs=1, val_data=[])
    with pytest.raises(ValueError, match="steps=N.*epochs=N"):
        train(model, (x, y), mse, opt)
    with pytest.raises(TypeError, match="function of the step: pass steps=N"):
        train(model, lambda step: (x, y), mse, opt, epochs=2)
    with pytest.raises(ValueError, match="ran out after 1 batches"):
        train(model, iter([(x, y)]), mse, opt, 2)
    with pytest.raises(ValueError, match="pass epochs=N"):
        train(model, lambda step: (x, y), mse, opt, 2, val_data=(x, y))
    with pytest.raises(ValueError, match="resume=True needs checkpoint"):
        train(model, (x, y), mse, opt, epochs=1, resume=True)
    with pytest.raises(ValueError, match="scheduler_interval must be one of"):
        train(model, (x, y), mse, opt, epochs=1, scheduler_interval="batch")
    with pytest.raises(ValueError, match="a batch must be a pair"):
        train(model, [x], mse, opt, epochs=1)
    with pytest.raises(ValueError, match=r"same number of samples; got x with 8 .* y with 7"):
        as_dataset(x, y[:7])


def test_split_indices_and_loader_settings():
    parts = split_indices(10, (0.6, 0.2, 0.2), seed=0)
    assert [len(p) for p in parts] == [6, 2, 2] and sorted(np.concatenate(parts).tolist()) == list(range(10))
    assert [p.tolist() for p in split_indices(5, (0.6, 0.4), shuffle=False)] == [[0, 1, 2], [3, 4]]
    with pytest.raises(ValueError, match="sum to 1"):
        split_indices(10, (0.5, 0.2))
    with pytest.raises(ValueError, match="empty"):
        split_indices(3, (0.9, 0.05, 0.05))
    loader = make_loader(_adding_data(), 7, device="cpu")
    assert not loader.pin_memory and loader.generator is not None
    order = lambda ld: torch.cat([b[1] for b in ld]).flatten().tolist()  # noqa: E731
    assert order(make_loader(_adding_data(), 7, seed=3)) == order(make_loader(_adding_data(), 7, seed=3))
    assert order(make_loader(_adding_data(), 7, seed=3)) != order(make_loader(_adding_data(), 7, seed=4))


def test_seed_everything_makes_runs_repeat():
    def run():
        seed_everything(3)
        model = TinyRegressor()
        train(model, _adding_data(), nn.functional.mse_loss, torch.optim.Adam(model.parameters()), epochs=2,
              batch_size=8)
        return _params(model)
    assert all(torch.equal(a, b) for a, b in zip(run(), run()))
    with pytest.raises(TypeError, match="seed must be an integer"):
        seed_everything(1.5)


def test_distributed_sampler_epochs_and_one_process_ddp(tmp_path):
    """The hooks part 2 builds on: set_epoch is called every epoch, and a DDP-wrapped model in a one-process
    gloo group trains to the same weights as the bare model (sums all-reduced, checkpoint keys unwrapped)."""
    from torch.utils.data.distributed import DistributedSampler
    import torch.distributed as dist

    data = _adding_data()
    sampler = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=0)
    torch.manual_seed(0)
    model = TinyRegressor(dropout=0.0)
    train(model, make_loader(data, 8, sampler=sampler), nn.functional.mse_loss,
          torch.optim.Adam(model.parameters(), lr=0.01), epochs=3)
    assert sampler.epoch == 2
    expected = _params(model)

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        inner = TinyRegressor(dropout=0.0)
        ddp = nn.parallel.DistributedDataParallel(inner)
        sampler = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=0)
        hist = train(ddp, make_loader(data, 8, sampler=sampler), nn.functional.mse_loss,
                     torch.optim.Adam(ddp.parameters(), lr=0.01), epochs=3, val_data=data,
                     checkpoint=tmp_path / "ddp.pt")
    finally:
        dist.destroy_process_group()
    assert hist.epochs == 3
    assert all(torch.equal(a, b) for a, b in zip(_params(inner), expected))
    assert not any(k.startswith("module.") for k in torch.load(tmp_path / "ddp.pt", weights_only=True)["model"])


def test_progress_bars_run_and_stay_off_by_default(capsys):
    model, opt, loader, _ = _setup(dropout=0.0)
    train(model, loader, nn.functional.mse_loss, opt, epochs=2)
    assert capsys.readouterr().err == ""
    train(model, loader, nn.functional.mse_loss, opt, epochs=2, progress=True)
    assert "epochs" in capsys.readouterr().err
    train(nn.Linear(1, 1), (torch.ones(2, 1), torch.ones(2, 1)), nn.functional.mse_loss,
          torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1), 3, progress=True)
    assert "steps" in capsys.readouterr().err


def test_run_entry_point_trains_resumes_and_reports(tmp_path):
    from gru_teach.training import run
    ck, out = tmp_path / "run.pt", tmp_path / "summary.json"
    straight = run.main(["adding", "--epochs", "3", "--threads", "1"])
    run.main(["adding", "--epochs", "2", "--threads", "1", "--checkpoint", str(ck)])
    resumed = run.main(["adding", "--epochs", "3", "--threads", "1", "--checkpoint", str(ck), "--resume",
                        "--out", str(out)])
    assert resumed["curves"]["val_loss"] == straight["curves"]["val_loss"]
    assert resumed["test"] == straight["test"]
    import json
    saved = json.loads(out.read_text())
    assert saved["task"] == "adding" and saved["epochs_run"] == 3
    assert saved["device"].startswith(("CPU", "CUDA GPU", "Apple"))
    if saved["device"].startswith("CPU"):
        assert saved["device"].endswith("1 torch thread")      # the setting used while training
    with pytest.raises(ValueError, match="unknown task 'nope'; expected one of"):
        run.build("nope")
    with pytest.raises(ValueError, match="unknown optimizer"):
        run.fit(run.build("adding"), epochs=1, optimizer="adagrad")


@pytest.mark.parametrize("task", ["sunspots", "language", "charlm"])
def test_run_builds_chapter5_tasks_and_trains_a_step(task):
    from gru_teach.training import run
    setup = run.build(task)
    loader = make_loader(setup.train, 4, collate_fn=setup.collate_fn)
    hist = train(setup.model, loader, setup.loss_fn, torch.optim.Adam(setup.model.parameters()), 2,
                 metrics=setup.metrics or None, threads=1)
    assert hist.steps == 2 and not hist.diverged
    assert setup.baselines and all(isinstance(v, dict) for v in setup.baselines.values())
