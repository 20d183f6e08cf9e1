"""When do more processes pay? Training throughput of the book's loop on 1 process and under ``torchrun``.

    python -m gru_teach.bench.processes --hidden 16,128                          # one process
    python -m torch.distributed.run --standalone --nproc_per_node=2 \\
        -m gru_teach.bench.processes --hidden 16,128 --out processes.json         # two processes

For each hidden size it trains a :class:`~gru_teach.training.SequenceModel` (one GRU layer and a linear read-out)
on a synthetic regression task with :func:`gru_teach.training.train`, inside
:func:`gru_teach.training.distributed.session` — the same machinery as the entry point
``python -m gru_teach.training.run`` — with a fixed **global** batch: each of N processes gets
``global_batch / N`` samples per step (a ``DistributedSampler``) and ``DistributedDataParallel`` averages the
gradients. Throughput counts the global batch: tokens/s = steps × global batch × T / seconds.

Timing: ``torch.utils.benchmark.Timer.timeit(repeats)`` on every rank (a fixed number of runs, so that all ranks
run the same collective operations; an adaptive ``blocked_autorange`` could stop at a different count on each rank
and leave the others waiting), after one warm-up epoch and a barrier. Each rank uses ``--threads`` torch threads
(1 by default, so N processes use N cores).
"""
from __future__ import annotations

import argparse
import json
import sys

import torch
from torch import nn

from ..training.distributed import Session, session

DEFAULTS = {"hidden": (16, 128), "time": 50, "input": 8, "global_batch": 64, "steps": 8, "repeats": 2}


def synthetic_dataset(samples: int, T: int, D: int, *, seed: int = 0):
    """x ~ N(0, 1) of shape (samples, T, D); y = the mean over time of the first feature, shape (samples, 1)."""
    from ..training.data import as_dataset
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(samples, T, D, generator=g)
    return as_dataset(x, x[:, :, 0].mean(1, keepdim=True))


def measure(sess: Session, hidden: int, *, T: int = DEFAULTS["time"], D: int = DEFAULTS["input"],
            global_batch: int = DEFAULTS["global_batch"], steps: int = DEFAULTS["steps"],
            repeats: int = DEFAULTS["repeats"], threads: int = 1, seed: int = 0) -> dict:
    """Train ``steps`` steps per epoch of global batch ``global_batch``; time ``repeats`` epochs (after a warm-up).

    Returns tokens/s (global), seconds per epoch, the largest weight difference between ranks, and the final
    weights (a flat tensor on the CPU, for comparing with a one-process run).
    """
    from torch.utils import benchmark

    from ..training.data import make_loader
    from ..training.loop import SequenceModel, torch_threads, train

    if global_batch % sess.world_size:
        raise ValueError(f"the global batch ({global_batch}) must divide evenly over {sess.world_size} processes")
    per_process = global_batch // sess.world_size
    data = synthetic_dataset(steps * global_batch, T, D, seed=seed)
    torch.manual_seed(seed)
    model = sess.wrap(SequenceModel(D, hidden, 1).to(sess.device))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = make_loader(data, per_process, seed=seed, device=sess.device,
                         sampler=sess.sampler(data, seed=seed))

    def epoch():
        train(model, loader, nn.functional.mse_loss, opt, epochs=1, record_every=None)

    with torch_threads(threads):
        epoch()                                       # warm-up: allocations, DDP's buckets
        if sess.distributed:
            torch.distributed.barrier()
        timer = benchmark.Timer(stmt="epoch()", globals={"epoch": epoch}, num_threads=threads)
        seconds = timer.timeit(repeats).mean
    weights = torch.cat([p.detach().reshape(-1) for p in getattr(model, "module", model).parameters()]).cpu()
    return {"hidden": hidden, "time": T, "input": D, "global_batch": global_batch, "steps": steps,
            "processes": sess.world_size, "threads": threads, "seconds_per_epoch": seconds,
            "tokens_per_s": steps * global_batch * T / seconds,
            "weights_max_diff_across_ranks": sess.weights_max_diff(model), "weights": weights}


def measure_sizes(sess: Session, hidden, **kwargs) -> list[dict]:
    """:func:`measure` for each hidden size in ``hidden`` (a module-level function, so that
    :func:`gru_teach.training.distributed.run_processes` can start it in new processes)."""
    return [measure(sess, h, **kwargs) for h in hidden]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gru_teach.bench.processes", description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", default=",".join(map(str, DEFAULTS["hidden"])),
                        help="comma-separated hidden sizes")
    parser.add_argument("--time", type=int, default=DEFAULTS["time"])
    parser.add_argument("--global-batch", type=int, default=DEFAULTS["global_batch"])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"], help="steps per timed epoch")
    parser.add_argument("--repeats", type=int, default=DEFAULTS["repeats"], help="timed epochs")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--device", default="cpu", help="cpu (gloo) or cuda (nccl, one GPU per process)")
    parser.add_argument("--out", help="rank 0 writes the results (JSON) here")
    parser.add_argument("--save-weights", help="rank 0 saves the final weights of every size here (torch.save)")
    args = parser.parse_args(argv)
    hidden = [int(h) for h in args.hidden.split(",") if h.strip()]
    with session(args.device) as sess:
        rows = measure_sizes(sess, hidden, T=args.time, global_batch=args.global_batch, steps=args.steps,
                             repeats=args.repeats, threads=args.threads)
    if sess.is_main:
        for r in rows:
            print(f"H={r['hidden']:4d}: {r['processes']} process(es) × {r['threads']} thread(s): "
                  f"{r['tokens_per_s'] / 1e3:8.1f} k tokens/s, ranks differ by {r['weights_max_diff_across_ranks']}",
                  flush=True)
        if args.save_weights:
            torch.save({r["hidden"]: r["weights"] for r in rows}, args.save_weights)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                json.dump([{k: v for k, v in r.items() if k != "weights"} for r in rows], fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
