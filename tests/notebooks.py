"""The notebooks as the tests read them (shared by test_student_version.py, test_standalone.py, test_binder.py)."""
import ast
import json
import pathlib
import sys

from IPython.core.inputtransformer2 import TransformerManager

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def load(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def python_tree(cell) -> ast.Module:
    """The code cell as Python, as IPython runs it (``%pip …`` becomes a get_ipython() call)."""
    return ast.parse(TransformerManager().transform_cell(source(cell)))


def imported_modules(paths=NOTEBOOKS) -> dict[str, list[str]]:
    """Top-level modules imported by the code cells of ``paths`` (not the standard library) -> notebooks."""
    found = {}
    for path in paths:
        for cell in load(path)["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(python_tree(cell)):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names:
                        found.setdefault(top, [])
                        if path.name not in found[top]:
                            found[top].append(path.name)
    return found
