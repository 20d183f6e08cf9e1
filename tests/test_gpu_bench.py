"""The GPU benchmark's parts, exercised on the CPU at tiny sizes (no timing is asserted)."""

import pytest
import torch

from gru_teach.bench import gpu as gpu_bench
from gru_teach.data import load_results


def test_parity_check_reports_float64_agreement_on_cpu():
    errors = gpu_bench.gpu_parity(torch, torch.device("cpu"))
    assert set(errors) == {"outputs", "dx", "weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    assert max(errors.values()) < 1e-9


def test_cell_loop_equals_fused_gru_with_the_same_weights():
    torch.manual_seed(0)
    loop = gpu_bench.CellLoop(torch, 3, 4, "cpu")
    fused = torch.nn.GRU(3, 4, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(fused, name + "_l0").copy_(getattr(loop.cell, name))
    x = torch.randn(2, 5, 3)
    torch.testing.assert_close(loop(x)[0], fused(x)[0])


def test_throughput_is_positive_and_gradients_are_cleared():
    model = torch.nn.GRU(3, 4, batch_first=True)
    tps = gpu_bench.tokens_per_second(torch, model, torch.randn(2, 5, 3), min_run_time=0.01)
    assert tps > 0
    assert all(p.grad is None for p in model.parameters())


def test_main_without_gpu_exits_2_and_committed_results_have_provenance(capsys):
    if not torch.cuda.is_available():
        assert gpu_bench.main([]) == 2
        assert "no CUDA GPU" in capsys.readouterr().err
    data = load_results("ch05_gpu_benchmark.json")
    assert {"command", "date", "torch", "gpu"} <= set(data["provenance"])
    assert max(data["parity_float64"].values()) < 1e-9
    assert {r["model"] for r in data["rows"]} == {"nn.GRU", "GRUCell loop", "nn.LSTM"}
