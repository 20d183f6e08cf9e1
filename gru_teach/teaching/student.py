"""Tools for teachers: the student version of the notebooks and an index of the exercises.

Exercises are written with sphinx-exercise. A solution is either a ``{solution}`` directive in a markdown cell,
or a ``{solution-start}`` … ``{solution-end}`` pair enclosing code cells; code cells tagged ``solution`` are
solutions too. :func:`strip_solutions` removes all three; :func:`exercise_index` lists every exercise.
"""
from __future__ import annotations

import json
import pathlib
import re

SOLUTION = re.compile(r"^[`:]{3,}\{solution\}", re.M)
START = re.compile(r"^[`:]{3,}\{solution-start\}", re.M)
END = re.compile(r"^[`:]{3,}\{solution-end\}", re.M)
EXERCISE = re.compile(r"^[`:]{3,}\{exercise\}\s*(?P<title>.*)\n(?::label:\s*(?P<label>\S+))?", re.M)
CHECK_CALL = re.compile(r"\b(check_\w+)\(")
SOLUTION_LABEL = re.compile(r"^[`:]{3,}\{solution(?:-start)?\}\s*(\S+)", re.M)


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def strip_solutions(nb: dict) -> tuple[dict, int]:
    """A copy of the notebook without solutions and with outputs cleared; also the number of cells removed."""
    kept, inside, removed = [], False, 0
    for cell in nb["cells"]:
        text, is_md = _text(cell), cell["cell_type"] == "markdown"
        if is_md and START.search(text):
            inside = True
        drop = inside or "solution" in cell.get("metadata", {}).get("tags", []) or (is_md and SOLUTION.search(text))
        if is_md and END.search(text):
            if not inside:
                raise ValueError("a {solution-end} cell without a {solution-start} cell before it")
            inside = False
        if drop:
            removed += 1
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
    called in the code cells that follow the exercise, before the next one (empty when not auto-checked),
    and ``solution``: whether a solution with the exercise's label exists.
    """
    rows = []
    for path in sorted(pathlib.Path(book_dir).glob("[0-9][0-9]_*.ipynb")):
        current, solved = None, set()
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = _text(cell)
            if cell["cell_type"] == "markdown":
                solved.update(SOLUTION_LABEL.findall(text))
            match = EXERCISE.search(text) if cell["cell_type"] == "markdown" else None
            if match:
                current = {"chapter": path.stem, "label": match["label"] or "",
                           "title": match["title"].strip(), "checks": []}
                rows.append(current)
            elif current is not None and cell["cell_type"] == "code":
                current["checks"] += [c for c in CHECK_CALL.findall(text) if c not in current["checks"]]
        for row in rows:
            if row["chapter"] == path.stem:
                row["solution"] = row["label"] in solved
    return rows


def write_student_version(book_dir, out_dir) -> dict[str, int]:
    """Write solution-free copies of the chapters into ``out_dir``; return the cells removed per notebook."""
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
    lines = ["| Ch. | Exercise | Label | Auto-check | Solution |", "|---|---|---|---|---|"]
    for r in rows:
        chapter = r["chapter"].split("_", 1)[0]
        chapter = str(int(chapter)) if chapter.isdigit() else r["chapter"]
        checks = ", ".join(f"`{c}`" for c in r["checks"]) or "—"
        solution = "in a dropdown" if r.get("solution") else "none (open-ended)"
        lines.append(f"| {chapter} | {r['title']} | `{r['label']}` | {checks} | {solution} |")
    return "\n".join(lines)
