"""Where the time of a GRU goes on a GPU: the measurements behind chapter 5's reference file.

Parts (``--parts``, all by default on a GPU):

- ``cases``: tokens/s of one training step (forward + backward, input projection included; see
  :mod:`gru_teach.bench.timing`) for cuDNN's fused ``nn.GRU``, a Python loop over ``nn.GRUCell``
  (:class:`CellLoop`) and ``nn.LSTM``, each in float32 (IEEE), TF32 and bf16 autocast;
- ``compile``: the same cell loop with its cell compiled by ``torch.compile`` (the loop stays in Python, the
  compiler fuses each step's element-wise gate arithmetic); the compile time is recorded;
- ``sweeps``: tokens/s against batch size, hidden size and sequence length, one varied at a time;
- ``profile``: a ``torch.profiler`` summary of one training step per model (operators, kernels, GPU busy time);
- ``deepbench``: the DeepBench GRU training shapes (:mod:`gru_teach.bench.deepbench`) against their published
  V100 times;
- ``ceiling``: the book's training loop against a bare loop on tensors already on the device
  (:mod:`gru_teach.bench.ceiling`).

Before any timing it checks that ``gru_teach.GRU`` (NumPy, float64) equals ``nn.GRU`` on the device in float64,
forward and gradients (``parity_float64``). Run on a machine with a CUDA GPU::

    python -m gru_teach.bench.gpu --out gru_teach/data/ch05_gpu_benchmark.json

Without a GPU the script says so and exits with status 2; ``--cpu`` measures the same parts on the CPU at small
sizes (``torch.compile`` only if asked for with ``--parts``, because compiling on a small CPU takes minutes), and
``--quick`` uses tiny sizes (what the unit tests run). A part that fails on some device (an out-of-memory error, a
compiler that is missing) is recorded as ``{"error": ...}`` and the others still run.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback

import numpy as np
import torch
from torch import nn

from ..cells.gru import GRU
from . import deepbench
from .timing import PRECISIONS, profile, round_robin, tokens_per_second, training_step

SCHEMA = 2    # 1: the first H100 file (float32 meant "cuDNN's default, TF32 allowed"); 2: this module
MODELS = ("nn.GRU", "GRUCell loop", "nn.LSTM")
COMPILED = "GRUCell loop, compiled cell"
PARTS = ("cases", "compile", "sweeps", "profile", "deepbench", "ceiling")

# (batch, time, input, hidden)
SIZES = {
    "gpu": {"cases": [(64, 100, 128, 128), (256, 100, 512, 512), (128, 50, 1024, 1024)],
            "sweep_base": (64, 100, 256, 256),
            "sweeps": {"batch": [1, 4, 16, 64, 256, 1024], "hidden": [64, 128, 256, 512, 1024, 2048],
                       "time": [10, 30, 100, 300, 1000]},
            "deepbench": sorted(deepbench.V100_FP32_MS), "min_run_time": 0.5},
    "cpu": {"cases": [(16, 25, 32, 32), (32, 50, 64, 64)],
            "sweep_base": (16, 25, 32, 32),
            "sweeps": {"batch": [4, 16, 64], "hidden": [16, 32, 64, 128], "time": [10, 25, 50]},
            "deepbench": [], "min_run_time": 0.2},
    "quick": {"cases": [(2, 3, 4, 4)], "sweep_base": (2, 3, 4, 4),
              "sweeps": {"batch": [1, 2], "hidden": [4, 8], "time": [2, 3]},
              "deepbench": [], "min_run_time": 0.01},
}


class CellLoop(nn.Module):
    """``nn.GRU``'s computation written as a Python loop over ``nn.GRUCell``, batch-first.

    Each of the T steps launches its own matrix products and element-wise operations (on a GPU, its own
    kernels), and autograd records every one of them; cuDNN's ``nn.GRU`` does the whole sequence in a few fused
    kernels. Returns ``(outputs (B, T, H), h_T (B, H))``.
    """

    def __init__(self, input_size: int, hidden_size: int, *, device=None, dtype=None):
        super().__init__()
        self.cell = nn.GRUCell(input_size, hidden_size, device=device, dtype=dtype)
        # what runs each step: the cell, or its compiled version (compile_cell); kept out of the submodules so
        # that parameters() and state_dict() list the cell's weights once
        object.__setattr__(self, "step", self.cell)

    @property
    def hidden_size(self) -> int:
        return self.cell.hidden_size

    @classmethod
    def from_gru(cls, gru: nn.GRU) -> "CellLoop":
        """A loop with the weights of a one-layer, unidirectional, batch-first ``nn.GRU`` (copied)."""
        if gru.num_layers != 1 or gru.bidirectional or not gru.batch_first:
            raise ValueError("from_gru needs a one-layer, unidirectional nn.GRU with batch_first=True; got "
                             f"num_layers={gru.num_layers}, bidirectional={gru.bidirectional}, "
                             f"batch_first={gru.batch_first}")
        p = gru.weight_ih_l0
        loop = cls(gru.input_size, gru.hidden_size, device=p.device, dtype=p.dtype)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(loop.cell, name).copy_(getattr(gru, name + "_l0"))
        return loop

    def forward(self, x, h=None):
        if x.dim() != 3:
            raise ValueError("x must have shape (batch, time, features); "
                             f"got shape {tuple(x.shape)}")
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)
        outs = []
        for t in range(x.shape[1]):
            h = self.step(x[:, t], h)
            outs.append(h)
        return torch.stack(outs, 1), h


def compile_cell(loop: CellLoop, **compile_kwargs) -> CellLoop:
    """Make ``loop`` run its cell through ``torch.compile(loop.cell, **compile_kwargs)``; returns ``loop``.

    The parameters stay the same objects (an optimizer built before still updates them). Compilation happens
    at the first call (and again for a new input shape).
    """
    object.__setattr__(loop, "step", torch.compile(loop.cell, **compile_kwargs))
    return loop


def build(name: str, input_size: int, hidden_size: int, device) -> nn.Module:
    """One of :data:`MODELS` (or :data:`COMPILED`), batch-first, on ``device``."""
    if name == "nn.GRU":
        return nn.GRU(input_size, hidden_size, batch_first=True, device=device)
    if name == "nn.LSTM":
        return nn.LSTM(input_size, hidden_size, batch_first=True, device=device)
    if name == "GRUCell loop":
        return CellLoop(input_size, hidden_size, device=device)
    if name == COMPILED:
        return compile_cell(CellLoop(input_size, hidden_size, device=device))
    raise ValueError(f"unknown model {name!r}; expected one of {MODELS + (COMPILED,)}")


def precisions_for(device: torch.device) -> tuple[str, ...]:
    """TF32 exists only on CUDA devices."""
    return PRECISIONS if device.type == "cuda" else tuple(p for p in PRECISIONS if p != "tf32")


def gpu_parity(device) -> dict:
    """Max abs difference between gru_teach.GRU and nn.GRU on ``device`` in float64 (outputs, dx, weight grads)."""
    device = torch.device(device)
    torch.manual_seed(0)
    module = nn.GRU(16, 32, batch_first=True, dtype=torch.float64, device=device)
    layer = GRU.from_torch(module)
    rng = np.random.default_rng(0)
    x, d_out = rng.normal(size=(8, 20, 16)), rng.normal(size=(8, 20, 32))
    xt = torch.tensor(x, device=device, requires_grad=True)
    out_t, _ = module(xt)
    (out_t * torch.tensor(d_out, device=device)).sum().backward()
    out, _ = layer.forward(x)
    dx, _ = layer.backward(d_out)
    errors = {"outputs": np.abs(out - out_t.detach().cpu().numpy()).max(),
              "dx": np.abs(dx - xt.grad.cpu().numpy()).max()}
    for name in layer.grads:
        errors[name] = np.abs(layer.grads[name] - getattr(module, name + "_l0").grad.cpu().numpy()).max()
    return {k: float(v) for k, v in errors.items()}


def _row(B, T, D, H, model, precision, **values) -> dict:
    return {"batch": B, "time": T, "input": D, "hidden": H, "model": model, "precision": precision, **values}


def _attempt(fn, what: str) -> dict:
    """``fn()``'s dict, or ``{"error": ...}`` when it raises (printed, never fatal: the other parts still run)."""
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - recorded in the results file
        print(f"  {what}: FAILED {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        traceback.print_exc(limit=3, file=sys.stderr)
        return {"error": f"{type(err).__name__}: {str(err)[:300]}"}
    finally:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _step(name, B, T, D, H, device, precision, seed=0):
    """The training step (forward + backward) of model ``name`` on a random (B, T, D) batch."""
    torch.manual_seed(seed)
    model = build(name, D, H, device)
    return training_step(model, torch.randn(B, T, D, device=device), precision)


def _measure_all(B, T, D, H, device, series, min_run_time, rounds) -> dict:
    """``{(model, precision): row values}`` for every entry of ``series`` at one size, timed in turn."""
    steps, errors = {}, {}
    for name, precision in series:
        made = _attempt(lambda: {"step": _step(name, B, T, D, H, device, precision)}, f"{name} {precision}")
        if "error" in made:
            errors[(name, precision)] = made
        else:
            steps[(name, precision)] = made["step"]
    values = dict(errors)
    if steps:
        times = _attempt(lambda: round_robin(steps, rounds=rounds, min_run_time=min_run_time / rounds),
                         f"timing at B={B} T={T} H={H}")
        for key in steps:
            values[key] = times if "error" in times else {"tokens_per_s": round(B * T / min(times[key]))}
    return values


def _print(row: dict) -> None:
    """One line per measurement (≤ 78 characters for the common models, so that it fits a book page)."""
    value = (f"{row['tokens_per_s'] / 1e6:8.3f} M tok/s" if "tokens_per_s" in row else row.get("error", "?"))
    print(f"B={row['batch']:<4d} T={row['time']:<4d} D={row['input']:<4d} H={row['hidden']:<4d} "
          f"{row['model']:<12s} {row['precision']:<13s} {value}", flush=True)


def measure_cases(device, cases, *, models=MODELS, precisions=None, min_run_time=0.5, rounds=1) -> list[dict]:
    """Every model × precision at every case (B, T, D, H): a list of rows with ``tokens_per_s``.

    ``rounds`` > 1 times the candidates of a case in turn, that many times, and keeps each one's fastest round
    (:func:`~gru_teach.bench.timing.round_robin`; for shared machines).
    """
    device = torch.device(device)
    series = [(m, p) for m in models for p in (precisions or precisions_for(device))]
    rows = []
    for B, T, D, H in cases:
        values = _measure_all(B, T, D, H, device, series, min_run_time * rounds, rounds)
        for name, precision in series:
            row = _row(B, T, D, H, name, precision, **values[(name, precision)])
            _print(row)
            rows.append(row)
    return rows


def measure_compiled(device, cases, *, min_run_time=0.5, rounds=3, **compile_kwargs) -> list[dict]:
    """:data:`COMPILED` in float32 at each case, timed in turn with the plain cell loop (same weights).

    Row values: ``tokens_per_s`` (compiled), ``loop_tokens_per_s`` (plain loop, same rounds) and
    ``compile_seconds``, the wall time of the first call: compiling the forward and backward graphs (again for
    the second step, whose state needs gradients) plus one step.
    """
    device = torch.device(device)
    rows = []
    for B, T, D, H in cases:
        def run():
            torch.manual_seed(0)
            plain = CellLoop(D, H, device=device)
            compiled = CellLoop(D, H, device=device)
            compiled.load_state_dict(plain.state_dict())
            compile_cell(compiled, **compile_kwargs)
            x = torch.randn(B, T, D, device=device)
            steps = {"compiled": training_step(compiled, x), "loop": training_step(plain, x)}
            start = time.perf_counter()      # a one-off wall time, not a throughput measurement
            steps["compiled"]()
            steps["compiled"]()
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            times = round_robin(steps, rounds=rounds, min_run_time=min_run_time)
            return {"tokens_per_s": round(B * T / min(times["compiled"])),
                    "loop_tokens_per_s": round(B * T / min(times["loop"])), "compile_seconds": round(seconds, 1)}
        row = _row(B, T, D, H, COMPILED, "float32", **_attempt(run, f"compiled loop at B={B} T={T} H={H}"))
        _print(row)
        rows.append(row)
    return rows


def sweep_sizes(base, values: dict) -> list[tuple[str, tuple]]:
    """``(varied, (B, T, D, H))`` for each value of each sweep, the others at ``base``; D follows H."""
    B0, T0, _, H0 = base
    sizes = []
    for varied, vals in values.items():
        for v in vals:
            B, T, H = (v if varied == "batch" else B0), (v if varied == "time" else T0), (v if varied == "hidden"
                                                                                           else H0)
            sizes.append((varied, (B, T, H, H)))
    return sizes


SWEEP_SERIES = (("nn.GRU", "float32"), ("nn.GRU", "bf16 autocast"), ("GRUCell loop", "float32"))


def measure_sweeps(device, base, values, *, series=SWEEP_SERIES, min_run_time=0.5, rounds=1) -> list[dict]:
    """tokens/s of each (model, precision) in ``series`` along each sweep (see :func:`sweep_sizes`)."""
    device = torch.device(device)
    rows = []
    for varied, (B, T, D, H) in sweep_sizes(base, values):
        measured = _measure_all(B, T, D, H, device, series, min_run_time * rounds, rounds)
        for name, precision in series:
            row = _row(B, T, D, H, name, precision, sweep=varied, **measured[(name, precision)])
            _print(row)
            rows.append(row)
    return rows


def measure_profiles(device, case, *, models=("nn.GRU", "GRUCell loop")) -> dict:
    """``{model: torch.profiler summary of one float32 training step}`` at ``case`` (B, T, D, H)."""
    device = torch.device(device)
    B, T, D, H = case
    out = {"batch": B, "time": T, "input": D, "hidden": H}
    for name in models:
        def run():
            torch.manual_seed(0)
            model = build(name, D, H, device)
            return profile(training_step(model, torch.randn(B, T, D, device=device)), steps=3)
        out[name] = _attempt(run, f"profile {name}")
    return out


def measure_deepbench(device, shapes, *, precisions=("float32", "tf32"), min_run_time=0.5) -> list[dict]:
    """DeepBench's GRU training shapes: ``nn.GRU(1, H)`` forward + backward time next to the V100's."""
    device = torch.device(device)
    rows = []
    for shape in shapes:
        H, N, T = shape
        for precision in precisions:
            def run():
                torch.manual_seed(0)
                model = deepbench.gru_module(H, device)
                x = torch.randn(N, T, 1, device=device)
                ms = N * T / tokens_per_second(model, x, precision, min_run_time=min_run_time) * 1e3
                return deepbench.compare(shape, ms)
            row = {"precision": precision, **_attempt(run, f"DeepBench H={H} N={N} T={T} {precision}")}
            row.update(hidden=H, batch=N, time=T)
            print(f"DeepBench H={H:5d} N={N:3d} T={T:5d} {precision:8s} "
                  + (f"{row['ms']:9.2f} ms (V100 {row['v100_ms']:.2f} ms, ×{row['speedup_vs_v100']:.2f})"
                     if "ms" in row else row["error"]), flush=True)
            rows.append(row)
    return rows


def run(device, sizes: dict, parts=PARTS) -> dict:
    """Measure the chosen ``parts`` with ``sizes`` (one of :data:`SIZES`); the results dict without provenance."""
    device = torch.device(device)
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; expected some of {PARTS}")
    mrt = sizes["min_run_time"]
    result = {"parity_float64": gpu_parity(device)}
    print("float64 parity with gru_teach.GRU (max abs error):", result["parity_float64"], flush=True)
    if "cases" in parts:
        result["rows"] = measure_cases(device, sizes["cases"], min_run_time=mrt)
    if "compile" in parts:
        result["compiled"] = measure_compiled(device, sizes["cases"][:1], min_run_time=mrt)
    if "sweeps" in parts:
        result["sweeps"] = measure_sweeps(device, sizes["sweep_base"], sizes["sweeps"], min_run_time=mrt)
    if "profile" in parts:
        result["profile"] = measure_profiles(device, sizes["cases"][0])
    if "deepbench" in parts and sizes["deepbench"]:
        result["deepbench"] = measure_deepbench(device, sizes["deepbench"], min_run_time=mrt,
                                                precisions=("float32", "tf32") if device.type == "cuda"
                                                else ("float32",))
        result["deepbench_source"] = deepbench.SOURCE
    if "ceiling" in parts:
        from . import ceiling
        result["ceiling"] = _attempt(lambda: ceiling.measure(device, quick=sizes is SIZES["quick"]), "ceiling")
    return result


def device_provenance(device: torch.device) -> dict:
    """What ran the benchmark: the GPU, CUDA and cuDNN versions, torch's threads and its TF32 defaults."""
    info = {"device": device.type, "threads": torch.get_num_threads(), "schema": SCHEMA,
            "tf32_defaults": {"matmul": bool(torch.backends.cuda.matmul.allow_tf32),
                              "cudnn": bool(torch.backends.cudnn.allow_tf32)}}
    if device.type == "cuda":
        info.update(gpu=torch.cuda.get_device_name(device), cuda=torch.version.cuda,
                    cudnn=torch.backends.cudnn.version())
    return info


def main(argv=None) -> int:
    from ..data import command_line, provenance, save_results

    parser = argparse.ArgumentParser(prog="python -m gru_teach.bench.gpu", description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="write the results as JSON to this file")
    parser.add_argument("--cpu", action="store_true", help="measure on the CPU, at small sizes")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds; for tests)")
    parser.add_argument("--parts", default=None,
                        help=f"comma-separated subset of {','.join(PARTS)} (default: all on a GPU; "
                             "all but compile with --cpu)")
    args = parser.parse_args(argv)
    if not args.cpu and not torch.cuda.is_available():
        print("no CUDA GPU visible to torch: run this on a GPU machine, or pass --cpu", file=sys.stderr)
        return 2
    device = torch.device("cpu" if args.cpu else "cuda")
    if args.parts:
        parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    else:
        parts = PARTS if device.type == "cuda" else tuple(p for p in PARTS if p != "compile")
    sizes = SIZES["quick" if args.quick else device.type]
    extra = {}
    if "compile" in parts and "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
        # a cold compile, as on a fresh machine: not the cache of an earlier run
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="gru_teach_inductor_")
        extra["compile_cache"] = "fresh (a new TORCHINDUCTOR_CACHE_DIR)"
    start = time.perf_counter()
    measured = run(device, sizes, parts)
    command = command_line("gru_teach.bench.gpu", argv if argv is not None else sys.argv[1:])
    result = {"provenance": provenance(command, time.perf_counter() - start, parts=list(parts),
                                       **device_provenance(device), **extra), **measured}
    if args.out:
        print("wrote", save_results(result, args.out, "ch05_gpu_benchmark.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
