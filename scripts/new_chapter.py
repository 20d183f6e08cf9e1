#!/usr/bin/env python3
"""Create a new chapter notebook with the standard first cells (standard library only).

    python scripts/new_chapter.py 02_gru_cell "The GRU cell, traced number by number"

writes book/02_gru_cell.ipynb (without outputs) and prints the _toc.yml line to add.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = (ROOT / "scripts" / "bootstrap_cell.ipy").read_text(encoding="utf-8").rstrip("\n")


def source(text):
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def notebook(title):
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": source(
                f"# {title}\n\nAfter this chapter you will be able to:\n\n- ...")},
            {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["hide-input"]},
             "outputs": [], "source": source(BOOTSTRAP)},
            {"cell_type": "markdown", "metadata": {}, "source": source("## Summary\n\n- ...")},
            {"cell_type": "markdown", "metadata": {}, "source": source("## Exercises\n\n...")},
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    name, title = argv
    path = ROOT / "book" / f"{name}.ipynb"
    if path.exists():
        print(f"{path} exists already")
        return 1
    nb = notebook(title)
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"{name[:20]}-{i}".replace("_", "-")
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"created {path.relative_to(ROOT)}; now add it to _toc.yml:\n      - file: book/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
