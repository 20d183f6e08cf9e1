"""The repository URL is one setting (_config.yml's repository.url) and every copy agrees with it; the bootstrap
cell (the first cell of every notebook) installs from it, and degrades to one clear line when it cannot."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from notebooks import NOTEBOOKS, ROOT, load, source

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
URL = CONFIG["repository"]["url"]
BRANCH = CONFIG["repository"]["branch"]
SLUG = URL.removeprefix("https://github.com/")
BOOTSTRAP = ROOT / "scripts" / "bootstrap_cell.ipy"


def test_the_setting_is_a_github_repository_with_launch_buttons():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", URL), URL
    assert CONFIG["html"]["use_repository_button"] is True
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]


def test_every_copy_agrees_with_the_setting():
    assert f"%pip install -q git+{URL}\n" in BOOTSTRAP.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        first = next(c for c in load(path)["cells"] if c["cell_type"] == "code")
        assert f"git+{URL}" in source(first), f"{path.name}: the bootstrap cell installs from another repository"
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'Homepage = "{URL}"' in project, "pyproject.toml's Homepage must be the repository URL"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert URL in readme and "set_repository_url.py" in readme and "Fork?" in readme
    binder = re.findall(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/([\w.-]+)", readme)
    colab = re.findall(r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/(\S+?)\)",
                       readme)
    assert binder and colab, "the README should link Binder and Colab"
    assert set(binder) == {(SLUG, BRANCH)} and {c[:2] for c in colab} == {(SLUG, BRANCH)}, (binder, colab)
    for *_, path in colab:
        assert (ROOT / path).is_file(), f"the README's Colab link opens {path}, which does not exist"
    check = subprocess.run([sys.executable, "scripts/set_repository_url.py", "--check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_command_moves_every_copy_to_a_fork(tmp_path):
    """On a copy of the files involved: set a fork's URL, then nothing names the old repository."""
    for rel in ("_config.yml", "README.md", "CONTRIBUTING.md", "pyproject.toml", "scripts", "book"):
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, tmp_path / rel, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, tmp_path / rel)
    fork = "https://github.com/someone/my-gru-book"
    run = subprocess.run([sys.executable, "scripts/set_repository_url.py", fork], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert yaml.safe_load((tmp_path / "_config.yml").read_text())["repository"]["url"] == fork
    for rel in ("scripts/bootstrap_cell.ipy", "README.md", "CONTRIBUTING.md", "pyproject.toml",
                *[f"book/{p.name}" for p in NOTEBOOKS]):
        text = (tmp_path / rel).read_text(encoding="utf-8")
        if rel.endswith(".ipynb"):
            text = source(next(c for c in json.loads(text)["cells"] if c["cell_type"] == "code"))
        assert SLUG not in text, f"{rel} still names {SLUG}"
    assert f"git+{fork}" in (tmp_path / "scripts/bootstrap_cell.ipy").read_text()
    assert "someone/my-gru-book" in (tmp_path / "README.md").read_text()
    check = subprocess.run([sys.executable, "scripts/set_repository_url.py", "--check"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    bad = subprocess.run([sys.executable, "scripts/set_repository_url.py", "https://gitlab.com/x/y"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode != 0 and "expected a GitHub repository URL" in bad.stderr


# --- the bootstrap cell, run by IPython in the four situations a reader meets ------------------------------------

HARNESS = textwrap.dedent('''
    import json, os, pathlib, sys
    scenario, cell, cwd, fake_site = sys.argv[1:5]
    os.chdir(cwd)
    if scenario != "installed":   # hide the gru_teach this Python has (editable finder or a path entry)
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")]
        sys.path[:] = [p for p in sys.path if not (pathlib.Path(p or ".").resolve() / "gru_teach").is_dir()]
        sys.path_importer_cache.clear()
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    calls = []

    def fake_pip(line):   # stands in for %pip: "colab" installs a package, "offline" fails like pip does
        calls.append(line)
        if scenario == "colab":
            (pathlib.Path(fake_site) / "gru_teach").mkdir(parents=True)
            (pathlib.Path(fake_site) / "gru_teach" / "__init__.py").write_text("")
            sys.path.append(fake_site)
        else:
            print("ERROR: Could not find a version that satisfies the requirement (simulated)")

    shell.register_magic_function(fake_pip, "line", "pip")
    result = shell.run_cell(pathlib.Path(cell).read_text())
    import importlib.util
    print("RESULT " + json.dumps({"pip": calls, "error": type(result.error_in_exec).__name__
                                  if result.error_in_exec else None,
                                  "found": importlib.util.find_spec("gru_teach") is not None,
                                  "path0": sys.path[0]}))
''')


def run_bootstrap(scenario, cwd, tmp_path):
    env = dict(os.environ, IPYTHONDIR=str(tmp_path / "ipython"), PYTHONPATH="")
    out = subprocess.run([sys.executable, "-c", HARNESS, scenario, str(BOOTSTRAP), str(cwd), str(tmp_path / "site")],
                         capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, out.stdout + out.stderr
    return json.loads(lines[-1][len("RESULT "):]), out.stdout


def test_bootstrap_does_nothing_when_gru_teach_is_installed(tmp_path):
    result, _ = run_bootstrap("installed", tmp_path, tmp_path)
    assert result == {"pip": [], "error": None, "found": True, "path0": result["path0"]}


def test_bootstrap_uses_the_clone_it_lives_in(tmp_path):
    result, _ = run_bootstrap("clone", ROOT / "book", tmp_path)
    assert result["pip"] == [], "inside a clone the bootstrap must not pip install"
    assert result["error"] is None and result["found"]
    assert pathlib.Path(result["path0"]).resolve() == ROOT


def test_bootstrap_installs_from_the_repository_elsewhere(tmp_path):
    result, _ = run_bootstrap("colab", tmp_path, tmp_path)
    assert result["pip"] == [f"install -q git+{URL}"]
    assert result["error"] is None and result["found"]


def test_bootstrap_says_in_one_line_when_it_cannot_install(tmp_path):
    result, stdout = run_bootstrap("offline", tmp_path, tmp_path)
    assert result["pip"] == [f"install -q git+{URL}"]
    assert result["error"] == "ImportError", "a failed install must stop 'Run all' at the first cell"
    shown = stdout.split("(simulated)", 1)[1].split("RESULT ", 1)[0].strip()
    assert shown.startswith("❌ gru_teach could not be installed") and "connection" in shown, shown
    assert "Traceback" not in stdout and len(shown.splitlines()) == 1, f"expected one clear line:\n{shown}"
