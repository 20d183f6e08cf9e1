"""The DeepBench GRU training shapes and their published times on an NVIDIA V100 (FP32), for comparison.

Source: baidu-research/DeepBench, ``results/train/DeepBench_NV_V100.xlsx``, sheet "Results FP32", section
"Recurrent Layers - GRU" (the shapes are ``code/kernels/rnn_problems.h``'s ``training_set``). DeepBench times
one cuDNN GRU layer with ``CUDNN_SKIP_INPUT`` — no input projection: "the calculation of the inputs should not
be included in the time for the recurrent layer" (its README) — as forward + backward with respect to the
inputs + backward with respect to the weights. Its forward FLOP count is that of the recurrent products,

    FLOPs_forward = 2 · (3H · H) · N · T = 6 · H² · N · T        (H hidden units, batch N, T time steps)

(e.g. H = 2816, N = 32, T = 1500 in 223.343 ms gives the sheet's 10.23 TFLOP/s).

``torch.nn.GRU`` has no skip-input mode. :func:`gru_module` builds it with ``input_size=1``, which makes the
input projection (a (N·T, 1) × (1, 3H) product) and the input gradient negligible next to the recurrent
products, so the timed work is the same as DeepBench's.
"""
from __future__ import annotations

import torch

GPU = "NVIDIA V100"   # the machine of the published numbers (the results file's name: DeepBench_NV_V100)
SOURCE = ("baidu-research/DeepBench, results/train/DeepBench_NV_V100.xlsx, "
          "sheet 'Results FP32', 'Recurrent Layers - GRU'")

# (hidden, batch, time): (forward, backward wrt inputs, backward wrt weights) in ms, V100, FP32
V100_FP32_MS = {
    (2816, 32, 1500): (223.343, 328.879, 154.882),
    (2816, 32, 750): (113.225, 166.013, 77.467),
    (2816, 32, 375): (64.895, 84.031, 39.095),
    (2816, 32, 187): (32.551, 44.094, 19.698),
    (2048, 32, 1500): (144.352, 138.927, 79.534),
    (2048, 32, 750): (73.314, 70.639, 39.929),
    (2048, 32, 375): (37.865, 36.567, 20.244),
    (2048, 32, 187): (22.113, 20.609, 10.229),
    (1536, 32, 1500): (84.804, 103.483, 45.837),
    (1536, 32, 750): (43.677, 52.378, 23.053),
    (1536, 32, 375): (23.164, 27.421, 11.676),
    (1536, 32, 187): (15.684, 15.937, 5.926),
    (2560, 32, 1500): (199.561, 183.448, 134.162),
    (2560, 32, 750): (100.548, 93.522, 66.112),
    (2560, 32, 375): (56.712, 47.649, 32.966),
    (2560, 32, 187): (28.419, 26.209, 16.191),
    (512, 32, 1): (0.088, 0.100, 0.090),
    (1024, 32, 1500): (59.131, 66.913, 19.949),
    (1024, 64, 1500): (80.172, 87.017, 39.994),
}
# the five longest-sequence shapes: the ones REFERENCE-style summaries quote, and a quick subset
QUICK = [(2816, 32, 1500), (2560, 32, 1500), (2048, 32, 1500), (1536, 32, 1500), (1024, 32, 1500)]


def v100_total_ms(shape) -> float:
    """DeepBench's total (forward + both backward parts) for ``(hidden, batch, time)``, in ms."""
    return float(sum(V100_FP32_MS[tuple(shape)]))


def forward_flops(hidden: int, batch: int, time: int) -> float:
    """6 · H² · N · T: the recurrent products of one forward pass (DeepBench's count)."""
    return 6.0 * hidden ** 2 * batch * time


def gru_module(hidden: int, device, dtype=torch.float32) -> torch.nn.GRU:
    """``nn.GRU(input_size=1, hidden)``: the recurrent work of DeepBench's skip-input GRU (see module doc)."""
    return torch.nn.GRU(1, hidden, batch_first=True, device=device, dtype=dtype)


def compare(shape, ms: float) -> dict:
    """One row: our time ``ms`` for ``shape`` next to the V100's, with forward TFLOP/s-equivalents.

    ``speedup_vs_v100`` = V100 total / ours; ``tflops`` counts 3 × the forward FLOPs for forward + backward
    (backward ≈ twice the forward's products), a convention for comparing, not a hardware counter.
    """
    hidden, batch, time = shape
    v100 = v100_total_ms(shape)
    flops = 3 * forward_flops(hidden, batch, time)
    return {"hidden": hidden, "batch": batch, "time": time, "ms": round(ms, 3), "v100_ms": round(v100, 3),
            "speedup_vs_v100": round(v100 / ms, 3), "tflops": round(flops / (ms / 1e3) / 1e12, 2),
            "v100_tflops": round(flops / (v100 / 1e3) / 1e12, 2)}
