"""Speed of ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` side by side: measured here, and the committed GPU rows.

:func:`layer_speed` times one training step (forward and backward of ``sum(outputs)``, input projection included)
of each layer on the CPU with ``torch.utils.benchmark`` (the fastest of its blocks), through the same
:func:`gru_teach.bench.timing.tokens_per_second` that the GPU benchmark uses. :func:`gru_vs_lstm` pairs the GRU and LSTM
rows of a committed GPU benchmark (``ch05_gpu_benchmark.json``) and computes the GRU's speed-up over the LSTM, to
set beside the ratio of their multiply-adds, 4/3 (:func:`gru_teach.analysis.cost.multiply_adds_per_token`).

On the CPU, PyTorch runs a float32 ``nn.LSTM`` through oneDNN's fused LSTM kernel when oneDNN (formerly MKL-DNN)
is available, while ``nn.GRU`` and ``nn.RNN`` run as a sequence of separate operations per step. ``onednn=False``
switches that path off (``torch.backends.mkldnn.flags(enabled=False)``) to show how much of the LSTM's speed it is.
"""
from __future__ import annotations

import warnings

from ..analysis.cost import gate_blocks, multiply_adds_per_token

CELLS = ("RNN", "GRU", "LSTM")


def layer_speed(cells=CELLS, *, batch: int = 32, time: int = 50, input_size: int = 64, hidden_size: int = 64,
                threads: int | None = 1, min_run_time: float = 0.2, seed: int = 0,
                onednn: bool = True) -> dict[str, float]:
    """Tokens (batch × time steps) per second of one forward+backward step of each layer, on the CPU.

    ``onednn=False`` measures with PyTorch's oneDNN kernels switched off (the setting is restored afterwards).
    """
    import torch

    from ..training.loop import torch_threads

    for cell in cells:
        gate_blocks(cell)                                   # a clear error for an unknown cell
    torch.manual_seed(seed)
    x = torch.randn(batch, time, input_size)
    with warnings.catch_warnings():
        # torch.backends.mkldnn.flags also resets oneDNN's TF32 setting and warns that CPUs do not have it
        warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")
        with torch_threads(threads), torch.backends.mkldnn.flags(enabled=onednn):
            n = threads or torch.get_num_threads()
            speeds = {cell: _speed(torch, cell, x, hidden_size, min_run_time, n) for cell in cells}
    return speeds


def _speed(torch, cell, x, hidden_size, min_run_time, threads):
    from .timing import tokens_per_second

    layer = getattr(torch.nn, cell)(x.shape[-1], hidden_size, batch_first=True)
    return tokens_per_second(layer, x, "float32", min_run_time=min_run_time, threads=threads)


def gru_vs_lstm(rows) -> list[dict]:
    """For every (size, precision) with both ``nn.GRU`` and ``nn.LSTM`` rows: tokens/s of each, the measured
    speed-up GRU/LSTM, and the speed-up that the multiply-adds alone would predict (4/3)."""
    pairs: dict = {}
    for row in rows:
        if row["model"] in ("nn.GRU", "nn.LSTM"):
            key = (row["batch"], row["time"], row["input"], row["hidden"], row["precision"])
            pairs.setdefault(key, {})[row["model"]] = row["tokens_per_s"]
    out = []
    for (B, T, I, H, precision), speed in pairs.items():
        if len(speed) == 2:
            predicted = multiply_adds_per_token("LSTM", I, H) / multiply_adds_per_token("GRU", I, H)
            out.append({"batch": B, "time": T, "input": I, "hidden": H, "precision": precision,
                        "gru": speed["nn.GRU"], "lstm": speed["nn.LSTM"],
                        "speedup": speed["nn.GRU"] / speed["nn.LSTM"], "predicted": predicted})
    return out
