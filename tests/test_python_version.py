"""One Python version story: pyproject.toml's requires-python is the one setting, and it is the truth.

"The truth" means: every pin in requirements.txt accepts that version (it is enough), at least one pin rejects
the minor version before it (it is needed), gru_teach and the notebooks use no newer syntax, and the README and
Binder say the same. The pins' Requires-Python comes from the installed packages' metadata (what pip read).
"""
import ast
import importlib.metadata as md
import re
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from notebooks import NOTEBOOKS, ROOT, load, source

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def minimum() -> tuple[int, int]:
    match = re.fullmatch(r">=\s*3\.(\d+)", PROJECT["requires-python"].strip())
    assert match, f"requires-python should read '>=3.N'; it is {PROJECT['requires-python']!r}"
    return 3, int(match.group(1))


def pins():
    lines = (line.split("#", 1)[0].strip() for line in
             (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def test_the_pins_need_exactly_the_stated_python():
    major, minor = minimum()
    stated, earlier = Version(f"{major}.{minor}"), Version(f"{major}.{minor - 1}.99")
    needs = {}
    for req in pins():
        pinned = next(s.version for s in req.specifier if s.operator == "==")
        try:
            installed = md.metadata(req.name)
        except md.PackageNotFoundError:
            pytest.fail(f"{req.name} is pinned but not installed: re-create the venv (scripts/_venv.sh)")
        assert Version(installed["Version"]).public == Version(pinned).public, \
            f"{req.name} {installed['Version']} is installed, {pinned} pinned: re-create the venv"
        needs[req.name] = SpecifierSet(installed.get("Requires-Python") or "")
    too_new = {n: str(s) for n, s in needs.items() if stated not in s}
    assert not too_new, f"pins that do not accept Python {stated} (raise requires-python): {too_new}"
    assert any(earlier not in s for s in needs.values()), (
        f"every pin accepts Python {major}.{minor - 1}: requires-python >= {stated} claims more than they need")


def test_this_interpreter_and_binder_satisfy_it():
    assert sys.version_info[:2] >= minimum(), f"Python {sys.version.split()[0]} is older than requires-python"
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == "python-{}.{}".format(*minimum()), \
        f"binder/runtime.txt says {runtime!r}; Binder should run the version the book states (and tests)"


def test_the_readme_says_the_same_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    claims = set(re.findall(r"Python (3\.\d+)\+? or newer|Python (3\.\d+)\+", readme))
    versions = {a or b for a, b in claims}
    assert versions == {"{}.{}".format(*minimum())}, \
        f"README states Python {sorted(versions)}; pyproject.toml's requires-python is {PROJECT['requires-python']}"


def test_gru_teach_and_the_notebooks_use_no_newer_syntax():
    """Parsed with the grammar of the stated minimum, so syntax of a later Python fails here."""
    from IPython.core.inputtransformer2 import TransformerManager
    version = minimum()
    for path in sorted((ROOT / "gru_teach").rglob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=version)
    for path in NOTEBOOKS:
        for cell in load(path)["cells"]:
            if cell["cell_type"] == "code":
                ast.parse(TransformerManager().transform_cell(source(cell)), path.name, feature_version=version)
