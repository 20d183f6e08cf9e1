"""The student version removes every solution and keeps the exercises."""
import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("student_version", ROOT / "scripts" / "student_version.py")
student_version = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_version)
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, tags=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text, "outputs": [1],
            "execution_count": 3}


def test_strip_solutions_removes_all_three_forms():
    nb = {"cells": [
        md("```{exercise} One\n:label: e1\nDo it.\n```"),
        code("def stub(): ...  # your code"),
        md("```{solution} e1\n:class: dropdown\nThe answer.\n```"),
        md("```{solution-start} e1\n:class: dropdown\n```"),
        code("def answer(): return 1"),
        md("```{solution-end}\n```"),
        code("secret = 42", tags=["solution"]),
        md("## Summary"),
    ]}
    out, removed = student_version.strip_solutions(nb)
    assert removed == 5
    assert [c["source"][:10] for c in out["cells"]] == ["```{exerci", "def stub()", "## Summary"]
    assert out["cells"][1]["outputs"] == [] and out["cells"][1]["execution_count"] is None


def test_unbalanced_solution_blocks_are_reported():
    with pytest.raises(ValueError, match="never closed"):
        student_version.strip_solutions({"cells": [md("```{solution-start} e1\n```")]})
    with pytest.raises(ValueError, match="without a"):
        student_version.strip_solutions({"cells": [md("```{solution-end}\n```")]})


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_every_chapter_has_exercises_whose_solutions_are_removed(tmp_path):
    assert student_version.main(str(tmp_path)) == 0
    for path in CHAPTERS:
        original = json.loads(path.read_text(encoding="utf-8"))
        student = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in student["cells"])
        assert "{exercise}" in text, f"{path.name} has no exercises"
        assert "{solution" not in text, f"{path.name}: a solution survived"
        assert len(student["cells"]) < len(original["cells"]), f"{path.name}: no solution was removed"
