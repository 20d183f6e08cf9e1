"""Building blocks of the exercise auto-checks: run student code safely, compare results, explain.

A check never raises because of the student's code: whatever the code does (raise, return None, NaN, the
wrong shape, never return), the check returns a :class:`Feedback` whose message says what was expected and
what was given. Every call of student code goes through :func:`safe_call`, which stops it after
:data:`TIME_LIMIT` seconds.
"""
from __future__ import annotations

import signal
import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np

#: seconds a student function may run in one call before the check gives up on it (the reference solutions
#: take milliseconds; teachers may raise it, e.g. ``checking.TIME_LIMIT = 60``)
TIME_LIMIT = 10.0


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


class _TimeLimit(BaseException):
    """Raised inside student code when its time is up (a BaseException, so `except Exception` cannot hide it)."""


def _describe(err: BaseException) -> Feedback:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    return failed(f"your function raised {type(err).__name__}: {err} "
                  f"(line {frame.lineno}: {(frame.line or '').strip()})")


def _timeout(seconds: float, stopped: bool) -> Feedback:
    where = ("it was stopped" if stopped else
             "it is still running in the background: restart the kernel to stop it")
    return failed(f"your function did not return within {seconds:g} s ({where}). Is there a loop that never "
                  "ends, or a much larger computation than the exercise asks for?")


def _call_with_alarm(fn, args, kwargs, seconds):
    """Main thread on a POSIX system: SIGALRM interrupts the student code after ``seconds``."""
    def on_alarm(signum, frame):
        raise _TimeLimit

    start = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            return fn(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:  # runs even if the (one-shot) alarm went off inside the inner finally
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0] > 0:   # someone else's alarm was pending: give it back its remaining time
            left = max(previous_timer[0] - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, previous_timer[1])


def _call_in_thread(fn, args, kwargs, seconds):
    """Elsewhere (another thread, Windows): run in a daemon thread and abandon it if it is still running."""
    box = {}

    def run():
        try:
            with np.errstate(all="ignore"):
                box["result"] = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - reported to the caller
            box["error"] = err

    worker = threading.Thread(target=run, name="gru_teach student code", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimeLimit
    if "error" in box:
        raise box["error"]
    return box["result"]


def safe_call(fn, *args, time_limit: float | None = None, **kwargs):
    """Call student code. Returns ``(result, None)`` or ``(None, Feedback)`` describing the failure.

    The call may take at most ``time_limit`` seconds (default :data:`TIME_LIMIT`). In the main thread of a
    POSIX system (a Jupyter kernel, pytest) a SIGALRM timer interrupts the code; elsewhere it runs in a daemon
    thread that is abandoned when its time is up (Python cannot stop a thread), and the message says so.
    """
    if not callable(fn):
        return None, failed(f"expected a function; got {type(fn).__name__}")
    seconds = TIME_LIMIT if time_limit is None else time_limit
    if not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"time_limit must be a positive number of seconds; got {seconds!r}")
    with_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    try:
        with np.errstate(all="ignore"):
            call = _call_with_alarm if with_alarm else _call_in_thread
            return call(fn, args, kwargs, seconds), None
    except _TimeLimit:
        return None, _timeout(seconds, stopped=with_alarm)
    except Exception as err:  # noqa: BLE001 - any student error becomes a message
        return None, _describe(err)


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
