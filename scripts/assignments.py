"""Write graded assignments for otter-grader from the chapters' auto-checked exercises.

    python scripts/assignments.py [--out _build/assignments] [--time-limit SECONDS] [--no-assign]

For every chapter with auto-checked exercises: OUT/NN_name/NN_name_assignment.ipynb in otter's "assign" format and
its requirements.txt (for otter's grading image); then, when otter-grader is installed (it is pinned in
requirements.txt), `otter assign` on each, which writes OUT/NN_name/dist/student/ (the notebook students receive)
and OUT/NN_name/dist/autograder/ (the solution notebook and the autograder zip for `otter run`, `otter grade` or
Gradescope) and checks that the reference solutions get full marks. Points: gru_teach.teaching.assignments.POINTS.
"""
import argparse
import importlib.util
import pathlib
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gru_teach.teaching import assignments  # noqa: E402


def repository_url() -> str:
    """The book's repository (_config.yml's ``repository: url:``, the one setting; scripts/set_repository_url.py)."""
    spec = importlib.util.spec_from_file_location("set_repository_url", ROOT / "scripts" / "set_repository_url.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.configured_url()


def python_version() -> str:
    """The lowest Python version pyproject.toml's requires-python allows (the one place it is set)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'requires-python\s*=\s*">=\s*([\d.]+)"', text)[1]


def write(out, *, time_limit=None, assign=True, run_tests=True) -> dict:
    """Write the master notebooks into ``out`` (and run otter assign on each); return the questions by master."""
    written = assignments.write_assignments(
        ROOT / "book", out, bootstrap=(ROOT / "scripts" / "bootstrap_cell.ipy").read_text(encoding="utf-8"),
        repository_url=repository_url(), points=assignments.points, time_limit=time_limit,
        python_version=python_version())
    for master, qs in written.items():
        total = sum(assignments.points(q) for q in qs)
        print(f"{pathlib.Path(master).relative_to(pathlib.Path(out).parent)}: {len(qs)} questions, {total:g} points "
              f"({', '.join(f'{q.name} {assignments.points(q):g}' for q in qs)})")
        if assign:
            t0 = time.monotonic()
            assignments.otter_assign(master, pathlib.Path(master).parent / "dist", run_tests=run_tests)
            print(f"  otter assign: dist/student/, dist/autograder/ ({time.monotonic() - t0:.0f} s"
                  f"{', reference solutions pass every test' if run_tests else ''})")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "_build" / "assignments"), help="output folder")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds one call of student code may take while grading "
                             "(default: gru_teach.teaching.checking.TIME_LIMIT)")
    parser.add_argument("--no-assign", action="store_true", help="only write the master notebooks")
    args = parser.parse_args(argv)
    assign = not args.no_assign
    if assign and importlib.util.find_spec("otter") is None:
        print("otter-grader is not installed: writing the master notebooks only "
              "(pip install -r requirements.txt, then run otter assign on each)")
        assign = False
    write(args.out, time_limit=args.time_limit, assign=assign)
    print(f"assignments in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
