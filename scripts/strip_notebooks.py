#!/usr/bin/env python3
"""Strip outputs and execution counts from notebooks, in place (standard library only).

    python scripts/strip_notebooks.py              # every notebook under book/
    python scripts/strip_notebooks.py a.ipynb ...  # the given notebooks
    python scripts/strip_notebooks.py --check      # exit 1 (and list them) if any notebook has outputs

Cell metadata (tags such as hide-input) and notebook metadata are kept; only outputs, execution counts and the
per-cell `execution` timing metadata that JupyterLab records are removed.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def strip(nb):
    """Return True when `nb` (a notebook dict) was changed."""
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                changed = True
            if cell.get("execution_count") is not None:
                changed = True
            cell["outputs"] = []
            cell["execution_count"] = None
        if "execution" in cell.get("metadata", {}):
            del cell["metadata"]["execution"]
            changed = True
    return changed


def main(argv):
    check = "--check" in argv
    paths = [pathlib.Path(a) for a in argv if a != "--check"]
    if not paths:
        paths = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        if strip(nb):
            dirty.append(path)
            if not check:
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    verb = "has outputs" if check else "stripped"
    for path in dirty:
        print(f"{verb}: {path}")
    return 1 if (check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
