"""The GPU benchmark's parts, exercised on the CPU at tiny sizes (no timing is asserted)."""
import json

import pytest
import torch

from gru_teach.bench import ceiling, deepbench, timing
from gru_teach.bench import gpu as gpu_bench
from gru_teach.data import load_results


def test_parity_check_reports_float64_agreement_on_cpu():
    errors = gpu_bench.gpu_parity("cpu")
    assert set(errors) == {"outputs", "dx", "weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    assert max(errors.values()) < 1e-9


def test_cell_loop_equals_fused_gru_with_the_same_weights():
    torch.manual_seed(0)
    fused = torch.nn.GRU(3, 4, batch_first=True)
    loop = gpu_bench.CellLoop.from_gru(fused)
    x = torch.randn(2, 5, 3)
    out, h = loop(x)
    ref_out, ref_h = fused(x)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(h, ref_h[0])
    with pytest.raises(ValueError, match="batch_first=True"):
        gpu_bench.CellLoop.from_gru(torch.nn.GRU(3, 4))
    with pytest.raises(ValueError, match=r"\(batch, time, features\); got shape \(5, 3\)"):
        loop(torch.randn(5, 3))


def test_compiled_cell_keeps_the_parameters_and_the_results():
    """torch.compile with the "eager" backend traces the cell without a C++ compiler (fast); same numbers."""
    torch.manual_seed(0)
    loop = gpu_bench.CellLoop(3, 4)
    x = torch.randn(2, 5, 3)
    expected = loop(x)[0]
    params = list(loop.parameters())
    gpu_bench.compile_cell(loop, backend="eager")
    assert list(loop.parameters()) == params          # an optimizer built before still updates them
    torch.testing.assert_close(loop(x)[0], expected)


def test_compiled_measurement_times_the_compiled_and_the_plain_loop():
    rows = gpu_bench.measure_compiled("cpu", [(2, 3, 4, 4)], min_run_time=0.01, backend="eager")
    assert rows[0]["model"] == gpu_bench.COMPILED and rows[0]["compile_seconds"] >= 0
    assert rows[0]["tokens_per_s"] > 0 and rows[0]["loop_tokens_per_s"] > 0


def test_precision_modes_set_and_restore_the_flags():
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    with timing.precision("bf16 autocast", "cpu"):
        assert torch.is_autocast_enabled("cpu")
        y = torch.nn.Linear(4, 4)(torch.randn(2, 4))
    assert y.dtype == torch.bfloat16
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before
    with timing.precision("float32", "cpu"):
        assert not torch.backends.cudnn.allow_tf32 and not torch.is_autocast_enabled("cpu")
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before
    with pytest.raises(ValueError, match="TF32 is a mode of NVIDIA GPUs"):
        with timing.precision("tf32", "cpu"):
            pass
    with pytest.raises(ValueError, match="precision must be one of"):
        with timing.precision("fp8", "cpu"):
            pass
    assert gpu_bench.precisions_for(torch.device("cpu")) == ("float32", "bf16 autocast")


def test_number_formats_in_one_convention():
    rows = {r["name"]: r for r in timing.number_formats()}
    assert [(r["bits"], r["bytes"], r["exponent_bits"], r["fraction_bits"]) for r in rows.values()] == [
        (32, 4, 8, 23), (19, 4, 8, 10), (16, 2, 8, 7)]
    for r in rows.values():
        assert r["bits"] == 1 + r["exponent_bits"] + r["fraction_bits"]


def test_throughput_is_positive_and_gradients_are_cleared():
    model = torch.nn.GRU(3, 4, batch_first=True)
    tps = timing.tokens_per_second(model, torch.randn(2, 5, 3), min_run_time=0.01)
    assert tps > 0
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match="got shape"):
        timing.tokens_per_second(model, torch.randn(5, 3))


def test_profile_counts_operators_per_step():
    """The cell loop calls the GRU cell once per time step; the fused layer calls aten::gru once per step."""
    x = torch.randn(2, 6, 3)
    loop = timing.profile(timing.training_step(gpu_bench.CellLoop(3, 4), x), steps=2)
    fused = timing.profile(timing.training_step(torch.nn.GRU(3, 4, batch_first=True), x), steps=2)
    assert loop["op_counts"]["aten::gru_cell"] == 6
    assert fused["op_counts"]["aten::gru"] == 1 and "aten::gru_cell" not in fused["op_counts"]
    assert loop["kernels"] == 0 and loop["wall_ms"] > 0 and loop["ops"]
    assert "operator calls" in timing.format_profile(loop, "loop")


def test_sweep_sizes_vary_one_thing_at_a_time():
    sizes = gpu_bench.sweep_sizes((16, 25, 32, 32), {"batch": [4, 16], "time": [10]})
    assert sizes == [("batch", (4, 25, 32, 32)), ("batch", (16, 25, 32, 32)), ("time", (16, 10, 32, 32))]


def test_deepbench_table_and_comparison():
    # the published total and forward TFLOP/s of the largest shape (sheet "Results FP32")
    assert deepbench.v100_total_ms((2816, 32, 1500)) == pytest.approx(707.104)
    fwd_ms = deepbench.V100_FP32_MS[(2816, 32, 1500)][0]
    assert deepbench.forward_flops(2816, 32, 1500) / (fwd_ms / 1e3) / 1e12 == pytest.approx(10.2255, abs=1e-3)
    row = deepbench.compare((1024, 32, 1500), 73.0)
    assert row["speedup_vs_v100"] == pytest.approx(145.993 / 73.0, abs=1e-3)
    assert set(deepbench.QUICK) <= set(deepbench.V100_FP32_MS)
    assert deepbench.GPU.endswith("V100") and "V100" in deepbench.SOURCE     # the machine of the published times
    m = deepbench.gru_module(8, "cpu")
    assert m.input_size == 1 and m.hidden_size == 8


def test_failing_part_is_recorded_not_fatal(capsys):
    row = gpu_bench._attempt(lambda: 1 / 0, "a part")
    assert row == {"error": "ZeroDivisionError: division by zero"}
    assert "FAILED" in capsys.readouterr().err


def test_quick_cpu_run_writes_every_part_with_provenance(tmp_path):
    out = tmp_path / "bench.json"
    assert gpu_bench.main(["--cpu", "--quick", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["provenance"]["device"] == "cpu" and data["provenance"]["schema"] == gpu_bench.SCHEMA
    assert {"command", "date", "torch", "machine"} <= set(data["provenance"])
    assert "compile" not in data["provenance"]["parts"]             # minutes on a small CPU: only if asked
    assert {r["model"] for r in data["rows"]} == set(gpu_bench.MODELS)
    assert {r["precision"] for r in data["rows"]} == {"float32", "bf16 autocast"}
    assert all(r["tokens_per_s"] > 0 for r in data["rows"] + data["sweeps"])
    assert {r["sweep"] for r in data["sweeps"]} == {"batch", "hidden", "time"}
    assert data["profile"]["GRUCell loop"]["op_calls"] > data["profile"]["nn.GRU"]["op_calls"]
    assert {r["variant"] for r in data["ceiling"]} == set(ceiling.VARIANTS)
    assert max(data["parity_float64"].values()) < 1e-9
    with pytest.raises(ValueError, match="unknown parts"):
        gpu_bench.run("cpu", gpu_bench.SIZES["quick"], ("cases", "nope"))


def test_main_without_gpu_exits_2_and_committed_results_have_provenance(capsys):
    if not torch.cuda.is_available():
        assert gpu_bench.main([]) == 2
        assert "no CUDA GPU" in capsys.readouterr().err
    data = load_results("ch05_gpu_benchmark.json")
    assert {"command", "date", "torch", "gpu"} <= set(data["provenance"])
    assert max(data["parity_float64"].values()) < 1e-9
    assert {"nn.GRU", "GRUCell loop", "nn.LSTM"} <= {r["model"] for r in data["rows"]}
