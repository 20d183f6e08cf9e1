import numpy as np
import torch

from gru_teach.tasks import forecasting, language
from gru_teach.teaching.exercises import ch05


def good_windows(series, window, horizon):
    x, y, _ = forecasting.make_windows(series, window, horizon)
    return x, y


def test_windows_check_accepts_the_reference_and_names_leakage_and_off_by_one():
    assert ch05.check_windows(good_windows)

    def overlapping(series, window, horizon):        # target starts with the last input: leakage
        n = len(series) - window - horizon + 1
        x = np.stack([series[t - window:t] for t in range(window, window + n)])[..., None]
        y = np.stack([series[t - 1:t - 1 + horizon] for t in range(window, window + n)])
        return x, y
    fb = ch05.check_windows(overlapping)
    assert not fb and "leakage" in fb.message

    def one_short(series, window, horizon):
        x, y = good_windows(series, window, horizon)
        return x[:-1], y[:-1]
    fb = ch05.check_windows(one_short)
    assert not fb and "last window is missing" in fb.message

    fb = ch05.check_windows(lambda s, w, h: (good_windows(s, w, h)[0][..., 0], good_windows(s, w, h)[1]))
    assert not fb and "feature axis" in fb.message


def test_scaling_check_names_the_leak():
    def good(train, test):
        lo, hi = train.min(), train.max()
        return (train - lo) / (hi - lo), (test - lo) / (hi - lo)
    assert ch05.check_train_only_scaling(good)

    def on_all(train, test):
        both = np.concatenate([train, test])
        lo, hi = both.min(), both.max()
        return (train - lo) / (hi - lo), (test - lo) / (hi - lo)
    fb = ch05.check_train_only_scaling(on_all)
    assert not fb and "leaked" in fb.message

    def refit(train, test):
        return good(train, train)[0], (test - test.min()) / (test.max() - test.min())
    fb = ch05.check_train_only_scaling(refit)
    assert not fb and "their own minimum" in fb.message


def test_collate_check_accepts_reference_and_names_mistakes():
    assert ch05.check_pad_and_sort(language.pad_and_sort)

    def unsorted(batch):
        lengths = torch.tensor([len(ids) for ids, _ in batch])
        padded = torch.nn.utils.rnn.pad_sequence([ids for ids, _ in batch], batch_first=True)
        return (padded, lengths), torch.tensor([label for _, label in batch])
    fb = ch05.check_pad_and_sort(unsorted)
    assert not fb and "sorted longest first" in fb.message

    def labels_not_moved(batch):
        (padded, lengths), _ = language.pad_and_sort(batch)
        return (padded, lengths), torch.tensor([label for _, label in batch])
    fb = ch05.check_pad_and_sort(labels_not_moved)
    assert not fb and "not reordered" in fb.message

    def pad_with_minus_one(batch):
        (padded, lengths), labels = language.pad_and_sort(batch)
        for i, n in enumerate(lengths.tolist()):
            padded[i, n:] = -1
        return (padded, lengths), labels
    fb = ch05.check_pad_and_sort(pad_with_minus_one)
    assert not fb and "padding is not 0" in fb.message

    def time_first(batch):
        (padded, lengths), labels = language.pad_and_sort(batch)
        return (padded.T, lengths), labels
    fb = ch05.check_pad_and_sort(time_first)
    assert not fb and "batch first" in fb.message


def test_checks_never_crash_on_bad_student_code():
    def broken(*args):
        raise RuntimeError("boom")
    for check in (ch05.check_windows, ch05.check_train_only_scaling, ch05.check_pad_and_sort):
        for student in (broken, lambda *a: None, lambda *a: "text", lambda *a: (None, None),
                        lambda *a: ((1, 2), 3), lambda *a: (np.full(3, np.nan), np.full(3, np.nan)), 42):
            fb = check(student)
            assert not fb and fb.message


def test_ragged_or_raising_answers_get_messages():
    fb = ch05.check_windows(lambda s, w, h: None)
    assert not fb and "forget to `return`" in fb.message
    fb = ch05.check_windows(lambda s, w, h: ([[1, 2], [3]], [1]))
    assert not fb and "arrays of numbers" in fb.message
    fb = ch05.check_windows(lambda s, w, h: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message
