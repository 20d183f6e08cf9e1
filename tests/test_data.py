"""gru_teach.data: committed results ship inside the package and load without the book beside them."""
import json

import pytest

from gru_teach import data


def test_every_committed_results_file_loads_and_carries_provenance():
    names = data.available()
    assert {"ch01_adding.json", "ch01_exercise.json", "ch03_bench.json", "ch05_gpu_benchmark.json"} <= set(names)
    for name in names:
        result = data.load_results(name)
        assert "command" in result["provenance"] and "python -m gru_teach." in result["provenance"]["command"]


def test_missing_file_gets_a_clear_message_or_none():
    with pytest.raises(data.ResultsMissing, match="ships no results file 'nope.json'.*ch01_adding.json"):
        data.load_results("nope.json")
    assert data.load_results("nope.json", required=False) is None
    with pytest.raises(ValueError, match="ending in .json"):
        data.load_results("ch01_adding")


def test_load_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert data.load_results("ch01_adding.json")["records"]


def test_save_requires_provenance_and_writes_json(tmp_path):
    with pytest.raises(ValueError, match="provenance"):
        data.save_results({"rows": []}, tmp_path / "x.json", "x.json")
    result = {"provenance": data.provenance("python -m gru_teach.x", 1.23, device="cpu"), "rows": [1]}
    path = data.save_results(result, tmp_path / "sub" / "x.json", "x.json")
    back = json.loads(path.read_text())
    assert back["provenance"]["seconds"] == 1.2 and back["provenance"]["device"] == "cpu"
    assert {"date", "python", "numpy", "machine"} <= set(back["provenance"])
