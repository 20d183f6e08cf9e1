"""The student version removes every solution and keeps the exercises."""
import ast
import json
import pathlib
import re
import subprocess
import sys

import pytest

from gru_teach import teaching
from notebooks import python_tree

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
    assert removed == 3
    assert [c["source"][:10] for c in out["cells"]] == ["```{exerci", "def stub()", "## Summary"]
    assert out["cells"][1]["outputs"] == [] and out["cells"][1]["execution_count"] is None


def test_a_statement_sharing_its_cell_with_the_solution_stays():
    nb = {"cells": [
        md("```{exercise} A\n:label: a\nStatement A.\n```\n\n````{solution} a\n:class: dropdown\n"
           "Answer A, with code:\n```python\nx = 1\n```\nstill the answer.\n````\nAfter A."),
        md(":::{exercise} B\n:label: b\nStatement B.\n:::\n\n```{solution-start} b\n:class: dropdown\n```\n"
           "Answer B begins."),
        code("answer_b = 2"),
        md("Answer B ends.\n```{solution-end}\n```\nAfter B."),
        md("```{solution-start} b\n```\nonly solution"),
        md("```{solution-end}\n```"),
    ]}
    out, removed = teaching.strip_solutions(nb)
    texts = ["".join(c["source"]) for c in out["cells"]]
    assert removed == 3
    assert texts == ["```{exercise} A\n:label: a\nStatement A.\n```\n\nAfter A.",
                     ":::{exercise} B\n:label: b\nStatement B.\n:::",
                     "After B."]


def test_unbalanced_solution_blocks_are_reported():
    with pytest.raises(ValueError, match="never closed"):
        teaching.strip_solutions({"cells": [md("```{solution-start} e1\n```")]})
    with pytest.raises(ValueError, match="without a"):
        teaching.strip_solutions({"cells": [md("```{solution-end}\n```")]})


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    run = subprocess.run([sys.executable, "scripts/student_version.py", str(out)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


def _solution_code(nb):
    """The sources of the code cells that are solutions (tagged, or between solution-start and -end)."""
    inside, found = False, []
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for marker in re.findall(r"\{solution-(start|end)\}", text):
                inside = marker == "start"
        elif inside or "solution" in cell["metadata"].get("tags", []):
            found.append(text)
    return found


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_of_the_instructor_table_is_in_the_student_version(path, student_dir):
    """Same exercises (label, title, statement, auto-checks) in the same order; no solution left."""
    teacher = [r for r in teaching.exercise_index(ROOT / "book") if r["chapter"] == path.stem]
    student = [r for r in teaching.exercise_index(student_dir) if r["chapter"] == path.stem]
    assert teacher, f"{path.name} has no exercises"
    strip = [{k: v for k, v in r.items() if k != "solution"} for r in teacher]
    assert [{k: v for k, v in r.items() if k != "solution"} for r in student] == strip, (
        f"{path.name}: {len(teacher)} exercises for the teacher, {len(student)} in the student version")
    assert not any(r["solution"] for r in student), f"{path.name}: a solution survived"

    original = json.loads(path.read_text(encoding="utf-8"))
    copy = json.loads((student_dir / path.name).read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in copy["cells"])
    assert "{solution" not in text, f"{path.name}: a solution directive survived"
    statements = [m.group(0) for c in original["cells"] if c["cell_type"] == "markdown"
                  for m in re.finditer(r"^([`:]{3,})\{exercise\}.*?^\1$", "".join(c["source"]), re.M | re.S)]
    assert len(statements) == len(teacher)
    for statement in statements:
        assert statement in text, f"{path.name}: the statement was cut:\n{statement}"
    assert any(r["solution"] for r in teacher), f"{path.name}: no exercise has a solution to remove"
    solutions = _solution_code(original)   # some sections have worked solutions in prose only
    kept_code = ["".join(c["source"]) for c in copy["cells"] if c["cell_type"] == "code"]
    assert not set(solutions) & set(kept_code), f"{path.name}: solution code survived"


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_version_uses_no_name_that_only_a_solution_defines(path, student_dir):
    """A cell that stays must not need a variable, function or import that only a removed solution provides
    (that would crash the student's notebook; the full run is scripts/standalone_notebooks.py --student)."""
    original = json.loads(path.read_text(encoding="utf-8"))
    copy = json.loads((student_dir / path.name).read_text(encoding="utf-8"))
    kept = {"".join(c["source"]) for c in copy["cells"] if c["cell_type"] == "code"}
    defined_by_kept, only_in_solutions, missing = set(), set(), []
    for cell in original["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = python_tree(cell)
        defined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        defined |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        if source in kept:
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            missing += sorted((used & only_in_solutions) - defined_by_kept)
            defined_by_kept |= defined
        else:
            only_in_solutions |= defined - defined_by_kept
    assert not missing, f"{path.name}: kept cells use names defined only in solutions: {missing}"


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
    assert table[2].startswith("| 1 | A |")   # the chapter by its number: the table fits the text column
    assert "`check_a`" in table[2] and "dropdown" in table[2] and "open-ended" in table[3]
    assert teaching.book_dir().name == "book"
    assert "No chapter notebooks" in teaching.exercise_table([])
