"""Student code that never returns cannot hang a check: safe_call stops it after a time limit."""
import importlib
import inspect
import pkgutil
import signal
import threading
import time

import pytest

from gru_teach.teaching import checking, exercises
from gru_teach.teaching.checking import safe_call

LIMIT = 0.3   # seconds; small so that the tests stay fast


def spin(*args, **kwargs):
    while True:
        pass


def test_a_function_that_never_returns_is_stopped_with_a_clear_message():
    t0 = time.monotonic()
    result, fb = safe_call(spin, 1, time_limit=LIMIT)
    assert time.monotonic() - t0 < LIMIT + 2
    assert result is None and not fb.passed
    assert f"did not return within {LIMIT:g} s" in fb.message and "stopped" in fb.message


def test_except_exception_in_student_code_cannot_swallow_the_time_limit():
    def stubborn():
        while True:
            try:
                while True:
                    pass
            except Exception:  # noqa: BLE001 - what a student might write
                pass
    _, fb = safe_call(stubborn, time_limit=LIMIT)
    assert "did not return" in fb.message


def test_sleeping_code_is_stopped_too_and_fast_code_is_unaffected():
    assert "did not return" in safe_call(time.sleep, 30, time_limit=LIMIT)[1].message
    assert safe_call(lambda x: x * 2, 21, time_limit=LIMIT) == (42, None)
    _, fb = safe_call(lambda: 1 / 0, time_limit=LIMIT)
    assert "ZeroDivisionError" in fb.message and "line" in fb.message


def test_the_default_limit_is_the_module_setting(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", LIMIT)
    assert f"within {LIMIT:g} s" in safe_call(spin)[1].message
    with pytest.raises(ValueError, match="positive number of seconds"):
        safe_call(spin, time_limit=0)


def test_the_previous_alarm_handler_and_a_pending_timer_are_restored():
    fired = []

    def mine(signum, frame):
        fired.append(signum)

    old = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.5)
        safe_call(spin, time_limit=LIMIT)
        assert signal.getsignal(signal.SIGALRM) is mine
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining < 1.5, "the outer timer must keep running with its remaining time"
        time.sleep(remaining + 0.2)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_outside_the_main_thread_the_code_is_abandoned_and_the_message_says_so():
    stop = threading.Event()

    def spin_until_stopped():
        while not stop.is_set():
            pass

    box = {}
    caller = threading.Thread(target=lambda: box.update(out=safe_call(spin_until_stopped, time_limit=LIMIT)))
    caller.start()
    caller.join(LIMIT + 5)
    stop.set()   # let the abandoned worker end, so that it does not spin for the rest of the session
    assert not caller.is_alive(), "safe_call must return even when it cannot interrupt the code"
    result, fb = box["out"]
    assert result is None and "did not return" in fb.message and "restart the kernel" in fb.message
    box.clear()
    caller = threading.Thread(target=lambda: box.update(out=safe_call(lambda: 1 / 0, time_limit=LIMIT)))
    caller.start()
    caller.join(5)
    assert "ZeroDivisionError" in box["out"][1].message


def _checkers():
    """Every check_… function of every chapter's exercise module (found, not listed by hand)."""
    for info in pkgutil.iter_modules(exercises.__path__):
        module = importlib.import_module(f"{exercises.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_") and fn.__module__ == module.__name__:
                yield pytest.param(fn, id=f"{info.name}.{name}")


@pytest.mark.parametrize("check", list(_checkers()))
def test_no_checker_hangs_on_a_function_that_never_returns(check, monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", LIMIT)
    t0 = time.monotonic()
    fb = check(spin)
    assert time.monotonic() - t0 < LIMIT + 5
    assert isinstance(fb, checking.Feedback) and not fb.passed
    # checkers of a function say it did not return; the others (e.g. numbers by hand) say what they expected
    assert "did not return" in fb.message or "got function" in fb.message, fb.message
