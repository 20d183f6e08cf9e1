"""Every notebook runs on its own (Colab, a student's folder): it imports only what such a kernel has, reads
results only from the package, and the standalone runner really runs it away from the repository.

The full run of every notebook as a standalone copy is the notebook stage of scripts/test.sh
(scripts/standalone_notebooks.py); here its mechanism is tested on a small notebook.
"""
import ast
import importlib.metadata as md
import json
import re
import subprocess
import sys
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from notebooks import BOOK, NOTEBOOKS, ROOT, imported_modules, load, python_tree

BOOTSTRAP = (ROOT / "scripts" / "bootstrap_cell.ipy").read_text(encoding="utf-8")


def closure(names) -> set[str]:
    """The distributions ``names`` need, transitively (as installed here; extras not requested are skipped)."""
    env, seen, todo = default_environment(), set(), [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def test_notebooks_import_only_what_a_kernel_with_gru_teach_has():
    """On Colab, `pip install git+URL` brings gru_teach and its declared dependencies, and any kernel has
    ipykernel's; a notebook importing anything else (e.g. myst_nb, which only the build has) stops there."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r).name for r in project["dependencies"]]
    declared += [Requirement(r).name for extra in project["optional-dependencies"].values() for r in extra]
    available = closure(["ipykernel", *declared]) | {"gru-teach"}
    providers = md.packages_distributions()
    outside = {module: notebooks for module, notebooks in imported_modules().items()
               if not {canonicalize_name(d) for d in providers.get(module, [module])} & available}
    assert not outside, (f"imported by notebooks but neither a dependency of gru_teach nor of ipykernel: {outside}; "
                         "declare it in pyproject.toml or reach it through gru_teach (see gru_teach.teaching.glue)")


def test_notebooks_read_results_files_only_through_load_results():
    """A .json name in a notebook is only ever the argument of load_results (the package data), never a path."""
    for path in NOTEBOOKS:
        for cell in load(path)["cells"]:
            if cell["cell_type"] != "code":
                continue
            tree = python_tree(cell)
            allowed = {id(call.args[0]) for call in ast.walk(tree) if isinstance(call, ast.Call) and call.args
                       and getattr(call.func, "id", getattr(call.func, "attr", None)) == "load_results"}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not node.value.endswith(".json") or id(node) in allowed, \
                        f"{path.name}: {node.value!r} is read some other way than gru_teach.data.load_results"
                    assert not re.search(r"(?<![\w-])(book|data)/", node.value.replace("gru_teach/data/", "")), \
                        f"{path.name}: {node.value!r} points into the repository"


def test_glue_without_myst_nb_only_displays(monkeypatch):
    from gru_teach.teaching import glue as module
    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)            # as on Colab: not installed
    monkeypatch.setattr("IPython.display.display", lambda value: shown.append(value))
    assert module.glue("x", 1.5, display=False) is None and shown == []
    module.glue("y", 2.5)
    assert shown == [2.5]


def test_the_runner_runs_a_notebook_away_from_the_repository_with_a_fresh_install(tmp_path):
    """scripts/standalone_notebooks.py: no book/ beside the copy, gru_teach from a non-editable install that
    ships every subpackage and every results file."""
    results = sorted(p.name for p in (ROOT / "gru_teach" / "data").glob("*.json"))
    packages = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gru_teach").rglob("__init__.py"))
    probe = "\n".join([
        "import importlib, pathlib, gru_teach",
        "from gru_teach import data",
        "here = pathlib.Path.cwd()",
        "assert not [p for p in (here, *here.parents) if (p / 'book').is_dir() or (p / 'gru_teach').is_dir()]",
        "assert 'site-packages' in gru_teach.__file__, gru_teach.__file__",
        f"assert data.available() == {results!r}, data.available()",
        f"for name in {results!r}: assert data.load_results(name)",
        f"for name in {packages!r}: importlib.import_module(name)",
    ])
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}
                    for text in (BOOTSTRAP, probe)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "probe.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "standalone_notebooks.py"),
                          str(tmp_path / "probe.ipynb"), "--", "-q"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "outside the repository" in run.stdout and "probe.ipynb" in run.stdout and "pass" in run.stdout


def test_the_runner_covers_every_notebook_by_default():
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("standalone", ROOT / "scripts" / "standalone_notebooks.py")
    runner = module_from_spec(spec)
    spec.loader.exec_module(runner)
    assert sorted(BOOK.glob("*.ipynb")) == NOTEBOOKS, "the runner's default must be every notebook under book/"
    assert runner.main(["--nonsense"]) == 2
