"""Tools for teachers: the student version of the notebooks and an index of the exercises.

Exercises are written with sphinx-exercise. A solution is either a ``{solution}`` directive in a markdown cell,
or a ``{solution-start}`` … ``{solution-end}`` pair enclosing code cells; code cells tagged ``solution`` are
solutions too. :func:`strip_solutions` removes all three, line by line: an exercise that shares its markdown
cell with its solution keeps its statement. :func:`exercise_index` lists every exercise.
"""
from __future__ import annotations

import json
import pathlib
import re

EXERCISE = re.compile(r"^[`:]{3,}\{exercise\}\s*(?P<title>.*)\n(?::label:\s*(?P<label>\S+))?", re.M)
CHECK_CALL = re.compile(r"\b(check_\w+)\(")
SOLUTION_LABEL = re.compile(r"^[`:]{3,}\{solution(?:-start)?\}\s*(\S+)", re.M)
#: the opening line of a MyST directive: up to 3 spaces, a fence of ≥ 3 backticks or colons, {name}
DIRECTIVE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a directive opened with ``fence`` (same character, at least as long)."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _strip_markdown(text: str, inside: bool) -> tuple[str, bool, int]:
    """Remove the solution parts of one markdown cell.

    ``inside``: the cell starts inside a ``{solution-start}`` … ``{solution-end}`` block. Returns the text that
    stays, whether the cell ends inside such a block, and the number of solutions that end in this cell.
    """
    kept, skip_until, solutions = [], None, 0
    for line in text.splitlines(keepends=True):
        if skip_until is not None:                    # inside the fences of a directive being removed
            if _closes(line, skip_until):
                skip_until = None
            continue
        match = DIRECTIVE.match(line)
        name = match["name"] if match else None
        if name in ("solution", "solution-start", "solution-end"):
            if name == "solution-end" and not inside:
                raise ValueError("a {solution-end} cell without a {solution-start} cell before it")
            skip_until = match["fence"]
            inside = name == "solution-start"
            solutions += name != "solution-start"
            continue
        if not inside:
            kept.append(line)
    return "".join(kept), inside, solutions


def strip_solutions(nb: dict) -> tuple[dict, int]:
    """A copy of the notebook without solutions and with outputs cleared; also the number of solutions removed.

    Markdown cells lose only their solution lines (a cell left empty is dropped); code cells inside a
    ``{solution-start}`` … ``{solution-end}`` block or tagged ``solution`` are dropped.
    """
    kept, inside, removed = [], False, 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text, inside, solutions = _strip_markdown(_text(cell), inside)
            removed += solutions
            if text.strip():
                kept.append(cell if text == _text(cell) else
                            {**cell, "source": text.rstrip("\n").splitlines(keepends=True)})
            continue
        if inside or "solution" in cell.get("metadata", {}).get("tags", []):
            removed += not inside      # a tagged cell outside a block is a solution of its own
            continue
        if cell["cell_type"] == "code":
            cell = {**cell, "outputs": [], "execution_count": None}
        kept.append(cell)
    if inside:
        raise ValueError("a {solution-start} cell is never closed by {solution-end}")
    return {**nb, "cells": kept}, removed


def exercise_index(book_dir) -> list[dict]:
    """Every exercise of the chapters ``NN_*.ipynb`` in ``book_dir``, in order.

    Each entry: chapter (file stem), label, title, ``checks``: the auto-check functions (``check_…(``)
    called in the code cells the student keeps after the exercise, before the next one (empty when not
    auto-checked; calls inside solutions do not count), and ``solution``: whether a solution with the
    exercise's label exists.
    """
    rows = []
    for path in sorted(pathlib.Path(book_dir).glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        solved = {label for cell in nb["cells"] if cell["cell_type"] == "markdown"
                  for label in SOLUTION_LABEL.findall(_text(cell))}
        current = None
        for cell in strip_solutions(nb)[0]["cells"]:
            text = _text(cell)
            match = EXERCISE.search(text) if cell["cell_type"] == "markdown" else None
            if match:
                current = {"chapter": path.stem, "label": match["label"] or "",
                           "title": match["title"].strip(), "checks": []}
                current["solution"] = current["label"] in solved
                rows.append(current)
            elif current is not None and cell["cell_type"] == "code":
                current["checks"] += [c for c in CHECK_CALL.findall(text) if c not in current["checks"]]
    return rows


def write_student_version(book_dir, out_dir) -> dict[str, int]:
    """Write solution-free copies of the chapters into ``out_dir``; return the solutions removed per notebook."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    removed = {}
    for path in sorted(pathlib.Path(book_dir).glob("[0-9][0-9]_*.ipynb")):
        nb, removed[path.name] = strip_solutions(json.loads(path.read_text(encoding="utf-8")))
        (out / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return removed


def book_dir() -> pathlib.Path:
    """The ``book/`` folder of the clone this package lives in, else the current folder (e.g. on Colab)."""
    here = pathlib.Path(__file__).resolve().parents[2] / "book"
    return here if here.is_dir() else pathlib.Path.cwd()


def exercise_table(rows: list[dict]) -> str:
    """The exercise index as a Markdown table (chapter number, exercise, label, auto-check, solution).

    The chapter is given by its number ("01_vanishing_gradients" -> 1, as in the book's navigation), so that
    the table fits the page's text column."""
    if not rows:
        return ("*No chapter notebooks (`NN_name.ipynb`) were found beside this notebook: open it from a clone "
                "of the book to see the table.*")
    lines = ["| Ch. | Exercise | Label | Auto-check | Solution |", "|---|---|---|---|---|"]
    for r in rows:
        chapter = r["chapter"].split("_", 1)[0]
        chapter = str(int(chapter)) if chapter.isdigit() else r["chapter"]
        checks = ", ".join(f"`{c}`" for c in r["checks"]) or "—"
        solution = "in a dropdown" if r.get("solution") else "none (open-ended)"
        lines.append(f"| {chapter} | {r['title']} | `{r['label']}` | {checks} | {solution} |")
    return "\n".join(lines)
