"""For students and teachers: auto-checks (:mod:`.checking`, :mod:`.exercises`), kernel-free and live widgets
(:mod:`.widgets`), and the student version and exercise index (:mod:`.student`).
"""
from .student import book_dir, exercise_index, exercise_table, strip_solutions, write_student_version

__all__ = ["book_dir", "exercise_index", "exercise_table", "strip_solutions", "write_student_version"]
