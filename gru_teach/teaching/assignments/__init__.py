"""Graded assignments for otter-grader, generated from the chapters' auto-checked exercises.

``python scripts/assignments.py`` writes, for every chapter with auto-checked exercises, a notebook in otter-grader's
"assign" format (:mod:`.otter_format`) whose questions are those exercises (:mod:`.questions`): the book's statement,
the book's stub for the student, the chapter's worked solution as the reference, and a test that calls the
chapter's own check through :func:`grade`, so the grade and the in-book feedback cannot disagree.

:data:`POINTS` is the one place where points are set.
"""
from __future__ import annotations

from .. import checking
from .questions import REFERENCES, AssignmentError, Question, chapter_questions, chapter_title, questions

#: points per question, by exercise label (for an exercise with several checks, by question name); an
#: auto-checked exercise that is not listed (a new chapter's, say) is worth DEFAULT_POINTS
POINTS: dict[str, float] = {
    "ch1-jacobian": 2, "ch1-predict": 1, "ch1-clip": 2,
    "ch2-hand-step": 1, "ch2-step": 3, "ch2-count": 1, "ch2-chung": 2,
    "ch3-update-gate": 2, "ch3-gradcheck": 2, "ch3-stacked": 3, "ch3-step-backward": 4,
    "ch4-params": 2, "ch4-budget": 2, "ch4-lstm-step": 3, "ch4-couple": 2,
    "ch5-windows": 2, "ch5-scaler": 2, "ch5-collate": 3,
    "ch5b-host-sync": 3, "ch5b-flops": 1, "ch5b-shard": 2,
}
DEFAULT_POINTS = 1


def points(question: Question) -> float:
    """The points of ``question``: :data:`POINTS` by question name, else by label, else :data:`DEFAULT_POINTS`."""
    return POINTS.get(question.name, POINTS.get(question.label, DEFAULT_POINTS))


def points_table(qs: list[Question]) -> str:
    """The questions and their points as a Markdown table: a row per chapter (its total), then its questions."""
    if not qs:
        return ("*No chapter notebooks (`NN_name.ipynb`) with auto-checked exercises were found beside this "
                "notebook: open it from a clone of the book to see the table.*")
    lines = ["| Question | Exercise | Points |", "|---|---|---|"]
    for chapter in dict.fromkeys(q.chapter for q in qs):
        mine = [q for q in qs if q.chapter == chapter]
        lines.append(f"| **{chapter}** | {len(mine)} questions | **{sum(points(q) for q in mine):g}** |")
        lines += [f"| `{q.name}` | {q.title} | {points(q):g} |" for q in mine]
    return "\n".join(lines)


def grade(check, answer, *, time_limit: float | None = None):
    """Run the book's ``check`` on a student's ``answer``, as an otter-grader test case.

    Returns the passing :class:`~gru_teach.teaching.checking.Feedback`; raises ``AssertionError`` whose message is
    the check's own message when it fails (otter shows it as the test's failure). ``time_limit``: seconds one call
    of the student's code may take (default: :data:`gru_teach.teaching.checking.TIME_LIMIT`); code that runs
    longer is stopped and fails this question only.
    """
    previous = checking.TIME_LIMIT
    if time_limit is not None:
        checking.TIME_LIMIT = time_limit
    try:
        feedback = check(answer)
    finally:
        checking.TIME_LIMIT = previous
    if not isinstance(feedback, checking.Feedback):
        raise TypeError(f"{getattr(check, '__name__', check)} returned {type(feedback).__name__}, not a Feedback")
    if not feedback:
        raise AssertionError(feedback.message)
    return feedback


from .otter_format import (fill_answers, master_notebook, otter_assign, otter_run, requirements,  # noqa: E402
                           write_assignments)

__all__ = ["AssignmentError", "DEFAULT_POINTS", "POINTS", "REFERENCES", "Question", "chapter_questions", "chapter_title",
           "fill_answers", "grade", "master_notebook", "otter_assign", "otter_run", "points", "points_table", "questions",
           "requirements", "write_assignments"]
