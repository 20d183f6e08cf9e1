"""binder/: the environment mybinder.org builds lists every package the notebooks import, with CPU-only PyTorch.

The lists are derived from the notebooks and from pyproject.toml, never written out here, so a new chapter's
import is checked as soon as the chapter exists.
"""
import importlib.metadata as md
import os
import pathlib
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from notebooks import ROOT, imported_modules

BINDER = ROOT / "binder"


def read_requirements(path: pathlib.Path):
    """(pip options, requirements) of a requirements file, following ``-r`` includes relative to the file."""
    options, requirements = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            more_options, more = read_requirements((path.parent / line.split(None, 1)[1]).resolve())
            options += more_options
            requirements += more
        elif line.startswith("-"):
            options.append(line)
        else:
            requirements.append(Requirement(line))
    return options, requirements


def binder_names():
    return {canonicalize_name(r.name) for r in read_requirements(BINDER / "requirements.txt")[1]}


def test_binder_folder_is_complete():
    for name in ("requirements.txt", "runtime.txt", "postBuild"):
        assert (BINDER / name).is_file(), f"binder/{name} is missing"
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable (git mode 100755)"
    commands = [line for line in post.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    assert any("pip install" in c and c.rstrip().endswith(" .") for c in commands), \
        "binder/postBuild must install gru_teach from the clone (pip install ... .)"


def test_binder_torch_is_the_pinned_version_as_a_cpu_build():
    options, requirements = read_requirements(BINDER / "requirements.txt")
    torch = [r for r in requirements if canonicalize_name(r.name) == "torch"]
    pins = [s.version for r in torch for s in r.specifier if s.operator == "=="]
    cpu = [v for v in pins if v.endswith("+cpu")]
    assert cpu, f"binder/requirements.txt must pin torch==X+cpu (the CPU build); it has {pins}"
    assert all(v.split("+")[0] == cpu[0].split("+")[0] for v in pins), f"conflicting torch pins {pins}"
    assert any("download.pytorch.org/whl/cpu" in o for o in options if "index-url" in o), \
        "binder/requirements.txt needs --extra-index-url https://download.pytorch.org/whl/cpu for the +cpu wheel"
    root_pins = [s.version for r in read_requirements(ROOT / "requirements.txt")[1]
                 if canonicalize_name(r.name) == "torch" for s in r.specifier]
    assert root_pins and all(p == cpu[0].split("+")[0] for p in root_pins), \
        f"Binder's torch {cpu[0]} is not the version requirements.txt pins ({root_pins})"


def test_binder_lists_every_package_the_notebooks_import():
    listed, providers = binder_names(), md.packages_distributions()
    imports = imported_modules()
    assert "numpy" in imports, "the import parser found nothing: is it still reading the notebooks?"
    missing = []
    for module, notebooks in sorted(imports.items()):
        if module == "gru_teach":            # installed by binder/postBuild (test above)
            continue
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        if not dists:
            missing.append(f"{module} (imported by {', '.join(notebooks)}) is not installed here either")
        elif not dists & listed:
            missing.append(f"{module} (imported by {', '.join(notebooks)}; pip name {sorted(dists)[0]})")
    assert not missing, "binder/requirements.txt (with ../requirements.txt) does not list:\n" + "\n".join(missing)


def test_binder_lists_what_gru_teach_needs():
    """postBuild installs gru_teach with --no-deps, so its dependencies must be in the Binder list too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = [Requirement(r) for r in project["dependencies"]]
    needed += [Requirement(r) for extra in project.get("optional-dependencies", {}).values() for r in extra]
    missing = sorted({canonicalize_name(r.name) for r in needed} - binder_names())
    assert not missing, f"gru_teach needs {missing}, which binder/requirements.txt does not list"
