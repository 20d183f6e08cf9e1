"""Auto-checks for chapter 5, part 2 (where the time goes; more than one process). Every check returns a Feedback
and never raises.

* :func:`check_epoch_without_syncs` — ``fn(model, optimizer, batches, loss_fn) -> float``: one epoch of training
  that returns the epoch's mean loss (weighted by batch size) with at most one host read, however many batches.
* :func:`check_gru_forward_flops` — ``fn(D, H) -> float``: the FLOPs of one GRU layer's forward matrix products per
  token, 2 · 3H · (D + H).
* :func:`check_shard` — ``fn(indices, rank, world_size) -> list``: the indices a ``DistributedSampler`` gives rank
  ``rank`` (padded by repeating the first indices, then every ``world_size``-th from position ``rank``).
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ..checking import failed, passed, safe_call
from ...bench.syncs import HostReads

__all__ = ["check_epoch_without_syncs", "check_gru_forward_flops", "check_shard", "reference_epoch",
           "reference_shard", "slow_epoch"]


# ------------------------------------------------------------------------------------------------ host syncs
def slow_epoch(model, optimizer, batches, loss_fn) -> float:
    """Correct, but it reads the loss on the host after every step."""
    total, count = 0.0, 0
    for x, y in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)      # a host read: the CPU waits here
        count += len(y)
    return total / count


def reference_epoch(model, optimizer, batches, loss_fn) -> float:
    """The same epoch with one host read: the weighted sum stays on the device until the end."""
    total, count = None, 0
    for x, y in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        part = loss.detach() * len(y)
        total = part if total is None else total + part
        count += len(y)
    return float(total) / count


def _epoch_problem(n_batches: int, seed: int = 0):
    """A small GRU regressor, SGD, and ``n_batches`` batches whose last one is smaller."""
    from ...training.loop import SequenceModel
    torch.manual_seed(seed)
    model = SequenceModel(3, 5, 1)
    g = torch.Generator().manual_seed(seed + 1)
    sizes = [4] * (n_batches - 1) + [1]
    batches = [(torch.randn(b, 6, 3, generator=g), torch.randn(b, 1, generator=g)) for b in sizes]
    return model, batches


def check_epoch_without_syncs(fn):
    """Check ``fn(model, optimizer, batches, loss_fn)``: same training and mean loss as :func:`slow_epoch`, and
    host reads that do not grow with the number of batches (at most one per epoch)."""
    if not callable(fn):
        return safe_call(fn)[1]
    loss_fn = nn.functional.mse_loss
    reads, results = {}, {}

    def counted(*args):
        """``fn(*args)``, counting its host reads in the thread that runs it (torch's modes are per thread)."""
        with HostReads() as counter:
            try:
                return fn(*args)
            finally:
                reads[n] = counter.count

    for n in (3, 9):
        model, batches = _epoch_problem(n)
        ref_model = copy.deepcopy(model)
        expected = slow_epoch(ref_model, torch.optim.SGD(ref_model.parameters(), lr=0.1), batches, loss_fn)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        got, err = safe_call(counted, model, optimizer, batches, loss_fn)
        if err is not None:
            return err
        results[n] = (got, expected, model, ref_model, batches)
    got, expected, model, ref_model, batches = results[9]
    if reads[9] > reads[3]:
        return failed(f"your epoch read values on the host {reads[3]} times for 3 batches and {reads[9]} times for "
                      "9: something in the loop (.item(), float(), print or an f-string of a tensor, if loss < ...) "
                      "reads a tensor every step. Keep the running sum on the device (total = total + "
                      "loss.detach() * len(y)) and read it once, after the loop")
    if reads[9] > 1:
        return failed(f"{reads[9]} host reads per epoch; one is enough (convert the sum once, at the end)")
    if isinstance(got, torch.Tensor):
        return failed("you returned a tensor; return a Python float (float(total) / count, once, after the loop)")
    if not isinstance(got, (float, int, np.floating)):
        return failed(f"return the epoch's mean loss as a float; got {type(got).__name__}")
    same_weights = all(torch.allclose(a, b, rtol=1e-5, atol=1e-6)
                       for a, b in zip(model.parameters(), ref_model.parameters()))
    if not same_weights:
        return failed("the weights after your epoch differ from the original loop's: for every batch call "
                      "zero_grad, then the loss and backward, then optimizer.step(), once each")
    if not np.isclose(got, expected, rtol=1e-5, atol=1e-7):
        sizes = [len(y) for _, y in batches]
        hint = (" — the last batch is smaller; weight each batch's mean loss by its size (loss × len(y)) and "
                "divide by the number of samples" if len(set(sizes)) > 1 else "")
        return failed(f"mean loss {got:.6g}; the original loop gives {expected:.6g}{hint}")
    return passed(f"same training and mean loss as the original loop, with {reads[9]} host read per epoch "
                  f"(the original reads once per batch: 9 for 9 batches)")


# ------------------------------------------------------------------------------------------------ FLOPs
def check_gru_forward_flops(fn):
    """Check ``fn(D, H)`` against 2 · 3H · (D + H) forward FLOPs per token (matrix products only)."""
    cases = [(3, 5), (128, 128), (64, 256)]
    for D, H in cases:
        got, err = safe_call(fn, D, H)
        if err is not None:
            return err
        try:
            value = float(got)
        except (TypeError, ValueError):
            return failed(f"return a number; got {type(got).__name__} for D={D}, H={H}")
        expected = 6.0 * H * (D + H)
        if np.isclose(value, expected):
            continue
        mistakes = [
            (3.0 * H * (D + H), "half the expected value: a multiply-add is 2 FLOPs (one multiplication, one "
                                "addition) for each weight"),
            (2.0 * H * (D + H), "only one gate's worth: the three blocks r, z, n make W_ih (3H × D) and W_hh (3H × H)"),
            (6.0 * H * H, "that counts only the recurrent product W_hh h (DeepBench's count, which excludes the "
                          "input projection); add W_ih x: 2 · 3H · D"),
            (6.0 * H * D, "that counts only the input projection W_ih x; add the recurrent product: 2 · 3H · H"),
            (8.0 * H * (D + H), "four gate blocks is the LSTM (i, f, g, o); the GRU has three (r, z, n)"),
            (18.0 * H * (D + H), "that is forward + backward (≈ 3× the forward); the exercise asks for the forward "
                                 "pass alone"),
        ]
        for wrong, message in mistakes:
            if np.isclose(value, wrong):
                return failed(f"D={D}, H={H}: {value:g} — {message}")
        return failed(f"D={D}, H={H}: you returned {value:g}; expected 2 · 3H · (D + H) = {expected:g}")
    return passed("2 · 3H · (D + H) FLOPs per token: the input and the recurrent products of three gate blocks")


# ------------------------------------------------------------------------------------------------ sharding
def reference_shard(indices, rank: int, world_size: int) -> list:
    """What ``DistributedSampler(drop_last=False)`` does with one epoch's ``indices``: repeat the first ones
    until the length is a multiple of ``world_size``, then rank r takes positions r, r + world_size, ..."""
    indices = list(indices)
    total = -(-len(indices) // world_size) * world_size
    padded = (indices * (-(-total // len(indices))))[:total]
    return padded[rank::world_size]


def check_shard(fn):
    """Check ``fn(indices, rank, world_size)`` against ``torch.utils.data.DistributedSampler`` (shuffle=False)
    and against the same rule applied to a shuffled epoch."""
    from torch.utils.data.distributed import DistributedSampler
    rng = np.random.default_rng(0)
    for n, world in ((8, 2), (10, 4), (7, 3), (3, 4)):
        for order in (list(range(n)), rng.permutation(n).tolist()):
            for rank in range(world):
                expected = reference_shard(order, rank, world)
                if order == list(range(n)):
                    torch_says = list(DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=False))
                    assert torch_says == expected, "reference_shard disagrees with DistributedSampler"
                got, err = safe_call(fn, list(order), rank, world)
                if err is not None:
                    return err
                try:
                    got = [int(i) for i in got]
                except (TypeError, ValueError):
                    return failed(f"return a list of indices; got {type(got).__name__}")
                if got == expected:
                    continue
                where = f"{n} samples, {world} processes, rank {rank}"
                per = -(-n // world)
                if got == order[rank * per:(rank + 1) * per]:
                    return failed(f"{where}: you gave rank {rank} a contiguous block {got}; DistributedSampler "
                                  f"deals the indices out in turn — rank r takes positions r, r + {world}, "
                                  f"r + {2 * world}, … — so expected {expected}")
                if got == order[rank::world]:
                    return failed(f"{where}: without padding, ranks get different numbers of samples ({n} is not a "
                                  f"multiple of {world}); then one rank runs a step more and waits forever in the "
                                  f"gradient all-reduce. Repeat the first indices until the length is a multiple "
                                  f"of {world}: expected {expected}")
                if got == order[:n - n % world][rank::world]:
                    return failed(f"{where}: you dropped the last {n % world} indices (that is drop_last=True); "
                                  f"the default pads by repeating the first indices: expected {expected}")
                return failed(f"{where}: got {got}; expected {expected}")
    return passed("the same indices as DistributedSampler: padded to a multiple of the world size, dealt out "
                  "in turn, equally many for every rank")
