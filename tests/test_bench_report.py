"""Chapter 5b's tables and figures work on both versions of the GPU reference file, and the loop-vs-ceiling
explanation counts what it claims (tiny CPU sizes; no timing asserted)."""
import matplotlib.pyplot as plt
import pytest
import torch

from gru_teach.bench import ceiling, deepbench, report
from gru_teach.bench import gpu as gpu_bench
from gru_teach.data import load_results
from gru_teach.training import distributed


@pytest.fixture(scope="module")
def schema2():
    """What a current run writes (quick sizes, on the CPU), plus DeepBench rows in the same format."""
    result = gpu_bench.run("cpu", gpu_bench.SIZES["quick"], gpu_bench.PARTS[:1] + gpu_bench.PARTS[2:])
    result["provenance"] = {"schema": gpu_bench.SCHEMA, "device": "cpu", "date": "2026-01-01T00:00:00"}
    result["deepbench"] = [{"precision": p, **deepbench.compare(s, 100.0)} for s in deepbench.QUICK
                           for p in ("float32", "tf32")]
    result["compiled"] = gpu_bench.measure_compiled("cpu", [(2, 3, 4, 4)], min_run_time=0.01, backend="eager")
    return result


def test_reference_info_knows_both_schemas(schema2):
    old = report.reference_info(load_results("ch05_gpu_benchmark.json"))
    assert old["schema"] == 1 and "TF32" in old["float32_label"] and old["gpu"].startswith("NVIDIA")
    assert old["float32_short"] == "float32 (TF32 allowed)" and old["has"] == ["rows"]
    assert {"compiled", "sweeps", "profile", "deepbench", "ceiling"} <= set(old["missing"])
    new = report.reference_info(schema2)
    assert new["schema"] == 2 and new["missing"] == [] and new["float32_label"] == "float32 (IEEE)"
    assert new["float32_short"] == "float32"
    assert report.missing_note(schema2, "sweeps", "sweeps") is None
    assert report.missing_note({}, "sweeps", "sweeps") == "(the committed GPU reference has no sweeps yet)"


def test_parts_sentence_lists_what_the_reference_holds_and_lacks(schema2):
    old = report.parts_sentence(load_results("ch05_gpu_benchmark.json"))
    assert old.startswith("It holds the basic cases") and "a run on a GPU machine" in old
    assert ("does not hold the compiled cell loop, the size sweeps, a profiler summary, the DeepBench shapes "
            "or the loop-vs-ceiling ratios yet") in old
    assert report.parts_sentence(schema2).endswith("every part the benchmark measures.")
    failed = report.parts_sentence({**schema2, "ceiling": {"error": "out of memory"}})
    assert "failed to measure the loop-vs-ceiling ratios" in failed and "yet" not in failed
    assert report.words(["a"]) == "a" and report.words(["a", "b", "c"], "or") == "a, b or c"


def test_reference_command_names_todays_module_and_parts_are_described_in_words():
    ref = load_results("ch05_gpu_benchmark.json")
    assert report.reference_command(ref).startswith("python -m gru_teach.bench.gpu")
    old = {"provenance": {"command": "python -m gru_teach.gpu_bench --out x.json"}}
    assert report.reference_command(old) == "python -m gru_teach.bench.gpu --out x.json"
    assert "does not have it yet" in report.part_status(ref, "sweeps")
    assert report.part_status({"sweeps": [{"tokens_per_s": 1}]}, "sweeps") == "the committed reference has it"
    assert "failed" in report.part_status({"ceiling": {"error": "out of memory"}}, "ceiling")
    for text in (report.part_status({}, "x"), report.part_status({"x": {"error": "e"}}, "x")):
        assert "`" not in text and "schema" not in text and "(" not in text    # plain prose, no nesting


def test_present_parts_print_and_failed_parts_say_so(schema2):
    """The branches the chapter takes once a GPU run has written every part (exercised here with CPU data)."""
    table = report.op_count_table({k: v for k, v in schema2["profile"].items() if isinstance(v, dict)})
    assert "aten::gru_cell" in table and "all operators" in table
    text = report.profile_summary(schema2["profile"])
    assert "nn.GRU" in text and "GRUCell loop" in text and "GPU busy" in text
    assert "nn.GRU" in report.speed_table(schema2["compiled"] + schema2["rows"])
    failed = {"ceiling": {"error": "RuntimeError: CUDA out of memory"}}
    assert "failed to measure" in report.missing_note(failed, "ceiling", "ceiling")
    assert "out of memory" in report.missing_note(failed, "ceiling", "ceiling")


def test_tables_and_speedups(schema2):
    rows = load_results("ch05_gpu_benchmark.json")["rows"]
    speed = report.speedups(rows)
    assert len(speed) == 3 and all(s > 1 for s in speed.values())
    table = report.speed_table(rows, "float32 (x)")
    assert "GRUCell loop" in table and "'float32' = float32\n  (x)" in table
    assert "bare" in report.ceiling_table(schema2["ceiling"])
    assert "ratio: tokens/s / bare's" in report.ceiling_table(schema2["ceiling"])
    assert report.case_text((64, 100, 128, 128)) == "B = 64, T = 100, D = H = 128"
    assert report.case_text((4, 10, 8, 16)) == "B = 4, T = 10, D = 8, H = 16"
    # the reference's cases change B, T and H together; ordered by the work of one time step
    cases = sorted(speed, key=report.step_flops)
    assert [c[3] for c in cases] == [128, 512, 1024] and len({c[0] for c in cases}) == 3


def test_ceiling_ratio_is_the_quotient_of_the_tokens_per_second_shown(schema2):
    rows = schema2["ceiling"]
    bare = next(r for r in rows if r["variant"] == "bare")
    assert bare["ratio"] == 1.0
    for r in rows:
        assert r["ratio"] == pytest.approx(r["tokens_per_s"] / bare["tokens_per_s"], rel=1e-3)
    assert "–" in report.speed_table(schema2["rows"] + [{"batch": 9, "time": 9, "input": 9, "hidden": 9,
                                                        "model": "nn.GRU", "precision": "tf32", "tokens_per_s": 1}])


@pytest.mark.parametrize("which", ["old", "new"])
def test_figures_draw_for_both_schemas(which, schema2):
    data = load_results("ch05_gpu_benchmark.json") if which == "old" else schema2
    live = gpu_bench.measure_cases("cpu", [(2, 3, 4, 4)], models=("nn.GRU", "GRUCell loop"), min_run_time=0.01)
    short = report.reference_info(data)["float32_short"]
    figs = [report.plot_throughput(live, data["rows"], "live", "reference", short),
            report.plot_sweeps(schema2["sweeps"], data.get("sweeps"))]
    if data.get("deepbench"):
        figs.append(report.plot_deepbench(data["deepbench"]))
    assert all(f.axes for f in figs)
    for ax in figs[0].axes:           # a dot plot on a log axis: no bars, one dot per model and precision
        assert ax.get_yscale() == "log" and not ax.patches
        assert len(ax.get_lines()) == len(ax.get_xticklabels()) > 0
    ref_ticks = [t.get_text() for t in figs[0].axes[1].get_xticklabels()]
    assert f"nn.GRU\n{short}" in ref_ticks
    if which == "old":
        assert "nn.GRU\nfloat32 (TF32 allowed)" in ref_ticks
    plt.close("all")


def _sweep_rows(values):
    """Sweep rows of nn.GRU and the cell loop: ``values`` = {sweep: {x: (gru tokens/s, loop tokens/s)}}."""
    base = {"batch": 16, "time": 25, "input": 32, "hidden": 32}
    rows = []
    for sweep, points in values.items():
        for x, pair in points.items():
            size = {**base, sweep: x, **({"input": x} if sweep == "hidden" else {})}
            for model, tps in zip(("nn.GRU", "GRUCell loop"), pair):
                rows.append({**size, "model": model, "precision": "float32", "sweep": sweep, "tokens_per_s": tps})
    return rows


def test_sweep_noise_loop_wins_and_axis_scales():
    rows = _sweep_rows({"batch": {4: (30, 10), 16: (130, 120), 64: (380, 300)},
                        "hidden": {16: (140, 50), 32: (110, 50), 64: (100, 105)},
                        "time": {10: (120, 125), 25: (160, 126), 50: (170, 127)}})
    noise = report.sweep_noise(rows, (16, 25, 32, 32))
    assert noise["values"] == [130, 110, 160] and noise["spread"] == pytest.approx(160 / 110)
    assert report.sweep_noise(rows, (16, 25, 32, 32), ("GRUCell loop", "float32"))["spread"] == pytest.approx(2.52)
    assert report.sweep_values(rows, "time") == {10: 120, 25: 160, 50: 170}
    assert report.within_noise(170 / 120, noise["spread"]) and report.within_noise(120 / 170, noise["spread"])
    assert not report.within_noise(380 / 30, noise["spread"]) and not report.within_noise(1.1, None)
    wins = report.loop_wins(rows)
    assert [w["label"] for w in wins] == ["H = 64", "T = 10"] and wins[0]["factor"] == pytest.approx(1.05)
    summary = report.sweep_summary(rows, (16, 25, 32, 32))
    assert summary["range"]["batch"] == (4, 64) and summary["change"]["batch"] == pytest.approx(380 / 30)
    assert summary["change"]["hidden"] == pytest.approx(100 / 140)
    assert summary["beyond_noise"] == {"batch": True, "hidden": False, "time": False}
    assert summary["noise_slow"] == pytest.approx(2.52) and summary["wins_within_noise"]
    assert summary["repeats"][("nn.GRU", "float32")] == [130, 110, 160]
    text = report.noise_text(summary)
    assert "B = 16, T = 25, D = H = 32" in text and "= 1.45" in text
    assert text.endswith("at: H = 64 and T = 10") and "= 2.52" in text
    bigger = _sweep_rows({"time": {10: (100, 300), 25: (100, 100)}, "batch": {16: (100, 100)}})
    assert not report.sweep_summary(bigger, (16, 25, 32, 32))["wins_within_noise"]   # loop 3x faster: not noise
    fig = report.plot_sweeps(rows)
    scales = [ax.get_yscale() for ax in fig.axes]
    assert scales == ["log", "log", "linear"]        # the time panel spans less than 2x: linear, from 0
    assert fig.axes[2].get_ylim()[0] == 0 and "log" not in fig.axes[2].get_ylabel()
    plt.close("all")


def test_extra_host_reads_grow_only_with_a_sync_per_step():
    reads = ceiling.extra_host_reads(4, 3, 2, 4, steps=(2, 4))
    assert reads["train, DataLoader"][2] == reads["train, DataLoader"][4]       # per epoch, not per step
    grow = reads["train, host sync every step"][4] - reads["train, host sync every step"][2]
    assert grow >= 2                                                              # ≥ one more read per step
    explained = ceiling.explain(ceiling.Problem(4, 3, 2, 4, 2, "cpu"), ("bare", "train, DataLoader"))
    assert explained["train, DataLoader"]["loader_ms"] > 0 == explained["bare"]["loader_ms"]
    assert reads["bare"] == {2: 0, 4: 0}
    assert "reads@4" in report.explain_table(explained, reads)


def _world(sess, value):
    """A job for run_processes: every rank adds its rank to ``value``; all-reduce sums over ranks."""
    t = torch.tensor([float(value + sess.rank)])
    torch.distributed.all_reduce(t)
    return {"world": sess.world_size, "sum": t.item(), "backend": sess.backend}


def test_run_processes_starts_ranks_of_one_group():
    out = distributed.run_processes(_world, 2, (10,))
    assert out == {"world": 2, "sum": 21.0, "backend": "gloo"}
