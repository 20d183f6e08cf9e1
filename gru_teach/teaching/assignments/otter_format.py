"""Write the questions of a chapter as one notebook in otter-grader's "assign" format (otter-grader 7).

The notebook ``NN_name_assignment.ipynb`` holds, in order:

* a raw ``# ASSIGNMENT CONFIG`` cell (YAML): assignment name, requirements for otter's grading image, exception-based
  tests (``tests: ok_format: false``), question points shown, a check-all and an export cell;
* an introduction and a set-up cell: the book's first cell (makes ``gru_teach`` importable anywhere) and the imports
  the stubs, the solutions and the chapter's checks need;
* per question, raw ``# BEGIN QUESTION`` (``name``, ``points``) … ``# END QUESTION`` cells around the statement, a
  ``# BEGIN SOLUTION`` … ``# END SOLUTION`` block and a ``# BEGIN TESTS`` … ``# END TESTS`` block. The answer cell
  holds the book's stub between ``# BEGIN PROMPT``/``# END PROMPT`` lines (what the student receives) and the
  reference between ``# BEGIN SOLUTION NO PROMPT``/``# END SOLUTION`` lines (what only the autograder keeps). The test
  cell defines one exception-based test that calls the chapter's check through
  :func:`gru_teach.teaching.assignments.grade`.

``otter assign`` turns it into the student notebook (stubs, public tests in its metadata, ``grader.check`` cells) and
the autograder (solution notebook and ``…-autograder_….zip``); :func:`otter_assign` and :func:`otter_run` call otter's
own entry points. Only those two import otter (it is pinned in requirements.txt; the book never needs it).
"""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from .. import checking
from .questions import AssignmentError, Question, chapter_questions, chapter_title

ANSWER_TAG = "otter_answer_cell"      # otter's tag on the cells a student fills in (student notebook)


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def answer_source(q: Question) -> str:
    """The answer cell: the stub as otter's prompt (the student's starting point), then the reference solution."""
    quote = next((qt for qt in ('"""', "'''") if qt not in q.stub), None)
    if quote is None:
        raise AssignmentError(f"{q.chapter}, {q.label}: the stub holds both kinds of triple quotes")
    return (f"{quote} # BEGIN PROMPT\n{q.stub}\n{quote}; # END PROMPT\n"
            f"# BEGIN SOLUTION NO PROMPT\n{q.reference}\n# END SOLUTION\n")


def test_source(q: Question, time_limit: float | None) -> str:
    """The exception-based otter test of ``q``: the chapter's check on the student's answer, via ``grade``."""
    title = q.title.replace("\\", "\\\\").replace('"', '\\"')
    return (f"def test_{q.name}({q.answer}):\n"
            f'    """{title}: the chapter\'s own check."""\n'
            f"    from gru_teach.teaching.assignments import grade\n"
            f"    {q.check_import}\n"
            f"    grade({q.check}, {q.answer}, time_limit={time_limit!r})\n\n"
            f"test_{q.name}({q.answer})\n")


def _yaml(config: dict, indent: int = 0) -> str:
    """A small YAML writer for the config cell (nested dicts of JSON scalars)."""
    lines = []
    for key, value in config.items():
        if isinstance(value, dict):
            lines.append(" " * indent + f"{key}:")
            lines.append(_yaml(value, indent + 2))
        else:
            lines.append(" " * indent + f"{key}: {json.dumps(value)}")
    return "\n".join(lines)


def master_notebook(qs: list[Question], *, title: str, bootstrap: str, points, time_limit: float | None = None,
                    python_version: str | None = None) -> dict:
    """One chapter's questions ``qs`` as an otter "assign" notebook (a JSON-ready dict).

    ``bootstrap``: the book's first cell; ``points``: a function giving a question's points; ``time_limit``: seconds
    one call of student code may take while grading (None: the checks' default).
    """
    if not qs:
        raise AssignmentError("no questions: a chapter without auto-checked exercises has no assignment")
    chapter = qs[0].chapter
    config = {"name": chapter, "requirements": "requirements.txt"}
    if python_version:
        config["python_version"] = python_version
    config.update({"show_question_points": True, "check_all_cell": True,
                   "export_cell": {"pdf": False},
                   "generate": {"pdf": False, "show_all_public": True}, "tests": {"ok_format": False}})
    total = sum(points(q) for q in qs)
    limit = (f"{checking.TIME_LIMIT:g} s (`gru_teach.teaching.checking.TIME_LIMIT`)" if time_limit is None
             else f"{time_limit:g} s")
    intro = (f"# {title}: graded assignment\n\n"
             f"The auto-checked exercises of the chapter `{chapter}` ({len(qs)} questions, {total:g} points). Read "
             "the chapter first: the questions use its notation and its names. Write each answer in the cell below "
             "its question, where the stub is, then run the `grader.check` cell after it: it runs the chapter's own "
             "check and shows the same message as the chapter. While grading, one call of your code may take at "
             f"most {limit}; code that runs longer loses that question's points.")
    cells = [_cell("raw", "# ASSIGNMENT CONFIG\n" + _yaml(config)),
             _cell("markdown", intro),
             _cell("code", bootstrap.rstrip("\n") + "\n\n" + "\n".join(setup_imports(qs)))]
    for number, q in enumerate(qs, 1):
        cells += [
            _cell("raw", f"# BEGIN QUESTION\nname: {q.name}\npoints: {points(q)}"),
            _cell("markdown", f"## Question {number}: {q.title}\n\n{q.statement}"),
            _cell("raw", "# BEGIN SOLUTION"), _cell("code", answer_source(q)), _cell("raw", "# END SOLUTION"),
            _cell("raw", "# BEGIN TESTS"), _cell("code", test_source(q, time_limit)), _cell("raw", "# END TESTS"),
            _cell("raw", "# END QUESTION"),
        ]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 4,
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}}}


def setup_imports(qs: list[Question]) -> list[str]:
    """The imports of the set-up cell: what the stubs and solutions use, then the chapter's checks."""
    return list(dict.fromkeys([i for q in qs for i in q.imports] + [q.check_import for q in qs]))


def needs_torch(import_lines) -> bool:
    """Whether running ``import_lines`` imports PyTorch (checked in a fresh interpreter)."""
    code = "import sys\nfor line in sys.argv[1:]: exec(line)\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code, *import_lines], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssignmentError(f"the chapter's imports failed:\n{done.stderr.strip()}")
    return done.stdout.strip() == "True"


def requirements(repository_url: str, torch: bool = False) -> str:
    """requirements.txt for otter's grading image (Gradescope, ``otter grade``): gru_teach from the book's
    repository, with the CPU build of PyTorch when the checks need it. ``otter run`` does not read it."""
    lines = ["# installed by otter's grading image next to otter-grader's own requirements; `otter run` uses the",
             "# environment it runs in instead"]
    if torch:
        lines += ["--extra-index-url https://download.pytorch.org/whl/cpu", "torch"]
    return "\n".join(lines + [f"gru_teach @ git+{repository_url.rstrip('/')}"]) + "\n"


def write_assignments(book_dir, out_dir, *, bootstrap: str, repository_url: str, points,
                      time_limit: float | None = None, python_version: str | None = None) -> dict[str, list]:
    """For every chapter ``NN_*.ipynb`` in ``book_dir`` with auto-checked exercises, write
    ``out_dir/NN_name/NN_name_assignment.ipynb`` and its ``requirements.txt``. Returns the questions by
    master-notebook path."""
    written = {}
    for path in sorted(pathlib.Path(book_dir).glob("[0-9][0-9]_*.ipynb")):
        qs = chapter_questions(path)
        if not qs:
            continue
        folder = pathlib.Path(out_dir) / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        master = folder / f"{path.stem}_assignment.ipynb"
        nb = master_notebook(qs, title=chapter_title(path), bootstrap=bootstrap, points=points,
                             time_limit=time_limit, python_version=python_version)
        master.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        (folder / "requirements.txt").write_text(requirements(repository_url, needs_torch(setup_imports(qs))),
                                                 encoding="utf-8")
        written[str(master)] = qs
    return written


def otter_assign(master, dist, *, run_tests: bool = True) -> None:
    """``otter assign MASTER DIST``: the student and autograder versions of ``master`` into ``dist``; with
    ``run_tests``, otter also grades the solution notebook and raises unless it gets full marks."""
    from otter.assign import main as assign   # otter-grader (requirements.txt); the book itself never needs it
    assign(str(master), str(dist), no_pdfs=True, no_run_tests=not run_tests)


def otter_run(submission, autograder_zip, out_dir) -> dict[str, dict]:
    """``otter run -a AUTOGRADER_ZIP -o OUT_DIR SUBMISSION`` (local grading, no Docker): the results by question
    name, each with ``score``, ``max_score`` and ``output`` (otter's feedback text), read from OUT_DIR/results.json."""
    from otter.run import main as run
    try:
        run(str(submission), autograder=str(autograder_zip), output_dir=str(out_dir), no_logo=True)
    except RuntimeError as err:
        # Now and then (2 of about 20 test runs here, with two gradings starting side by side) a fresh kernel
        # does not answer within otter's 60 s start-up timeout, although nothing is slow; a likely cause is two
        # kernels racing for the ports jupyter_client picked for them. Grading once more, with a new kernel, is
        # what a teacher would do; any other failure is raised as it is.
        if "Kernel didn't respond" not in str(err):
            raise
        run(str(submission), autograder=str(autograder_zip), output_dir=str(out_dir), no_logo=True)
    tests = json.loads((pathlib.Path(out_dir) / "results.json").read_text(encoding="utf-8"))["tests"]
    return {t["name"]: t for t in tests if "max_score" in t}


def fill_answers(student_nb: dict, answers: dict[str, str], qs: list[Question]) -> dict:
    """A submission: the student notebook (from ``otter assign``) with the answer cells of the questions named in
    ``answers`` replaced by the given code (the other answer cells keep their stubs)."""
    cells = [c for c in student_nb["cells"] if ANSWER_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != len(qs):
        raise AssignmentError(f"the student notebook has {len(cells)} answer cells for {len(qs)} questions")
    unknown = set(answers) - {q.name for q in qs}
    if unknown:
        raise AssignmentError(f"no question named {sorted(unknown)}; the questions are {[q.name for q in qs]}")
    out = json.loads(json.dumps(student_nb))
    answer_cells = [c for c in out["cells"] if ANSWER_TAG in c.get("metadata", {}).get("tags", [])]
    for cell, q in zip(answer_cells, qs):
        if "".join(cell["source"]).strip() != q.stub.strip():
            raise AssignmentError(f"answer cell of {q.name} does not hold its stub:\n{''.join(cell['source'])}")
        if q.name in answers:
            cell["source"] = answers[q.name]
    return out
