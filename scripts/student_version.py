"""Write the student version of every chapter: the notebooks without exercise solutions, outputs cleared.

    python scripts/student_version.py [OUT_DIR]        # default: _build/student
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gru_teach.teaching import exercise_index, write_student_version  # noqa: E402


def main(out_dir=None) -> int:
    out = pathlib.Path(out_dir or ROOT / "_build" / "student")
    removed = write_student_version(ROOT / "book", out)
    exercises = [row["chapter"] for row in exercise_index(out)]
    for name, n in removed.items():
        print(f"{name}: {exercises.count(pathlib.Path(name).stem)} exercises kept, {n} solutions removed")
    print(f"student notebooks in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
