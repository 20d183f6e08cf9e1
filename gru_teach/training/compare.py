"""Chapter 4's experiment: tanh RNN vs GRU vs LSTM vs LSTM with forget-gate bias 1, at equal parameter budgets.

    python -m gru_teach.training.compare            # the full run (≈ 20 min on 2 busy CPU cores)
    python -m gru_teach.training.compare --quick    # a tiny version of every task (seconds; used by the tests)

writes ``gru_teach/data/ch04_compare.json`` (or ``--out``) with its provenance. The protocol, identical for every
model of a task:

- the models: ``RNN`` (tanh), ``GRU``, ``LSTM`` (PyTorch's default initialisation) and ``LSTM-fb1``, the LSTM with
  its forget-gate bias set to 1 (Jozefowicz et al., 2015; :func:`set_forget_bias`);
- the same parameter budget: the GRU's hidden size fixes the budget (recurrent layer + linear read-out) and every
  other model gets the hidden size that comes closest to it (:func:`gru_teach.analysis.cost.equal_budget_hidden`);
- THE training loop, :func:`gru_teach.training.loop.train`, with fresh batches every step (``data(step)``), Adam,
  gradient-norm clipping at 1, one torch thread; seed s sets the initial weights (``torch.manual_seed(s)``) and the
  data stream (NumPy seed 1000 + s); test sets are fixed (seed 12345).

The tasks (:data:`TASKS`): the adding problem at several lengths (test MSE; predicting the constant 1 scores 1/6),
copy memory (test cross-entropy; the memoryless baseline is 10 ln 8/(T + 20)), the digits read pixel by pixel
(test accuracy), and the counting language aⁿbⁿ (trained on n ≤ N, tested on every n up to 5N; the score is the
largest n up to which every string is predicted correctly).
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import math
import os
import time

import numpy as np
import torch
from torch import nn

from .. import tasks
from ..analysis.cost import equal_budget_hidden, model_parameters
from ..cells import GRU, LSTM
from ..data import provenance, save_results
from .loop import SequenceModel, evaluate, torch_threads, train

MODELS = ("RNN", "GRU", "LSTM", "LSTM-fb1")
CELL = {"RNN": "RNN", "GRU": "GRU", "LSTM": "LSTM", "LSTM-fb1": "LSTM"}
TEST_SEED = 12345


# ------------------------------------------------------------------------------------------------ models
def set_forget_bias(lstm: nn.LSTM, value: float = 1.0) -> nn.LSTM:
    """Initialise the forget gate's bias of every layer and direction of ``lstm`` to ``value``.

    torch has two bias vectors whose sum enters the gate, a_f = W_if x + b_if + W_hf h + b_hf, stored in the
    block rows [H, 2H) (gate order i, f, g, o); we set b_if = value and b_hf = 0, so f = σ(value + …) starts near
    σ(1) ≈ 0.73 instead of σ(0) = 0.5: the cell keeps more of its content per step from the first update on.
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"set_forget_bias expects torch.nn.LSTM; got {type(lstm).__name__}")
    H = lstm.hidden_size
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H] = value
            elif name.startswith("bias_hh"):
                p[H:2 * H] = 0.0
    return lstm


def pin_reset_gate(gru: nn.GRU, value: float = 30.0) -> nn.GRU:
    """Turn the reset gate of every layer of ``gru`` into a constant r = σ(value) ≈ 1 ("a GRU without reset gate").

    The reset rows [0, H) of both weight matrices and of b_hh are zeroed, b_ir is set to ``value``, and gradient
    hooks keep those rows at zero gradient, so training never moves them: n_t = tanh(W_in x + b_in + W_hn h + b_hn).
    """
    if not isinstance(gru, nn.GRU):
        raise TypeError(f"pin_reset_gate expects torch.nn.GRU; got {type(gru).__name__}")
    H = gru.hidden_size

    def freeze_reset_rows(grad):
        grad = grad.clone()
        grad[:H] = 0
        return grad

    with torch.no_grad():
        for name, p in gru.named_parameters():
            p[:H] = value if name.startswith("bias_ih") else 0.0
            p.register_hook(freeze_reset_rows)
    return gru


def build_model(model: str, input_size: int, hidden_size: int, output_size: int, readout: str = "last"):
    """A :class:`SequenceModel` for one of :data:`MODELS` (``LSTM-fb1``: an LSTM after :func:`set_forget_bias`)."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    net = SequenceModel(input_size, hidden_size, output_size, cell=CELL[model], readout=readout)
    if model == "LSTM-fb1":
        set_forget_bias(net.rnn, 1.0)
    return net


# ------------------------------------------------------------------------------------------------ losses
def sequence_cross_entropy(logits, y):
    """Mean cross-entropy over every (sequence, step): logits (B, T, K), integer targets (B, T)."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1).long())


def masked_bce(logits, y):
    """Binary cross-entropy of multi-hot targets, ignoring the padded entries (target −1)."""
    keep = y >= 0
    return nn.functional.binary_cross_entropy_with_logits(logits[keep], y[keep])


# ------------------------------------------------------------------------------------------------ tasks
@dataclasses.dataclass(frozen=True)
class Task:
    """One task of the comparison and its training settings.

    ``length``: T for the adding problem and copy memory; N (the largest n trained on) for aⁿbⁿ.
    ``budget_hidden``: the GRU hidden size that fixes the parameter budget.
    """

    name: str
    kind: str            # "adding", "copy", "digits", "counting"
    length: int
    budget_hidden: int
    steps: int
    batch: int
    lr: float

    @property
    def sizes(self) -> tuple[int, int, str]:
        """(input size, output size, read-out)."""
        return {"adding": (2, 1, "last"), "copy": (10, 10, "all"), "digits": (1, 10, "last"),
                "counting": (2, 3, "all")}[self.kind]

    @property
    def budget(self) -> int:
        I, O, _ = self.sizes
        return model_parameters("GRU", I, self.budget_hidden, O)

    def hidden(self, model: str) -> int:
        I, O, _ = self.sizes
        return equal_budget_hidden(CELL[model], self.budget, I, O)

    @property
    def metric(self) -> str:
        return METRICS[self.kind][0]

    @property
    def higher_is_better(self) -> bool:
        return METRICS[self.kind][1]

    @property
    def baseline(self) -> float | None:
        """The score of the trivial strategy (constant prediction, memoryless copy, guessing a digit)."""
        if self.kind == "adding":
            return tasks.adding_baseline_mse()
        if self.kind == "copy":
            return tasks.copy_memory_baseline(self.length)
        if self.kind == "digits":
            return 0.1
        return None


#: headline metric of each kind of task and whether higher is better
METRICS = {"adding": ("test_mse", False), "copy": ("test_ce", False), "digits": ("test_accuracy", True),
           "counting": ("generalisation_n", True)}

#: the full experiment
TASKS = (
    Task("adding-T25", "adding", 25, 16, 600, 32, 0.02),
    Task("adding-T50", "adding", 50, 16, 600, 32, 0.02),
    Task("adding-T100", "adding", 100, 16, 600, 32, 0.02),
    Task("copy-T20", "copy", 20, 32, 1000, 64, 0.01),
    Task("digits-pixels", "digits", 64, 24, 600, 64, 0.01),
    Task("anbn", "counting", 20, 10, 1200, 32, 0.01),
)

#: a tiny version of every task (seconds), for the tests and for trying the command out
QUICK_TASKS = (
    Task("adding-T20", "adding", 20, 8, 30, 16, 0.02),
    Task("copy-T5", "copy", 5, 8, 30, 16, 0.01),
    Task("digits-pixels", "digits", 64, 6, 20, 32, 0.01),
    Task("anbn", "counting", 4, 4, 30, 16, 0.01),
)

COUNTING_TEST_FACTOR = 5      # aⁿbⁿ is tested on n = 1 … 5N


@functools.lru_cache(maxsize=1)
def _digits():
    return tasks.digits_sequences(dtype=np.float32, by="pixel")


def task_data(task: Task, rng: np.random.Generator):
    """``data(step) -> (x, y)`` drawing a fresh training batch of ``task`` from ``rng`` at every step."""
    if task.kind == "adding":
        return lambda step: tasks.adding_problem(task.batch, task.length, rng)
    if task.kind == "copy":
        return lambda step: tasks.copy_memory(task.batch, task.length, rng)
    if task.kind == "counting":
        return lambda step: tasks.counting_task(task.batch, task.length, rng)
    split = _digits()

    def digits_batch(step):
        idx = rng.integers(0, len(split.y_train), task.batch)
        return split.x_train[idx], split.y_train[idx]
    return digits_batch


def task_loss(task: Task):
    return {"adding": nn.functional.mse_loss, "copy": sequence_cross_entropy,
            "digits": nn.functional.cross_entropy, "counting": masked_bce}[task.kind]


@torch.no_grad()
def _predict(model, x):
    model.eval()
    out = model(torch.as_tensor(x))
    model.train()
    return out


def evaluate_task(task: Task, model) -> dict:
    """The test metrics of a trained model (the headline metric is ``metrics[task.metric]``)."""
    if task.kind == "adding":
        x, y = tasks.adding_problem(1000, task.length, TEST_SEED)
        return {"test_mse": evaluate(model, x, y, nn.functional.mse_loss)}
    if task.kind == "copy":
        x, y = tasks.copy_memory(1000, task.length, TEST_SEED)
        logits = _predict(model, x)
        recalled = (logits[:, -10:].argmax(-1).numpy() == y[:, -10:]).mean()
        return {"test_ce": float(sequence_cross_entropy(logits, torch.as_tensor(y))), "recall": float(recalled)}
    if task.kind == "digits":
        split = _digits()
        predicted = _predict(model, split.x_test).argmax(-1).numpy()
        return {"test_accuracy": float(np.mean(predicted == split.y_test))}
    ns = np.arange(1, COUNTING_TEST_FACTOR * task.length + 1)
    x, y = tasks.counting_batch(ns)
    correct = tasks.correct_strings(torch.sigmoid(_predict(model, x)).numpy(), y)
    return {"generalisation_n": tasks.generalisation_limit(correct),
            "train_range_correct": float(correct[:task.length].mean()),
            "correct_by_n": correct.astype(int).tolist()}


def learning_curve(loss: np.ndarray, points: int = 50) -> list[float]:
    """The training loss averaged over ``points`` equal windows of steps (a readable curve from a noisy one)."""
    loss = np.asarray(loss, dtype=float)
    if loss.size == 0:
        return []
    return [float(w.mean()) for w in np.array_split(loss, min(points, loss.size))]


def run_one(task: Task, model: str, seed: int, *, threads: int | None = 1):
    """Train ``model`` on ``task`` with ``seed``; return ``(record, trained network)``."""
    I, O, readout = task.sizes
    hidden = task.hidden(model)
    torch.manual_seed(seed)
    net = build_model(model, I, hidden, O, readout)
    rng = np.random.default_rng(1000 + seed)
    history = train(net, task_data(task, rng), task_loss(task), torch.optim.Adam(net.parameters(), lr=task.lr),
                    task.steps, clip=1.0, threads=threads)
    with torch_threads(threads):
        metrics = evaluate_task(task, net)
    record = {"task": task.name, "model": model, "seed": seed, "hidden": hidden,
              "parameters": sum(p.numel() for p in net.parameters()), "metric": task.metric,
              "score": metrics[task.metric] if not history.diverged else math.nan, "metrics": metrics,
              "diverged": history.diverged, "curve": learning_curve(history.loss),
              "seconds": round(history.seconds, 2)}
    return record, net


# ------------------------------------------------------------------------------------------------ counting states
def string_states(net, n: int) -> np.ndarray:
    """The memory of a trained counting model along the string aⁿbⁿ: the cell state c_t of an LSTM, the state h_t
    of a GRU or RNN; shape (2n, H).

    The torch layer is copied into the book's NumPy layer (``LSTM.from_torch`` / ``GRU.from_torch``), whose forward
    pass keeps every intermediate.
    """
    x = np.eye(2)[tasks.counting_batch([n])[0]]                 # one-hot (1, 2n, 2)
    rnn = net.rnn
    if isinstance(rnn, nn.LSTM):
        layer = LSTM.from_torch(rnn)
        layer.forward(x)
        return layer._require_cache()["c"][0]
    if isinstance(rnn, nn.GRU):
        return GRU.from_torch(rnn).forward(x)[0][0]
    with torch.no_grad():
        return rnn(torch.as_tensor(x, dtype=torch.float32))[0][0].double().numpy()


def states_at_turn(net, ns) -> np.ndarray:
    """The memory after reading aⁿ (just before the first b) for every n in ``ns``: shape (len(ns), H)."""
    longest = string_states(net, int(max(ns)))                # a prefix of aᴺ is the same run for every n ≤ N
    return np.stack([longest[n - 1] for n in ns])


def counting_unit(turn_states: np.ndarray, ns) -> int:
    """The unit whose state after aⁿ is most nearly a straight line in n (largest |correlation| with n)."""
    s, n = np.asarray(turn_states, float), np.asarray(ns, float)
    s = s - s.mean(axis=0)
    n = n - n.mean()
    corr = np.abs(n @ s) / (np.linalg.norm(n) * np.linalg.norm(s, axis=0) + 1e-12)
    return int(np.argmax(corr))


# ------------------------------------------------------------------------------------------------ the experiment
def run_experiment(task_list=TASKS, models=MODELS, seeds=(0, 1, 2), *, threads: int | None = 1, log=print) -> dict:
    """Every (task, model, seed); returns ``{"records": [...], "counting_states": {...}}``.

    ``counting_states``: for seed 0 of each model on the counting task, the memory after aⁿ for n = 1 … 5N
    (``"turn"``) and the unit chosen by :func:`counting_unit`.
    """
    records, states = [], {}
    for task in task_list:
        for model in models:
            for seed in seeds:
                record, net = run_one(task, model, seed, threads=threads)
                records.append(record)
                log(f"{task.name:14s} {model:8s} seed {seed}  H={record['hidden']:3d} "
                    f"({record['parameters']} parameters)  {task.metric} = {record['score']:.4g}  "
                    f"[{record['seconds']:.1f} s]")
                if task.kind == "counting" and seed == seeds[0]:
                    ns = list(range(1, COUNTING_TEST_FACTOR * task.length + 1))
                    turn = states_at_turn(net, ns)
                    states[model] = {"n": ns, "turn": np.round(turn, 4).tolist(),
                                     "unit": counting_unit(turn[:task.length], ns[:task.length])}
    return {"records": records, "counting_states": states}


def summarise(records) -> dict:
    """{task: {model: {"mean", "std", "values", "hidden", "parameters"}}} of the headline score over seeds."""
    out: dict = {}
    for r in records:
        entry = out.setdefault(r["task"], {}).setdefault(
            r["model"], {"values": [], "hidden": r["hidden"], "parameters": r["parameters"]})
        entry["values"].append(r["score"])
    for models in out.values():
        for entry in models.values():
            v = np.asarray(entry["values"], dtype=float)
            entry["mean"], entry["std"] = float(np.mean(v)), float(np.std(v, ddof=1)) if v.size > 1 else 0.0
    return out


def task_settings(task: Task) -> dict:
    """What the results file records about a task: its settings, budget, hidden sizes and baseline."""
    I, O, readout = task.sizes
    return {**dataclasses.asdict(task), "input_size": I, "output_size": O, "readout": readout,
            "budget": task.budget, "metric": task.metric, "higher_is_better": task.higher_is_better,
            "baseline": task.baseline, "hidden": {m: task.hidden(m) for m in MODELS},
            **({"test_n_max": COUNTING_TEST_FACTOR * task.length} if task.kind == "counting" else {})}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gru_teach.training.compare",
                                     description="Chapter 4: RNN vs GRU vs LSTM vs LSTM-fb1 at equal budgets.")
    parser.add_argument("--quick", action="store_true", help="a tiny version of every task (seconds)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=None, help="output file (default: gru_teach/data/ch04_compare.json)")
    args = parser.parse_args(argv)
    task_list = QUICK_TASKS if args.quick else TASKS
    load_before = os.getloadavg()
    t0 = time.time()
    result = run_experiment(task_list, MODELS, tuple(args.seeds))
    command = "python -m gru_teach.training.compare" + (" --quick" if args.quick else "") + (
        "" if args.seeds == [0, 1, 2] else " --seeds " + " ".join(map(str, args.seeds)))
    result = {"provenance": provenance(command, time.time() - t0, threads="1 torch thread per run",
                                       load_average_before=[round(x, 2) for x in load_before],
                                       load_average_after=[round(x, 2) for x in os.getloadavg()]),
              "models": list(MODELS), "seeds": list(args.seeds),
              "tasks": [task_settings(t) for t in task_list], **result}
    path = save_results(result, args.out, "ch04_compare.json")
    print(f"wrote {path} in {result['provenance']['seconds']} s")


if __name__ == "__main__":
    main()
