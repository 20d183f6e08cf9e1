"""gru_teach.bench.cpu runs and reports a well-formed table (tiny sizes; no timing assertions)."""
import json

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
