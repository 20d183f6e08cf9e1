"""Chapter 5 part 2 auto-checks: accept correct answers, name the common mistakes, never crash on bad code."""
import pytest
import torch

from gru_teach.bench.syncs import HostReads
from gru_teach.teaching.exercises import ch05b


# ------------------------------------------------------------------------------------------------ host syncs
def _loop(read_every_step=False, weighted=True, as_tensor=False, skip_zero_grad=False, fmt=False):
    def epoch(model, optimizer, batches, loss_fn):
        total, count = torch.zeros(()), 0
        for x, y in batches:
            if not skip_zero_grad:
                optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            if read_every_step:
                total = total + loss.item() * len(y)
            elif fmt:
                _ = f"{loss:.3f}"
                total = total + loss.detach() * len(y)
            else:
                total = total + loss.detach() * (len(y) if weighted else 1)
            count += len(y) if weighted else 1
        return total / count if as_tensor else float(total) / count
    return epoch


def test_host_reads_counts_what_waits_for_the_device():
    t = torch.tensor(1.5)
    with HostReads() as reads:
        t.item(), float(t), f"{t:.1f}", bool(t > 0), t.tolist(), t.cpu()
        _ = t + 1                                   # arithmetic stays on the device: not a read
    assert reads.names == ["item", "__float__", "__format__", "__bool__", "tolist", "cpu"]


def test_epoch_check_accepts_the_reference():
    assert ch05b.check_epoch_without_syncs(ch05b.reference_epoch).passed
    assert ch05b.check_epoch_without_syncs(_loop()).passed


@pytest.mark.parametrize("fn, words", [
    (ch05b.slow_epoch, "3 times for 3 batches and 9 times for 9"),
    (_loop(read_every_step=True), "reads a tensor every step"),
    (_loop(fmt=True), "f-string"),
    (_loop(as_tensor=True), "returned a tensor"),
    (_loop(weighted=False), "weight each batch's mean loss by its size"),
    (_loop(skip_zero_grad=True), "weights after your epoch differ"),
    (lambda m, o, b, f: None, "as a float; got NoneType"),
    (lambda m, o, b, f: 1 / 0, "ZeroDivisionError"),
    ("not a function", "expected a function"),
])
def test_epoch_check_names_the_mistake(fn, words):
    fb = ch05b.check_epoch_without_syncs(fn)
    assert not fb.passed and words in fb.message, fb.message


# ------------------------------------------------------------------------------------------------ FLOPs
def test_flops_check():
    assert ch05b.check_gru_forward_flops(lambda D, H: 2 * 3 * H * (D + H)).passed


@pytest.mark.parametrize("fn, words", [
    (lambda D, H: 3 * H * (D + H), "multiply-add is 2 FLOPs"),
    (lambda D, H: 2 * H * (D + H), "three blocks r, z, n"),
    (lambda D, H: 6 * H * H, "DeepBench"),
    (lambda D, H: 6 * H * D, "only the input projection"),
    (lambda D, H: 8 * H * (D + H), "LSTM"),
    (lambda D, H: 18 * H * (D + H), "forward + backward"),
    (lambda D, H: 7, "expected 2 · 3H · (D + H)"),
    (lambda D, H: "many", "return a number"),
    (lambda D, H: D / 0, "ZeroDivisionError"),
])
def test_flops_check_names_the_mistake(fn, words):
    fb = ch05b.check_gru_forward_flops(fn)
    assert not fb.passed and words in fb.message, fb.message


# ------------------------------------------------------------------------------------------------ sharding
def test_reference_shard_is_distributed_samplers_rule():
    from torch.utils.data.distributed import DistributedSampler
    for n, world in ((5, 2), (9, 4), (2, 3)):
        for rank in range(world):
            assert ch05b.reference_shard(range(n), rank, world) == list(
                DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=False))
    assert ch05b.check_shard(ch05b.reference_shard).passed


def _contiguous(indices, rank, world):
    per = -(-len(indices) // world)
    return indices[rank * per:(rank + 1) * per]


@pytest.mark.parametrize("fn, words", [
    (_contiguous, "contiguous block"),
    (lambda idx, r, w: idx[r::w], "without padding"),
    (lambda idx, r, w: idx[:len(idx) - len(idx) % w][r::w], "drop_last=True"),
    (lambda idx, r, w: list(reversed(idx))[r::w], "expected"),
    (lambda idx, r, w: None, "return a list of indices"),
    (lambda idx, r, w: idx[99], "IndexError"),
])
def test_shard_check_names_the_mistake(fn, words):
    fb = ch05b.check_shard(fn)
    assert not fb.passed and words in fb.message, fb.message
