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


def test_missing_file_gets_a_clear_message_or_none(capsys):
    with pytest.raises(data.ResultsMissing, match="ships no results file 'nope.json'.*ch01_adding.json"):
        data.load_results("nope.json")
    assert data.load_results("nope.json", required=False) is None
    assert "ships no results file 'nope.json'" in capsys.readouterr().out
    with pytest.raises(data.ResultsMissing) as info:
        data.load_results("nope.json")
    assert info.value._render_traceback_() == [f"❌ ResultsMissing: {info.value}"]   # one line in a notebook
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


def test_every_results_file_names_a_command_a_reader_can_run():
    """The printed command is the module as it is named today, with no path of the machine that ran it."""
    import importlib.util
    import shlex
    for name in data.available():
        words = shlex.split(data.load_results(name)["provenance"]["command"])
        assert words[:2] == ["python", "-m"], (name, words)
        spec = importlib.util.find_spec(words[2])
        assert spec is not None, f"{name}: no module {words[2]}"
        if spec.submodule_search_locations is not None:     # a package runs only through its __main__
            assert importlib.util.find_spec(words[2] + ".__main__"), f"{name}: {words[2]} cannot be run with -m"
        absolute = [w for w in words if w.startswith(("/", "~")) or ":\\" in w]
        assert not absolute, f"{name}: the command shows a path of the machine that ran it: {absolute}"


def test_command_line_leaves_out_the_machine_s_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["--json", "/root/out/x.json", f"--out={tmp_path}/sub/y.json", "--T", "10"]
    assert data.command_line("gru_teach.bench.cpu", argv) == \
        "python -m gru_teach.bench.cpu --json x.json --out=sub/y.json --T 10"
