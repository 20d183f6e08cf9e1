"""The student version removes every solution and keeps the exercises."""
import json
import pathlib
import subprocess
import sys

import pytest

from gru_teach import teaching

ROOT = pathlib.Path(__file__).resolve().parents[1]
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
    out, removed = teaching.strip_solutions(nb)
    assert removed == 5
    assert [c["source"][:10] for c in out["cells"]] == ["```{exerci", "def stub()", "## Summary"]
    assert out["cells"][1]["outputs"] == [] and out["cells"][1]["execution_count"] is None


def test_unbalanced_solution_blocks_are_reported():
    with pytest.raises(ValueError, match="never closed"):
        teaching.strip_solutions({"cells": [md("```{solution-start} e1\n```")]})
    with pytest.raises(ValueError, match="without a"):
        teaching.strip_solutions({"cells": [md("```{solution-end}\n```")]})


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_every_chapter_has_exercises_whose_solutions_are_removed(tmp_path):
    run = subprocess.run([sys.executable, "scripts/student_version.py", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for path in CHAPTERS:
        original = json.loads(path.read_text(encoding="utf-8"))
        student = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in student["cells"])
        assert "{exercise}" in text, f"{path.name} has no exercises"
        assert "{solution" not in text, f"{path.name}: a solution survived"
        assert len(student["cells"]) < len(original["cells"]), f"{path.name}: no solution was removed"


def test_exercise_index_finds_exercises_and_their_checks(tmp_path):
    nb = {"cells": [
        md("```{exercise} Count parameters\n:label: ch9-count\nHow many?\n```"),
        code("check_count(my_answer)"),
        md("```{solution} ch9-count\n:class: dropdown\n3H(I+H+2)\n```"),
        md(":::{exercise} Derive\n:label: ch9-derive\n:::"),
        code("x = 1"),
    ]}
    (tmp_path / "09_demo.ipynb").write_text(json.dumps(nb))
    (tmp_path / "intro.ipynb").write_text(json.dumps(nb))  # not a chapter: ignored
    rows = teaching.exercise_index(tmp_path)
    assert rows == [
        {"chapter": "09_demo", "label": "ch9-count", "title": "Count parameters", "checks": ["check_count"],
         "solution": True},
        {"chapter": "09_demo", "label": "ch9-derive", "title": "Derive", "checks": [], "solution": False},
    ]


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_every_chapter_has_four_exercises_two_auto_checked():
    """Per chapter: a chapter is one notebook NN_name, or several section notebooks NN_a, NN_b … sharing NN."""
    rows = teaching.exercise_index(ROOT / "book")
    for number in sorted({path.name[:2] for path in CHAPTERS}):
        mine = [r for r in rows if r["chapter"][:2] == number]
        assert len(mine) >= 4, f"chapter {number}: {len(mine)} exercises, the book promises at least 4"
        assert sum(bool(r["checks"]) for r in mine) >= 2, f"chapter {number}: fewer than 2 auto-checked exercises"
        assert all(r["label"] for r in mine), f"chapter {number}: every exercise needs a :label:"
    for path in CHAPTERS:
        assert any(r["chapter"] == path.stem for r in rows), f"{path.name}: a section without exercises"


def test_exercise_table_lists_every_row_and_marks_unchecked_ones():
    rows = [{"chapter": "01_x", "label": "a", "title": "A", "checks": ["check_a"], "solution": True},
            {"chapter": "01_x", "label": "b", "title": "B", "checks": [], "solution": False}]
    table = teaching.exercise_table(rows).splitlines()
    assert len(table) == 4
    assert "`check_a`" in table[2] and "dropdown" in table[2] and "open-ended" in table[3]
    assert teaching.book_dir().name == "book"
