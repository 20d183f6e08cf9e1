"""Speed of the NumPy GRU against ``torch.nn.GRU`` on the CPU, forward and forward+backward.

    python -m gru_teach.bench.cpu                         # the default sizes, one thread, prints a table
    python -m gru_teach.bench.cpu --json gru_teach/data/ch03_bench.json   # also writes the results with provenance
    python -m gru_teach.bench.cpu --quick                 # tiny sizes, a few seconds (used by the tests)

Both sides do the same work: the forward pass over (B, T, D) inputs from h_0 = 0 (torch under ``no_grad``),
and forward+backward with ∂L/∂outputs = 1, computing the gradients of every parameter and of the input.
Times are the fastest of ``torch.utils.benchmark``'s blocks. ``ratio`` is NumPy's throughput over torch's
(= torch time / NumPy time): 1.0 means as fast, 0.5 half as fast.

Threads: by default one thread for both (numpy's BLAS through threadpoolctl, torch through
``torch.set_num_threads``), restored afterwards. Without threadpoolctl the measurement is rerun in a
subprocess with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS set before numpy is imported.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys

import numpy as np

from ..cells.gru import GRU
from ..data import command_line

DEFAULT_SIZES = [(16, 50, 32, 32), (64, 100, 128, 128), (32, 100, 256, 256)]   # (B, T, D, H)
QUICK_SIZES = [(4, 5, 8, 8)]
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def limit_blas_threads(n: int | None = 1):
    """Within the block, numpy's BLAS uses at most ``n`` threads (a no-op without threadpoolctl or n=None).

    Small recurrent products gain nothing from threads, and on a busy machine the threads only wait.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if n is None or threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def best_time(fn, repeat: int = 20) -> float:
    """The fastest of ``repeat`` calls of ``fn``, in seconds (a quick timing for notebooks)."""
    import time
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _timer(fn, threads: int, min_run_time: float) -> float:
    """Seconds per call of ``fn``: the fastest block of ``torch.utils.benchmark``'s blocked_autorange.

    The minimum, not the median: on a shared machine other work only ever adds time.
    """
    from torch.utils import benchmark
    measurement = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=threads).blocked_autorange(
        min_run_time=min_run_time)
    return min(measurement.times)


def measure(B: int, T: int, D: int, H: int, dtype="float32", *, threads: int = 1, min_run_time: float = 0.3,
            seed: int = 0) -> list[dict]:
    """Time NumPy and torch at one size and dtype; two rows: "forward" and "forward+backward"."""
    import torch
    np_dtype = np.dtype(dtype)
    layer = GRU(D, H, dtype=np_dtype, seed=seed)
    module = layer.to_torch()                          # the same weights
    x = np.random.default_rng(seed).standard_normal((B, T, D)).astype(np_dtype)
    d_out = np.ones((B, T, H), np_dtype)
    xt, d_out_t = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(d_out)

    def numpy_forward():
        layer.forward(x)

    def numpy_forward_backward():
        layer.forward(x)
        layer.backward(d_out)

    def torch_forward():
        with torch.no_grad():
            module(xt)

    def torch_forward_backward():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = module(xt)
        out.backward(d_out_t)

    rows = []
    with limit_blas_threads(threads):
        for name, f_np, f_torch in (("forward", numpy_forward, torch_forward),
                                    ("forward+backward", numpy_forward_backward, torch_forward_backward)):
            t_np, t_torch = _timer(f_np, threads, min_run_time), _timer(f_torch, threads, min_run_time)
            rows.append({"B": B, "T": T, "D": D, "H": H, "dtype": np_dtype.name, "pass": name,
                         "numpy_ms": 1e3 * t_np, "torch_ms": 1e3 * t_torch, "ratio": t_torch / t_np,
                         "numpy_tokens_per_s": B * T / t_np, "torch_tokens_per_s": B * T / t_torch})
    return rows


def run(sizes=None, dtypes=("float32", "float64"), *, threads: int = 1, min_run_time: float = 0.3) -> list[dict]:
    """All rows for ``sizes`` × ``dtypes`` (both passes each)."""
    rows = []
    for B, T, D, H in (DEFAULT_SIZES if sizes is None else sizes):
        for dtype in dtypes:
            rows += measure(B, T, D, H, dtype, threads=threads, min_run_time=min_run_time)
    return rows


def format_table(rows: list[dict]) -> str:
    """A plain-text table of the rows."""
    head = f"{'B':>4} {'T':>4} {'D':>4} {'H':>4}  {'dtype':<8} {'pass':<17} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['B']:>4} {r['T']:>4} {r['D']:>4} {r['H']:>4}  {r['dtype']:<8} {r['pass']:<17} "
                     f"{r['numpy_ms']:>9.2f} {r['torch_ms']:>9.2f} {r['ratio']:>6.2f}")
    return "\n".join(lines)


def provenance(threads: int, argv=None) -> dict:
    """What produced the numbers: command, versions, CPU, BLAS, threads, date."""
    import torch
    blas = []
    try:
        from threadpoolctl import threadpool_info
        blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "threading_layer")}
                for info in threadpool_info() if info.get("user_api") == "blas"]
    except ImportError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    argv = sys.argv[1:] if argv is None else argv
    return {
        "command": command_line("gru_teach.bench.cpu", argv),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
        "platform": platform.platform(), "cpu": cpu, "logical_cpus": os.cpu_count(), "threads": threads,
        "numpy_blas": blas, "env": {k: os.environ.get(k) for k in
                                    THREAD_VARS + ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "timer": "torch.utils.benchmark.Timer.blocked_autorange, fastest block",
    }


def _in_subprocess(argv, threads: int) -> int:
    env = dict(os.environ, **{k: str(threads) for k in THREAD_VARS}, GRU_TEACH_BENCH_CHILD="1")
    return subprocess.call([sys.executable, "-m", "gru_teach.bench.cpu", *argv], env=env)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m gru_teach.bench.cpu", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for both numpy's BLAS and torch (1)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and short timings (a smoke test)")
    parser.add_argument("--sizes", nargs="+", metavar="B,T,D,H", help="sizes to time, e.g. 64,100,128,128")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--min-run-time", type=float, default=None, help="seconds per measurement (0.5)")
    parser.add_argument("--json", metavar="PATH", help="also write rows + provenance to this JSON file")
    args = parser.parse_args(argv)
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        if not os.environ.get("GRU_TEACH_BENCH_CHILD"):
            return _in_subprocess(argv, args.threads)
    sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.sizes:
        sizes = [tuple(int(v) for v in s.split(",")) for s in args.sizes]
    min_run_time = args.min_run_time or (0.02 if args.quick else 0.5)
    rows = run(sizes, args.dtypes, threads=args.threads, min_run_time=min_run_time)
    print(f"NumPy GRU vs torch.nn.GRU, CPU, {args.threads} thread(s); ratio = NumPy throughput / torch throughput")
    print(format_table(rows))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"provenance": provenance(args.threads, argv), "rows": rows}, fh, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
