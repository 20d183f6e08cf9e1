"""Write the student version of every chapter: the same notebooks with the exercise solutions removed.

Removed: code cells tagged ``solution``; markdown cells holding a ``{solution}`` directive; and everything from
a ``{solution-start}`` cell to its ``{solution-end}`` cell. Outputs are cleared. Usage::

    python scripts/student_version.py [OUT_DIR]        # default: _build/student
"""
from __future__ import annotations

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTION = re.compile(r"^[`:]{3,}\{solution\}", re.M)
START = re.compile(r"^[`:]{3,}\{solution-start\}", re.M)
END = re.compile(r"^[`:]{3,}\{solution-end\}", re.M)


def strip_solutions(nb: dict) -> tuple[dict, int]:
    """Return a copy of the notebook without solutions, and how many cells were removed."""
    kept, inside, removed = [], False, 0
    for cell in nb["cells"]:
        text = "".join(cell.get("source", ""))
        is_md = cell["cell_type"] == "markdown"
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


def main(out_dir: str | None = None) -> int:
    out = pathlib.Path(out_dir or ROOT / "_build" / "student")
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        nb, removed = strip_solutions(json.loads(path.read_text(encoding="utf-8")))
        (out / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.name}: {removed} solution cells removed")
    print(f"student notebooks in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
