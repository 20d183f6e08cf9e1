"""Building blocks of the exercise auto-checks: run student code safely, compare results, explain.

A check never raises because of the student's code: whatever the code does (raise, return None, NaN, the
wrong shape), the check returns a :class:`Feedback` whose message says what was expected and what was given.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The verdict of a check: ``passed`` and a message for the student."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return ("✅ " if self.passed else "❌ ") + self.message

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        text = str(self).replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
        return f'<div style="border-left:4px solid {colour};padding:4px 10px;font-family:monospace">{text}</div>'


def passed(message: str) -> Feedback:
    return Feedback(True, message)


def failed(message: str) -> Feedback:
    return Feedback(False, message)


def safe_call(fn, *args, **kwargs):
    """Call student code. Returns ``(result, None)`` or ``(None, Feedback)`` describing the failure."""
    if not callable(fn):
        return None, failed(f"expected a function; got {type(fn).__name__}")
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs), None
    except Exception as err:  # noqa: BLE001 - any student error becomes a message
        frame = traceback.extract_tb(err.__traceback__)[-1]
        return None, failed(f"your function raised {type(err).__name__}: {err} "
                            f"(line {frame.lineno}: {(frame.line or '').strip()})")


def check_array(got, shape: tuple, name: str = "result"):
    """``None`` when ``got`` is a finite array of numbers of ``shape``; else a failing Feedback saying why."""
    shape = tuple(shape)
    if got is None:
        return failed(f"{name} is None: did you forget to `return` it? Expected an array of shape {shape}")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return failed(f"{name} should be an array of numbers of shape {shape}; got {type(got).__name__}")
    if arr.shape != shape:
        return failed(f"{name} has shape {arr.shape}; expected {shape}")
    if not np.all(np.isfinite(arr)):
        return failed(f"{name} contains NaN or inf ({int(np.sum(~np.isfinite(arr)))} entries)")
    return None


def compare_array(got, expected, name: str = "result", *, rtol: float = 1e-6, atol: float = 1e-8):
    """``None`` when ``got`` matches ``expected``; otherwise a failing Feedback that says how it differs."""
    expected = np.asarray(expected)
    bad = check_array(got, expected.shape, name)
    if bad is not None:
        return bad
    arr = np.asarray(got, dtype=float)
    if not np.allclose(arr, expected, rtol=rtol, atol=atol):
        err = np.max(np.abs(arr - expected))
        return failed(f"{name} differs from the reference: largest absolute difference {err:.3g}")
    return None
