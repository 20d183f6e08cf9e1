"""Measure recurrent layers on a GPU: cuDNN's fused nn.GRU vs a Python loop of nn.GRUCell vs nn.LSTM.

Throughput is tokens (batch × time steps) per second for one training step — forward and backward,
input projection included — timed with ``torch.utils.benchmark`` (which synchronises the GPU). Before timing,
it checks that ``gru_teach.GRU`` (NumPy, float64) equals the GPU's ``nn.GRU`` in float64, forward and gradients.

Run on a machine with a GPU::

    python -m gru_teach.bench.gpu --out gru_teach/data/ch05_gpu_benchmark.json

The JSON records the command, the versions, the device and the date next to the numbers. Without a GPU the
script says so and exits with status 2 (``--cpu`` measures the same cases on the CPU, smaller, for comparison).
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys

import numpy as np

from ..cells.gru import GRU
from ..data import command_line

CASES = [  # (batch, time, input, hidden)
    (64, 100, 128, 128),
    (256, 100, 512, 512),
    (128, 50, 1024, 1024),
]
CPU_CASES = [(64, 100, 128, 128)]


class CellLoop:
    """A GRU written as a Python loop over ``nn.GRUCell``: one kernel launch sequence per step."""

    def __init__(self, torch, input_size, hidden_size, device):
        self.torch = torch
        self.cell = torch.nn.GRUCell(input_size, hidden_size, device=device)

    def parameters(self):
        return self.cell.parameters()

    def __call__(self, x):
        h = x.new_zeros(x.shape[0], self.cell.hidden_size)
        outs = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            outs.append(h)
        return self.torch.stack(outs, 1), h


def gpu_parity(torch, device) -> dict:
    """Max abs difference between gru_teach.GRU and nn.GRU on ``device`` in float64 (outputs, dx, weight grads)."""
    torch.manual_seed(0)
    module = torch.nn.GRU(16, 32, batch_first=True, dtype=torch.float64, device=device)
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


def tokens_per_second(torch, model, x, autocast_dtype=None, min_run_time=0.5) -> float:
    """Forward + backward of ``sum(outputs)`` per second, in tokens (B·T)."""
    from torch.utils import benchmark

    params = list(model.parameters())

    def step():
        with torch.autocast(x.device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            out, _ = model(x)
        out.float().sum().backward()
        for p in params:
            p.grad = None

    step()  # warm-up (cuDNN plans, allocator)
    m = benchmark.Timer(stmt="step()", globals={"step": step}).blocked_autorange(min_run_time=min_run_time)
    return x.shape[0] * x.shape[1] / m.median


def run(device_name: str, cases) -> dict:
    import torch

    device = torch.device(device_name)
    rows = []
    for B, T, D, H in cases:
        torch.manual_seed(0)
        x = torch.randn(B, T, D, device=device)
        models = {
            "nn.GRU": torch.nn.GRU(D, H, batch_first=True, device=device),
            "GRUCell loop": CellLoop(torch, D, H, device),
            "nn.LSTM": torch.nn.LSTM(D, H, batch_first=True, device=device),
        }
        for name, model in models.items():
            for precision, ac in [("float32", None), ("bf16 autocast", torch.bfloat16)]:
                if name == "GRUCell loop" and ac is not None:
                    continue
                tps = tokens_per_second(torch, model, x, ac)
                rows.append({"batch": B, "time": T, "input": D, "hidden": H, "model": name,
                             "precision": precision, "tokens_per_s": round(tps)})
                print(f"B={B:4d} T={T:4d} D={D:5d} H={H:5d}  {name:13s} {precision:14s} {tps / 1e6:8.3f} M tokens/s",
                      flush=True)
    return {"rows": rows, "parity_float64": gpu_parity(torch, device)}


def provenance(torch, device_name: str) -> dict:
    info = {"command": command_line("gru_teach.bench.gpu", sys.argv[1:]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "device": device_name, "threads": torch.get_num_threads(),
            "tf32_cudnn": bool(torch.backends.cudnn.allow_tf32)}
    if device_name == "cuda":
        info.update(gpu=torch.cuda.get_device_name(0), cuda=torch.version.cuda,
                    cudnn=torch.backends.cudnn.version())
    else:
        info.update(cpu=platform.processor() or platform.machine())
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="write the results as JSON to this file")
    parser.add_argument("--cpu", action="store_true", help="measure on the CPU (smallest case only)")
    args = parser.parse_args(argv)
    import torch

    if not args.cpu and not torch.cuda.is_available():
        print("no CUDA GPU visible to torch: run this on a GPU machine, or pass --cpu", file=sys.stderr)
        return 2
    device_name = "cpu" if args.cpu else "cuda"
    result = {"provenance": provenance(torch, device_name), **run(device_name, CPU_CASES if args.cpu else CASES)}
    print("float64 parity with gru_teach.GRU (max abs error):", result["parity_float64"])
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
        print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
