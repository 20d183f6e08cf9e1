"""gru_teach.bench.cpu runs and reports a well-formed table (tiny sizes; no timing assertions)."""
import json

import pytest

from gru_teach.bench import cpu as bench


def test_measure_returns_both_passes_with_positive_times():
    rows = bench.measure(2, 3, 4, 5, "float64", min_run_time=0.01)
    assert [r["pass"] for r in rows] == ["forward", "forward+backward"]
    for r in rows:
        assert (r["B"], r["T"], r["D"], r["H"], r["dtype"]) == (2, 3, 4, 5, "float64")
        assert r["numpy_ms"] > 0 and r["torch_ms"] > 0
        assert abs(r["ratio"] - r["torch_ms"] / r["numpy_ms"]) < 1e-9


def test_main_prints_the_table_and_writes_json_with_provenance(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert bench.main(["--quick", "--dtypes", "float32", "--json", str(path)]) == 0
    text = capsys.readouterr().out
    assert "forward+backward" in text and "ratio" in text
    data = json.loads(path.read_text())
    assert len(data["rows"]) == 2 and data["rows"][0]["dtype"] == "float32"
    prov = data["provenance"]
    assert prov["threads"] == 1 and prov["command"].startswith("python -m gru_teach.bench.cpu")
    assert {"numpy", "torch", "cpu", "date_utc", "numpy_blas"} <= set(prov)


def test_limit_blas_threads_is_restored():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    with bench.limit_blas_threads(1):
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before


def test_best_time_is_the_fastest_call():
    calls = []

    def f():
        calls.append(1)

    t = bench.best_time(f, repeat=5)
    assert len(calls) == 5 and 0 <= t < 0.1


def test_layer_speed_measures_each_cell():
    from gru_teach.bench.cells import layer_speed

    speeds = layer_speed(batch=2, time=3, input_size=4, hidden_size=4, min_run_time=0.01)
    assert set(speeds) == {"RNN", "GRU", "LSTM"} and all(s > 0 for s in speeds.values())
    with pytest.raises(ValueError, match="cell must be one of"):
        layer_speed(("Transformer",))


def test_gru_vs_lstm_pairs_the_committed_gpu_rows():
    from gru_teach.bench.cells import gru_vs_lstm
    from gru_teach.data import load_results

    rows = load_results("ch05_gpu_benchmark.json")["rows"]
    pairs = gru_vs_lstm(rows)
    assert len(pairs) == 6                                 # 3 sizes x 2 precisions
    for p in pairs:
        assert p["predicted"] == pytest.approx(4 / 3)
        assert p["speedup"] == pytest.approx(p["gru"] / p["lstm"])
    assert gru_vs_lstm([{"model": "nn.GRU", "batch": 1, "time": 1, "input": 1, "hidden": 1,
                         "precision": "float32", "tokens_per_s": 5}]) == []


def test_layer_speed_can_switch_onednn_off_and_restores_it():
    import torch

    from gru_teach.bench.cells import layer_speed

    before = torch.backends.mkldnn.enabled
    speeds = layer_speed(("LSTM",), batch=2, time=3, input_size=4, hidden_size=4, min_run_time=0.01, onednn=False)
    assert speeds["LSTM"] > 0 and torch.backends.mkldnn.enabled == before
