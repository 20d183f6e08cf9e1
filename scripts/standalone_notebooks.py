"""Run the book's notebooks as standalone copies, the way Colab or a student's folder has them.

    python scripts/standalone_notebooks.py [--student] [--editable] [--keep] [NOTEBOOK ...] [-- PYTEST_ARGS]

Copies the notebooks (default: every notebook under book/) into a new temporary folder outside the repository,
with no book/ and no gru_teach/ beside them, and runs them there with ``pytest --nbval-lax`` (every cell must
run; the checks are asserts in the notebooks). gru_teach comes from a fresh non-editable install of this
clone (pip install --no-deps --target, as ``pip install git+URL`` does on Colab), so a module or a results
file missing from the package fails here; the other packages come from this Python. Prints pass/fail and
seconds per notebook; the exit status is pytest's.

  --student    also run the student version of every chapter (solutions removed) as student_NN_name.ipynb
  --editable   use the gru_teach already installed in this Python instead of a fresh install (faster)
  --keep       keep the temporary folder and print its path
"""
from __future__ import annotations

import collections
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE_FILES = ("pyproject.toml", "README.md", "gru_teach")   # what building the package reads


def install_package(dest: pathlib.Path) -> None:
    """A non-editable install of this clone's gru_teach into ``dest`` (built from a copy: no build/ here)."""
    src = dest.parent / "src"
    for name in PACKAGE_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--disable-pip-version-check", "--target", str(dest), str(src)],
                   check=True)


def copy_notebooks(paths, folder: pathlib.Path, student: bool) -> list[pathlib.Path]:
    copies = []
    for path in paths:
        copies.append(folder / path.name)
        shutil.copy2(path, copies[-1])
    if student:
        sys.path.insert(0, str(ROOT))
        from gru_teach.teaching import write_student_version
        chapters = folder / "student"
        write_student_version(ROOT / "book", chapters)
        for path in sorted(chapters.glob("*.ipynb")):
            copies.append(path.rename(folder / f"student_{path.name}"))
        chapters.rmdir()
    return copies


def summary(report: pathlib.Path) -> list[tuple[str, int, int, float]]:
    """(notebook, cells, failed cells, seconds) from pytest's JUnit XML."""
    cells, failed, seconds = collections.Counter(), collections.Counter(), collections.Counter()
    for case in ET.parse(report).getroot().iter("testcase"):
        name = pathlib.Path(case.get("file") or case.get("classname", "?")).name
        cells[name] += 1
        failed[name] += any(child.tag in ("failure", "error") for child in case)
        seconds[name] += float(case.get("time", 0))
    return [(n, cells[n], failed[n], seconds[n]) for n in sorted(cells)]


def main(argv: list[str]) -> int:
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--student", "--editable", "--keep"}
    if unknown:
        print(f"unknown option(s) {sorted(unknown)}; see the docstring:\n{__doc__}", file=sys.stderr)
        return 2
    paths = [pathlib.Path(a).resolve() for a in argv if not a.startswith("--")] or sorted(
        p for p in (ROOT / "book").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such notebook: {missing}", file=sys.stderr)
        return 2

    folder = pathlib.Path(tempfile.mkdtemp(prefix="gru-book-standalone-")).resolve()
    if ROOT in folder.parents:
        print(f"the temporary folder {folder} lies inside the repository; set TMPDIR elsewhere", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        t0 = time.monotonic()
        if "--editable" not in flags:
            try:
                install_package(folder / "site-packages")
            except subprocess.CalledProcessError:
                print("could not build gru_teach from this clone (pip's message is above; building needs "
                      "setuptools>=61 in this Python); --editable runs against the installed copy instead",
                      file=sys.stderr)
                return 1
            env["PYTHONPATH"] = str(folder / "site-packages")
        where = subprocess.run([sys.executable, "-c", "import gru_teach; print(gru_teach.__file__)"], cwd=folder,
                               env=env, capture_output=True, text=True)
        if where.returncode != 0:
            print(f"gru_teach is not importable outside the repository:\n{where.stderr}", file=sys.stderr)
            return 1
        package = pathlib.Path(where.stdout.strip()).parent
        if "--editable" not in flags and folder not in package.parents:
            print(f"the kernel would import gru_teach from {package}, not from the fresh install", file=sys.stderr)
            return 1
        (folder / "notebooks").mkdir()
        copies = copy_notebooks(paths, folder / "notebooks", "--student" in flags)
        print(f"[standalone] {len(copies)} notebooks copied to {folder / 'notebooks'} (outside the repository); "
              f"gru_teach from {package} (set-up {time.monotonic() - t0:.1f} s)", flush=True)
        report = folder / "report.xml"
        run = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                              "-p", "no:cacheprovider", f"--junitxml={report}", "-o", "junit_family=xunit1",
                              *pytest_args, *[c.name for c in copies]], cwd=folder / "notebooks", env=env)
        if report.is_file():
            print(f"\n[standalone] {'notebook':44s} {'cells':>5s} {'failed':>6s} {'seconds':>8s}")
            for name, n, bad, seconds in summary(report):
                print(f"[standalone] {name:44s} {n:5d} {bad:6d} {seconds:8.1f}   {'FAIL' if bad else 'pass'}")
        return run.returncode
    finally:
        if "--keep" in flags:
            print(f"[standalone] kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
