"""Your loop vs the ceiling: the book's :func:`gru_teach.training.train` against the barest training loop.

The **ceiling** is what the hardware does with the model alone: forward, backward and optimizer step on batches
that are already on the device, nothing else::

    for x, y in batches:                     # tensors already on the device
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()

The book's loop does more per step — it takes the batch from a ``DataLoader`` (index, collate, pin, copy to the
device), keeps the loss and the gradient norm on the device, and checks for NaN — and must not make the device
wait. :func:`measure` times both on the same model shape and the same data, in tokens (B·T) per second:

- ``bare``: the loop above (the ceiling);
- ``train, batches on device``: ``train(...)`` over a list of batches already on the device (the loop's own
  overhead);
- ``train, DataLoader``: ``train(...)`` over :func:`gru_teach.training.make_loader` (pinned memory and
  ``non_blocking`` copies on a GPU) — the loop as the chapters use it;
- ``train, whole-batch loader``: the same, but the loader takes each batch from the data set with one
  indexing operation instead of sample by sample (:meth:`Problem.batch_loader`);
- ``train, host sync every step``: the same with ``sync_every=1``, which reads the loss on the host after every
  step (as ``loss.item()`` in a loop would) — on a GPU the CPU then waits for the device every step.

``ratio`` = tokens/s of a variant / tokens/s of ``bare``. :func:`explain` profiles one epoch of each with
``torch.profiler`` and counts what differs: operator calls, host reads, time in the DataLoader.
"""
from __future__ import annotations

import torch
from torch import nn

from .timing import seconds_per_call

VARIANTS = ("bare", "train, batches on device", "train, DataLoader", "train, whole-batch loader",
            "train, host sync every step")
SIZES = {"cpu": [(32, 25, 32, 64)], "gpu": [(64, 100, 128, 128), (256, 100, 128, 512)], "quick": [(4, 5, 3, 4)]}
STEPS = {"cpu": 6, "gpu": 50, "quick": 3}


class Problem:
    """One model shape and its data: ``steps`` batches of (B, T, D) inputs and (B, 1) targets.

    ``dataset`` holds every sample on the host (as a real data set would); ``device_batches`` the same batches
    already on ``device``, in order. :meth:`model` builds the same initial model each time (seeded).
    """

    def __init__(self, B: int, T: int, D: int, H: int, steps: int, device, *, seed: int = 0):
        from ..training.data import as_dataset
        self.B, self.T, self.D, self.H, self.steps = B, T, D, H, steps
        self.device, self.seed = torch.device(device), seed
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(steps * B, T, D, generator=g)
        y = x[:, :, 0].mean(1, keepdim=True)         # a learnable target: the mean of the first feature
        self.dataset = as_dataset(x, y)
        self.device_batches = [(x[i * B:(i + 1) * B].to(self.device), y[i * B:(i + 1) * B].to(self.device))
                               for i in range(steps)]
        self.loss_fn = nn.functional.mse_loss

    @property
    def tokens(self) -> int:
        """Tokens in one pass over the data (steps × B × T)."""
        return self.steps * self.B * self.T

    def model(self):
        from ..training.loop import SequenceModel
        torch.manual_seed(self.seed)
        return SequenceModel(self.D, self.H, 1).to(self.device)

    def loader(self):
        from ..training.data import make_loader
        return make_loader(self.dataset, self.B, seed=self.seed, device=self.device)

    def batch_loader(self):
        """A DataLoader that indexes the data set once per batch: its sampler yields lists of B indices, a
        ``TensorDataset`` indexed with such a list returns the whole batch, and ``batch_size=None`` turns off the
        per-sample collation. Same shuffling, same pinned memory for CUDA."""
        from torch.utils.data import BatchSampler, DataLoader, RandomSampler
        sampler = RandomSampler(self.dataset, generator=torch.Generator().manual_seed(self.seed))
        return DataLoader(self.dataset, sampler=BatchSampler(sampler, self.B, drop_last=False), batch_size=None,
                          pin_memory=self.device.type == "cuda")


def bare_loop(model, optimizer, batches, loss_fn) -> None:
    """The ceiling: forward, backward, step on batches already on the device; nothing else."""
    for x, y in batches:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()


def epoch_function(problem: Problem, variant: str):
    """A function that runs one pass over ``problem``'s data with ``variant`` (see :data:`VARIANTS`)."""
    from ..training.loop import train
    model = problem.model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    if variant == "bare":
        return lambda: bare_loop(model, opt, problem.device_batches, problem.loss_fn)
    if variant == "train, batches on device":
        data, kwargs = problem.device_batches, {}
    elif variant == "train, DataLoader":
        data, kwargs = problem.loader(), {}
    elif variant == "train, whole-batch loader":
        data, kwargs = problem.batch_loader(), {}
    elif variant == "train, host sync every step":
        data, kwargs = problem.loader(), {"sync_every": 1}
    else:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    return lambda: train(model, data, problem.loss_fn, opt, epochs=1, **kwargs)


def measure(device, *, sizes=None, steps=None, variants=VARIANTS, min_run_time=None, rounds: int = 5,
            threads: int = 1, quick: bool = False) -> list[dict]:
    """tokens/s and ratio to ``bare`` of every variant at every size (B, T, D, H); one dict per size and variant.

    The variants are timed in turn, ``rounds`` times over (:func:`~gru_teach.bench.timing.round_robin`, each for
    ``min_run_time / rounds`` seconds), so that a burst of other work on a shared machine falls on all of them:
    ``tokens_per_s`` is from a variant's median round, and ``ratio`` = its ``tokens_per_s`` / ``bare``'s, the
    quotient of the two numbers a table shows next to it.
    """
    import statistics

    from .timing import round_robin

    device = torch.device(device)
    kind = "quick" if quick else ("gpu" if device.type == "cuda" else "cpu")
    sizes = SIZES[kind] if sizes is None else sizes
    steps = STEPS[kind] if steps is None else steps
    min_run_time = {"quick": 0.01, "cpu": 0.8, "gpu": 2.0}[kind] if min_run_time is None else min_run_time
    if "bare" not in variants:
        variants = ("bare", *variants)
    rows = []
    for B, T, D, H in sizes:
        problem = Problem(B, T, D, H, steps, device)
        times = round_robin({v: epoch_function(problem, v) for v in variants}, rounds=rounds,
                            min_run_time=min_run_time / rounds, threads=threads)
        median = {v: statistics.median(times[v]) for v in variants}
        for variant in variants:
            rows.append({"batch": B, "time": T, "input": D, "hidden": H, "steps": steps, "variant": variant,
                         "tokens_per_s": round(problem.tokens / median[variant]),
                         "ratio": round(median["bare"] / median[variant], 4)})
    return rows


def explain(problem: Problem, variants=VARIANTS, *, threads: int = 1) -> dict:
    """Profile one pass over the data (one epoch of ``problem.steps`` steps) of each variant, after a warm-up;
    per step: ``op_calls``, ``loader_ms`` (CPU time inside the DataLoader) and ``wall_ms``."""
    from .timing import profile
    out = {}
    for variant in variants:
        summary = profile(epoch_function(problem, variant), steps=1, top=0, threads=threads)
        loader = [ms for name, ms in summary["regions_ms"].items() if "DataLoader" in name]
        out[variant] = {"op_calls": summary["op_calls"] / problem.steps, "loader_ms": sum(loader) / problem.steps,
                        "wall_ms": summary["wall_ms"] / problem.steps}
    return out


def extra_host_reads(B: int, T: int, D: int, H: int, steps=(3, 6), variants=VARIANTS, device="cpu") -> dict:
    """``{variant: {steps: host reads in one epoch beyond the bare loop's}}`` for epochs of each length in ``steps``.

    Counted with :class:`~gru_teach.bench.syncs.HostReads` (which also sees Adam reading its step counters, kept
    on the CPU; the bare loop makes those too, hence "beyond the bare loop's"). A loop without per-step syncs has
    a count that does not grow with the number of steps.
    """
    from .syncs import HostReads
    counts = {v: {} for v in variants}
    for n in steps:
        problem = Problem(B, T, D, H, n, device)
        for variant in ("bare", *variants):
            fn = epoch_function(problem, variant)
            with HostReads() as reads:
                fn()
            counts.setdefault(variant, {})[n] = reads.count
    return {v: {n: counts[v][n] - counts["bare"][n] for n in steps} for v in ("bare", *variants)}
