import numpy as np

from gru_teach.training import clipping
from gru_teach.teaching.exercises import ch01


def good_jacobian(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = np.tanh(W_ih @ x + b_ih + W_hh @ h_prev + b_hh)
    return np.diag(1 - h ** 2) @ W_hh


def test_tanh_jacobian_check_accepts_correct_and_names_mistakes():
    assert ch01.check_tanh_jacobian(good_jacobian)
    fb = ch01.check_tanh_jacobian(lambda x, h, Wi, Wh, bi, bh: Wh)
    assert not fb and "derivative" in fb.message
    fb = ch01.check_tanh_jacobian(lambda *a: good_jacobian(*a).T)
    assert not fb and "transposed" in fb.message
    fb = ch01.check_tanh_jacobian(
        lambda x, h, Wi, Wh, bi, bh: (1 - (Wi @ x + bi + Wh @ h + bh) ** 2)[:, None] * Wh)
    assert not fb and "pre-activation" in fb.message


def test_checks_never_crash_on_bad_student_code():
    def broken(*args):
        raise RuntimeError("boom")

    for check in (ch01.check_tanh_jacobian, ch01.check_vanishing_guaranteed, ch01.check_clip_grad_norm):
        for student in (broken, lambda *a: None, lambda *a: "text", lambda *a: np.full((3, 3), np.nan), 42):
            fb = check(student)
            assert not fb and fb.message
        assert "raised RuntimeError: boom" in check(broken).message, "the student's error must be reported"


def test_vanishing_check_distinguishes_singular_values_from_eigenvalues():
    assert ch01.check_vanishing_guaranteed(lambda W, gamma: bool(np.linalg.norm(W, 2) < 1 / gamma))
    eig = lambda W, gamma: bool(np.max(np.abs(np.linalg.eigvals(W))) < 1 / gamma)  # noqa: E731
    fb = ch01.check_vanishing_guaranteed(eig)
    assert not fb and "singular" in fb.message
    fb = ch01.check_vanishing_guaranteed(lambda W, gamma: bool(np.linalg.norm(W, 2) < 1))
    assert not fb and "γ" in fb.message


def test_clip_check_accepts_gru_teach_clipping_and_rejects_common_mistakes():
    assert ch01.check_clip_grad_norm(clipping.clip_grad_norm)

    def per_array(grads, max_norm):
        total = clipping.global_norm(grads)
        for g in grads.values():
            g *= min(1.0, max_norm / np.linalg.norm(g))
        return total

    fb = ch01.check_clip_grad_norm(per_array)
    assert not fb and "global" in fb.message

    def value_clip(grads, max_norm):
        total = clipping.global_norm(grads)
        for g in grads.values():
            np.clip(g, -max_norm, max_norm, out=g)
        return total

    fb = ch01.check_clip_grad_norm(value_clip)
    assert not fb and "value clipping" in fb.message

    def not_in_place(grads, max_norm):
        return clipping.global_norm(grads)

    fb = ch01.check_clip_grad_norm(not_in_place)
    assert not fb and "in place" in fb.message
