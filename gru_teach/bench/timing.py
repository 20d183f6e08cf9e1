"""Time and profile one training step of a recurrent layer, the same way on a CPU and on a GPU.

Throughput is counted in **tokens per second**: one token is one time step of one sequence, so a step on a
batch of shape (B, T, D) processes B·T tokens::

    tokens/s = B · T / (seconds per training step)

The step is forward, a scalar loss (the sum of the outputs) and backward — the work of training, without the
optimizer, whose cost does not depend on T. It is timed with ``torch.utils.benchmark`` (which synchronises the
GPU before reading the clock, runs a warm-up, and repeats until ``min_run_time`` has passed); the result is
the fastest block, because on a shared machine other work only ever adds time.

Precision modes (:data:`PRECISIONS`):

- ``"float32"``: IEEE float32 everywhere (TF32 switched off for matrix products and for cuDNN);
- ``"tf32"``: float32 tensors, but matrix products on NVIDIA tensor cores in TF32 (10 stored fraction bits;
  Ampere and newer). PyTorch's defaults allow TF32 in cuDNN (so in ``nn.GRU``) but not in other matrix products;
- ``"bf16 autocast"``: ``torch.autocast(dtype=torch.bfloat16)``: products in bfloat16, accumulation and the
  weights in float32.
"""
from __future__ import annotations

import contextlib
import os

import torch

PRECISIONS = ("float32", "tf32", "bf16 autocast")


def _flags():
    return torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32


def _set_flags(matmul: bool, cudnn: bool) -> None:
    torch.backends.cuda.matmul.allow_tf32 = matmul
    torch.backends.cudnn.allow_tf32 = cudnn


@contextlib.contextmanager
def precision(mode: str, device_type: str):
    """Run the block in precision ``mode`` (see :data:`PRECISIONS`) on ``device_type``; restore the flags after.

    TF32 exists only on CUDA devices: asking for it elsewhere raises a ValueError that says so.
    """
    if mode not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {mode!r}")
    if mode == "tf32" and device_type != "cuda":
        raise ValueError(f"TF32 is a mode of NVIDIA GPUs; the device here is {device_type!r}")
    before = _flags()
    _set_flags(mode == "tf32", mode == "tf32")
    try:
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=mode == "bf16 autocast"):
            yield
    finally:
        _set_flags(*before)


def number_formats() -> list[dict]:
    """The three number formats of :data:`PRECISIONS`, in one convention: ``bits`` per number (``bytes`` in
    memory), of them ``exponent_bits`` and ``fraction_bits`` (the *stored* fraction; the significand has one more,
    implicit, leading bit). float32 and bfloat16 are read from ``torch.finfo`` (fraction bits = −log2(eps));
    TF32 is not a storage type: tensor cores round float32 inputs to float32's exponent and float16's 10 fraction
    bits (19 bits), while the tensors stay float32 in memory (4 bytes)."""
    import math

    def fmt(name, dtype):
        info = torch.finfo(dtype)
        fraction = round(-math.log2(info.eps))
        return {"name": name, "bits": info.bits, "bytes": info.bits // 8, "exponent_bits": info.bits - 1 - fraction,
                "fraction_bits": fraction}

    f32, f16 = fmt("float32", torch.float32), fmt("float16", torch.float16)
    tf32 = {"name": "TF32 (in the product)", "bits": 1 + f32["exponent_bits"] + f16["fraction_bits"], "bytes": 4,
            "exponent_bits": f32["exponent_bits"], "fraction_bits": f16["fraction_bits"]}
    return [f32, tf32, fmt("bfloat16", torch.bfloat16)]


def outputs(result):
    """The output sequence of ``nn.GRU``/``nn.LSTM``/:class:`~gru_teach.bench.gpu.CellLoop` (first of the pair)."""
    return result[0] if isinstance(result, (tuple, list)) else result


def training_step(model, x, mode: str = "float32"):
    """A function that runs one forward + backward of ``sum(model(x) outputs)`` and clears the gradients.

    The gradients are set to None after each call (as ``optimizer.zero_grad()`` does), so repeated calls
    do the same work and memory does not grow.
    """
    params = [p for p in model.parameters() if p.requires_grad]

    def step():
        with precision(mode, x.device.type):
            out = outputs(model(x))
        out.float().sum().backward()
        for p in params:
            p.grad = None

    return step


def seconds_per_call(fn, *, min_run_time: float = 0.5, threads: int = 1, warmup: bool = True) -> float:
    """Seconds per call of ``fn``: the fastest block of ``torch.utils.benchmark``'s ``blocked_autorange``.

    With ``warmup``, ``fn`` is called once before timing (cuDNN plans, the allocator, lazy initialisation).
    ``threads``: torch's intra-op threads while timing (the benchmark's own setting, restored afterwards).
    """
    from torch.utils import benchmark

    if warmup:
        with _threads(threads):        # the warm-up with the same threads as the measurement
            fn()
    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=threads)
    return min(timer.blocked_autorange(min_run_time=min_run_time).times)


def round_robin(fns: dict, *, rounds: int = 3, min_run_time: float = 0.2, threads: int = 1) -> dict:
    """Time each function of ``fns`` in turn, ``rounds`` times over; ``{name: [seconds per call, per round]}``.

    On a shared machine the load changes from second to second: timing the candidates alternately, several
    times, exposes each to the same conditions, and the fastest round (or the median of paired ratios) is then a
    fair comparison, where timing one candidate after the other would compare a quiet moment with a busy one.
    """
    times = {name: [] for name in fns}
    for round_ in range(rounds):
        for name, fn in fns.items():
            times[name].append(seconds_per_call(fn, min_run_time=min_run_time, threads=threads,
                                                warmup=round_ == 0))
    return times


def tokens_per_second(model, x, mode: str = "float32", *, min_run_time: float = 0.5, threads: int = 1) -> float:
    """Training-step throughput of ``model`` on the batch ``x`` (B, T, D), in tokens (B·T) per second."""
    if x.dim() != 3:
        raise ValueError(f"x must have shape (batch, time, features); got shape {tuple(x.shape)}")
    seconds = seconds_per_call(training_step(model, x, mode), min_run_time=min_run_time, threads=threads)
    return x.shape[0] * x.shape[1] / seconds


def profile(fn, *, steps: int = 3, top: int = 8, threads: int = 1, sort_by: str = "time") -> dict:
    """Profile ``steps`` calls of ``fn`` with ``torch.profiler``; summarise per call.

    Returns ``{"ops": [...], "op_calls": n, "op_counts": {...}, "regions_ms": {...}, "kernels": k,
    "self_cpu_ms": c, "device_ms": d, "wall_ms": w}``, all per call of ``fn``: ``ops`` the ``top`` events by
    self time (device time when a GPU ran, else CPU; ``sort_by="calls"``: by number of calls, which on a busy
    CPU says more than times that other processes inflate), each with its calls and self times; ``op_calls`` the
    ATen operator calls and ``op_counts`` the calls of each operator; ``regions_ms`` the inclusive CPU time of
    each region that is not an operator (e.g. ``enumerate(DataLoader)#...__next__``, the DataLoader handing
    out a batch); ``kernels`` the GPU kernels (0 on a CPU); ``device_ms`` the GPU's busy time (the sum of
    kernel times) and ``wall_ms`` the wall time under the profiler, whose ratio shows how much of the time the
    GPU was idle.
    """
    # Kineto (the profiler's engine) prints start/stop lines to stderr, which a notebook shows as output; it
    # reads this setting when first used. Keep the reader's own choice if they made one.
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    activities = [ProfilerActivity.CPU]
    cuda = torch.cuda.is_available()
    if cuda:
        activities.append(ProfilerActivity.CUDA)
    with _threads(threads):
        fn()                                 # warm-up outside the profile
        _sync(cuda)
        with torch_profile(activities=activities) as prof:
            for _ in range(steps):
                fn()
            _sync(cuda)
    events = prof.key_averages()
    device_us = lambda e: getattr(e, "self_device_time_total", getattr(e, "self_cuda_time_total", 0.0))
    ops = [e for e in events if e.key.startswith("aten::")]
    kernels = [e for e in events if e.device_type is not None and "CUDA" in str(e.device_type)
               and device_us(e) > 0]
    if sort_by not in ("time", "calls"):
        raise ValueError(f"sort_by must be 'time' or 'calls'; got {sort_by!r}")
    key = device_us if cuda else (lambda e: e.self_cpu_time_total)
    rows = sorted((e for e in events if key(e) > 0), key=key, reverse=True)
    if sort_by == "calls":
        rows = sorted(rows, key=lambda e: e.count, reverse=True)
    rows = rows[:top]
    wall_us = _wall_us(prof)
    return {
        "ops": [{"name": e.key, "calls": e.count / steps, "self_cpu_ms": e.self_cpu_time_total / 1e3 / steps,
                 "self_device_ms": device_us(e) / 1e3 / steps} for e in rows],
        "op_calls": sum(e.count for e in ops) / steps,
        "op_counts": {e.key: e.count / steps for e in ops},
        "regions_ms": {e.key: e.cpu_time_total / 1e3 / steps for e in events
                       if not e.key.startswith("aten::") and e not in kernels and e.cpu_time_total > 0},
        "kernels": sum(e.count for e in kernels) / steps,
        "self_cpu_ms": sum(e.self_cpu_time_total for e in events) / 1e3 / steps,
        "device_ms": sum(device_us(e) for e in kernels) / 1e3 / steps,
        "wall_ms": wall_us / 1e3 / steps,
    }


def _wall_us(prof) -> float:
    """First start to last end of the profiled events, in microseconds."""
    events = prof.events()
    if not events:
        return 0.0
    start = min(e.time_range.start for e in events)
    end = max(e.time_range.end for e in events)
    return float(end - start)


def _sync(cuda: bool) -> None:
    if cuda:
        torch.cuda.synchronize()


@contextlib.contextmanager
def _threads(n: int | None):
    from ..training.loop import torch_threads
    with torch_threads(n):
        yield


def format_profile(summary: dict, title: str = "") -> str:
    """A small fixed-width table of :func:`profile`'s summary (what the chapter prints)."""
    head = f"{title}: " if title else ""
    lines = [f"{head}{summary['op_calls']:.0f} operator calls, {summary['kernels']:.0f} GPU kernels, "
             f"wall {summary['wall_ms']:.2f} ms per step"]
    lines.append(f"  {'operator':<36}{'calls':>8}{'self CPU ms':>13}{'self GPU ms':>13}")
    for op in summary["ops"]:
        lines.append(f"  {op['name'][:35]:<36}{op['calls']:>8.0f}{op['self_cpu_ms']:>13.3f}"
                     f"{op['self_device_ms']:>13.3f}")
    return "\n".join(lines)
