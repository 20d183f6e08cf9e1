"""Repository hygiene: notebooks, table of contents, pytest configuration, bootstrap cell, CI entry point.

Runs with the unit tests (it needs no build). Checks that have nothing to check (no notebooks yet) are skipped
with a reason rather than passing vacuously.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml
from booktoc import toc_entries

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BOOTSTRAP_FILE = ROOT / "scripts" / "bootstrap_cell.ipy"
TEST_COMMAND = "bash scripts/test.sh"


def book_files(suffix):
    return sorted(p for p in BOOK.rglob(f"*{suffix}") if ".ipynb_checkpoints" not in p.parts)


NOTEBOOKS = book_files(".ipynb")
NO_NOTEBOOKS = pytest.param(None, marks=pytest.mark.skip(reason="there are no notebooks under book/ yet"))
notebook_params = pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.name) for p in NOTEBOOKS] or [NO_NOTEBOOKS])


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# --- notebooks are committed clean ------------------------------------------------------------------------------

@notebook_params
def test_notebook_has_no_outputs(path):
    nb = load(path)
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: code cells {dirty} have outputs or execution counts; "
                       "run `python scripts/strip_notebooks.py` before committing")


@notebook_params
def test_notebook_uses_python3_kernel(path):
    assert load(path).get("metadata", {}).get("kernelspec", {}).get("name") == "python3", \
        f"{path.name}: kernelspec must be python3 (Binder, Colab and the build all use it)"


@notebook_params
def test_notebook_starts_with_bootstrap_cell(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    first = code[0]
    expected = BOOTSTRAP_FILE.read_text(encoding="utf-8").strip()
    assert cell_source(first).strip() == expected, (
        f"{path.name}: the first code cell must be the bootstrap cell (scripts/bootstrap_cell.ipy, CONTRIBUTING.md)")
    assert "hide-input" in first.get("metadata", {}).get("tags", []), \
        f"{path.name}: the bootstrap cell must carry the `hide-input` tag"


# --- the bootstrap cell itself ----------------------------------------------------------------------------------

def test_bootstrap_cell_is_short_and_documented():
    text = BOOTSTRAP_FILE.read_text(encoding="utf-8").strip()
    assert len(text.splitlines()) <= 10
    assert max(map(len, text.splitlines())) <= 80, "the bootstrap cell must fit the page when expanded"
    assert text in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), \
        "CONTRIBUTING.md must show scripts/bootstrap_cell.ipy verbatim"


# how the bootstrap cell behaves (installed, in a clone, on Colab, offline): tests/test_repository_url.py


# --- table of contents ------------------------------------------------------------------------------------------

def test_toc_entries_exist():
    missing = [e for e in toc_entries()
               if not any((ROOT / f"{e}{s}").is_file() for s in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_toc_entries_are_unambiguous():
    both = [e for e in toc_entries() if (ROOT / f"{e}.md").is_file() and (ROOT / f"{e}.ipynb").is_file()]
    assert not both, f"both .md and .ipynb exist for {both}"


def test_every_book_page_is_in_toc():
    pages = book_files(".md") + NOTEBOOKS
    assert pages, "book/ has no pages"
    listed = set(toc_entries())
    orphans = [str(p.relative_to(ROOT)) for p in pages
               if str(p.relative_to(ROOT).with_suffix("").as_posix()) not in listed]
    assert not orphans, f"pages missing from _toc.yml (they would not be built): {orphans}"


def test_toc_root_is_intro():
    assert toc_entries()[0] == "book/intro"


# --- configuration ----------------------------------------------------------------------------------------------

def test_config_strict_execution_and_exclusions():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert cfg["execute"]["execute_notebooks"] == "force"
    assert cfg["execute"]["allow_errors"] is False
    assert cfg["only_build_toc_files"] is True
    for pattern in ("_build", ".venv*", "**/.ipynb_checkpoints", "node_modules", "README.md"):
        assert pattern in cfg["exclude_patterns"], pattern
    assert cfg["sphinx"]["config"]["intersphinx_mapping"] == {}, "builds are offline: no intersphinx inventories"


def test_pytest_does_not_collect_build_or_venv(tmp_path):
    """Copy the real pytest configuration into a scratch tree and check what `pytest .` collects there."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for rel in ("tests/test_kept.py", "_build/html/test_copy.py", "_build/jupyter_execute/test_copy.py",
                ".venv/lib/test_venv.py", ".venv-gpu/test_venv.py", "node_modules/x/test_js.py"):
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("def test_x():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "."],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120).stdout
    assert "tests/test_kept.py::test_x" in out, out
    for bad in ("_build", ".venv", "node_modules"):
        assert bad not in out, f"pytest collected files under {bad}:\n{out}"


# --- CI entry point ---------------------------------------------------------------------------------------------

def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = ROOT / ".ci" / "run"
    assert TEST_COMMAND in readme, f"README.md must document `{TEST_COMMAND}`"
    text = ci.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash")
    assert TEST_COMMAND in text, f".ci/run must call `{TEST_COMMAND}`"
    assert os.access(ci, os.X_OK), ".ci/run must be executable"


@notebook_params
def test_visible_code_fits_the_page(path):
    """Code lines longer than 77 characters are cut off in the page's code boxes (hidden cells excepted;
    measured in headless Chromium at 1280 px: the box holds 77 ASCII characters)."""
    limit, long_lines = 77, []
    for i, cell in enumerate(load(path)["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"hide-input", "remove-input", "remove-cell"} & set(tags):
            continue
        long_lines += [(i, len(line)) for line in cell_source(cell).split("\n") if len(line) > limit]
    assert not long_lines, f"{path.name}: (cell, length) of lines over {limit} characters: {long_lines}"
