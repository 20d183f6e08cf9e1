"""More than one process: the book's training entry point under ``torchrun``, with ``DistributedDataParallel``.

``torchrun --nproc_per_node=N -m gru_teach.training.run <task> ...`` starts N copies of the same command and tells
each its place through environment variables: ``RANK`` (0 … N−1 over all machines), ``LOCAL_RANK`` (its index on
this machine), ``WORLD_SIZE`` (N) and ``MASTER_ADDR``/``MASTER_PORT`` (where rank 0 waits for the others).
:func:`session` turns that into a :class:`Session`; each process then

1. joins the process group (``init_process_group``): backend ``"nccl"`` for CUDA GPUs, ``"gloo"`` for CPUs;
2. trains on its own device: ``cuda:LOCAL_RANK`` on a GPU machine, else the CPU;
3. wraps the model in ``DistributedDataParallel``, which copies rank 0's initial weights to every process and,
   during the backward pass, averages the gradients over all processes (an all-reduce, bucket by bucket, while
   the rest of the backward pass still runs);
4. reads its own share of every epoch through a ``DistributedSampler``: one permutation of the data per epoch
   (from ``seed + epoch``), of which rank r takes positions r, r + N, r + 2N, …

Every process starts from the same weights and applies the same averaged gradient, so the weights stay identical.
With a batch of b samples per process, one step sees N·b samples in all, and because the mean of N equal-sized
batch means is the mean over all N·b samples, the step equals a one-process step on a batch of N·b — up to the
rounding of float sums in a different order. ``--batch-size`` is therefore *per process*; the global batch is
N × batch size.

Outside ``torchrun`` (no ``WORLD_SIZE`` in the environment) :func:`session` does nothing: one process, the
device of :func:`~gru_teach.training.device.pick_device`, no sampler, no wrapper.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from .device import pick_device

TORCHRUN_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


@dataclass
class Session:
    """Where this process stands: ``rank`` of ``world_size``, its ``device`` and the group's ``backend``
    (None when not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")
    backend: str | None = None

    @property
    def distributed(self) -> bool:
        return self.backend is not None

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that prints and writes files."""
        return self.rank == 0

    def sampler(self, dataset, *, seed: int = 0, shuffle: bool = True):
        """This rank's ``DistributedSampler`` over ``dataset`` (None when not distributed)."""
        if not self.distributed:
            return None
        from torch.utils.data.distributed import DistributedSampler
        return DistributedSampler(dataset, num_replicas=self.world_size, rank=self.rank, shuffle=shuffle,
                                  seed=seed)

    def wrap(self, model: nn.Module) -> nn.Module:
        """``DistributedDataParallel(model)`` on this rank's device (the model itself when not distributed)."""
        if not self.distributed:
            return model
        ids = [self.device.index] if self.device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(model.to(self.device), device_ids=ids)

    def weights_max_diff(self, model: nn.Module) -> float:
        """The largest absolute difference between this model's weights on any rank and on rank 0 (0.0 when
        not distributed). Every rank must call it (it gathers the weights of all ranks)."""
        if not self.distributed:
            return 0.0
        model = getattr(model, "module", model)
        flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).to(self.device)
        gathered = [torch.empty_like(flat) for _ in range(self.world_size)]
        dist.all_gather(gathered, flat)
        return float(max((g - gathered[0]).abs().max() for g in gathered))

    def describe(self) -> str:
        if not self.distributed:
            return "one process"
        return f"{self.world_size} processes ({self.backend}), rank {self.rank} on {self.device}"


def under_torchrun(environ=None) -> bool:
    """Whether this process was started by ``torchrun`` (or given its environment variables)."""
    environ = os.environ if environ is None else environ
    return "WORLD_SIZE" in environ and "RANK" in environ


@contextlib.contextmanager
def session(device="auto", *, backend: str | None = None, environ=None):
    """Join the process group that ``torchrun`` set up (see the module docstring); leave it at the end.

    ``device``: as for :func:`~gru_teach.training.device.pick_device`; under torchrun a CUDA device becomes
    ``cuda:LOCAL_RANK``. ``backend``: None picks ``"nccl"`` for CUDA and ``"gloo"`` otherwise.
    """
    environ = os.environ if environ is None else environ
    if not under_torchrun(environ):
        yield Session(device=pick_device(device))
        return
    missing = [v for v in TORCHRUN_VARIABLES if v not in environ]
    if missing:
        raise RuntimeError(f"RANK and WORLD_SIZE are set but {', '.join(missing)} are not: start the processes "
                           "with torchrun (python -m torch.distributed.run), which sets all of "
                           f"{', '.join(TORCHRUN_VARIABLES)}")
    rank, world, local = int(environ["RANK"]), int(environ["WORLD_SIZE"]), int(environ["LOCAL_RANK"])
    chosen = pick_device(device)
    if chosen.type == "cuda":
        if local >= torch.cuda.device_count():
            raise RuntimeError(f"process with LOCAL_RANK {local} needs a GPU of its own, but this machine has "
                               f"{torch.cuda.device_count()}: use --nproc_per_node ≤ {torch.cuda.device_count()}, "
                               "or --device cpu")
        chosen = torch.device("cuda", local)
        torch.cuda.set_device(chosen)
    elif chosen.type == "mps":
        raise RuntimeError("distributed training does not support Apple's mps device: use --device cpu")
    backend = backend or ("nccl" if chosen.type == "cuda" else "gloo")
    dist.init_process_group(backend, rank=rank, world_size=world)
    try:
        yield Session(rank, world, local, chosen, backend)
    finally:
        dist.destroy_process_group()


def save_weights(model: nn.Module, path, sess: Session) -> pathlib.Path | None:
    """Save the model's ``state_dict`` (unwrapped from DDP). A ``{rank}`` in ``path`` makes every rank write its
    own file; otherwise only rank 0 writes. Returns the path written by this process (None if it wrote none)."""
    text = str(path)
    if "{rank}" not in text and not sess.is_main:
        return None
    target = pathlib.Path(text.replace("{rank}", str(sess.rank)))
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(getattr(model, "module", model).state_dict(), target)
    return target


def torchrun_command(nproc: int, args, *, module: str = "gru_teach.training.run", nnodes: int = 1,
                     node_rank: int | None = None, master: str | None = None, python: str = "python") -> list[str]:
    """The command line that runs ``python -m <module> <args>`` on ``nproc`` processes per machine.

    One machine (``nnodes=1``): ``--standalone`` (torchrun finds a free local port itself). Several machines: the
    same command on each, with ``--nnodes``, this machine's ``--node_rank`` (0 … nnodes−1) and the address of
    node 0 (``master="host:port"``), where the others meet it.
    """
    if nproc < 1 or nnodes < 1:
        raise ValueError(f"nproc and nnodes must be ≥ 1; got nproc={nproc}, nnodes={nnodes}")
    cmd = [python, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}"]
    if nnodes == 1:
        cmd.append("--standalone")
    else:
        if master is None or node_rank is None:
            raise ValueError("several machines need master='host:port' (node 0's address) and this node's node_rank")
        host, _, port = master.partition(":")
        cmd += [f"--nnodes={nnodes}", f"--node_rank={node_rank}", f"--master_addr={host}",
                f"--master_port={port or 29500}"]
    return cmd + ["-m", module, *map(str, args)]


def launch(nproc: int, args, *, module: str = "gru_teach.training.run", timeout: float = 300):
    """Run ``torchrun --standalone --nproc_per_node=nproc -m <module> <args>`` on this machine and wait.

    The children import the same ``gru_teach`` as this process (its folder is put on ``PYTHONPATH``, so this
    works from a clone, a notebook or an installed package). Returns the ``CompletedProcess`` with the output
    captured; raises a RuntimeError with the end of the output if a process failed.
    """
    import subprocess
    import sys

    package_root = str(pathlib.Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("OMP_NUM_THREADS", "1")
    for name in TORCHRUN_VARIABLES:        # not inherited from a process that is itself a rank
        env.pop(name, None)
    cmd = torchrun_command(nproc, args, module=module, python=sys.executable)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed (exit {done.returncode}):\n"
                           f"{(done.stdout + done.stderr)[-3000:]}")
    return done


def run_processes(fn, nproc: int, args=(), kwargs=None, *, device="cpu", start_method: str | None = None):
    """Run ``fn(session, *args, **kwargs)`` in ``nproc`` new processes on this machine, as ranks of one process group;
    return rank 0's result.

    This is what ``torchrun`` does, without starting a new Python interpreter for the launcher and every rank:
    with ``start_method="fork"`` (the default where the platform has it) the ranks start as copies of this
    process, with everything already imported — seconds faster in a notebook, and the reason the chapter uses it
    for its live measurement. Each rank gets the environment variables torchrun would set (localhost, a free
    port). ``fn`` must be a module-level function when the start method is ``"spawn"``. Every rank uses one
    torch thread (forked copies of a process with a running OpenMP thread pool must not start another).
    """
    import multiprocessing
    import tempfile

    import torch.multiprocessing as tmp

    if start_method is None:
        start_method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with tempfile.TemporaryDirectory() as folder:
        out = pathlib.Path(folder) / "rank0.pt"
        tmp.start_processes(_rank, args=(fn, nproc, free_port(), device, tuple(args), dict(kwargs or {}),
                                         str(out)), nprocs=nproc, start_method=start_method)
        return torch.load(out, weights_only=False)


def _rank(rank, fn, nproc, port, device, args, kwargs, out):
    """One process of :func:`run_processes`."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(nproc), MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    torch.set_num_threads(1)
    with session(device) as sess:
        result = fn(sess, *args, **kwargs)
    if sess.is_main:
        torch.save(result, out)


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def one_process_group(environ=None):
    """Within the block, this process looks like rank 0 of a one-process ``torchrun`` on localhost (the
    environment variables are set, then restored), so :func:`session` runs exactly the code path of a
    distributed run — DistributedSampler, DistributedDataParallel — with one process: the reference that an
    N-process run with the same global batch must match."""
    environ = os.environ if environ is None else environ
    values = {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1",
              "MASTER_PORT": str(free_port())}
    before = {k: environ.get(k) for k in values}
    environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                environ.pop(k, None)
            else:
                environ[k] = v
