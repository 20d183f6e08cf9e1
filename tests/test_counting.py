"""gru_teach.tasks.counting: aⁿbⁿ / aⁿbⁿcⁿ targets, padding, scoring; digits read pixel by pixel."""
import numpy as np
import pytest

from gru_teach import tasks
from gru_teach.tasks import counting


def legal_next(prefix: str, n: int, letters: int) -> set:
    """The symbols that may follow ``prefix`` inside some string a^m b^m (c^m) with m ≥ len of a-block, by brute force."""
    allowed = set()
    for m in range(1, 3 * n + 2):
        word = counting.counting_string(m, letters)
        if word.startswith(prefix):
            allowed.add(word[len(prefix)] if len(word) > len(prefix) else "end")
    return allowed


@pytest.mark.parametrize("letters", [2, 3])
def test_targets_are_the_legal_next_symbols(letters):
    names = list("abc"[:letters]) + ["end"]
    for n in (1, 2, 5):
        word = counting.counting_string(n, letters)
        y = counting.next_symbol_targets(n, letters)
        assert y.shape == (letters * n, letters + 1)
        for t in range(len(word)):
            assert {names[k] for k in np.flatnonzero(y[t])} == legal_next(word[:t + 1], n, letters), (n, t)


def test_string_and_batch_layout():
    assert counting.counting_string(3) == "aaabbb" and counting.counting_string(2, 3) == "aabbcc"
    x, y = counting.counting_batch([1, 3])
    assert x.shape == (2, 6) and y.shape == (2, 6, 3)
    assert x[1].tolist() == [0, 0, 0, 1, 1, 1] and x[0, :2].tolist() == [0, 1]
    assert np.all(y[0, 2:] == counting.PAD) and np.all(y[1] >= 0)


def test_counting_task_is_seeded_and_in_range():
    x, y = counting.counting_task(64, 7, seed=1, n_min=3)
    ns = (x == 0).sum(axis=1)
    assert ns.min() >= 3 and ns.max() <= 7
    np.testing.assert_array_equal(x, counting.counting_task(64, 7, seed=1, n_min=3)[0])


def test_correct_strings_and_generalisation_limit():
    x, y = counting.counting_batch(np.arange(1, 6))
    p = np.where(y > 0.5, 0.9, 0.1)
    assert counting.correct_strings(p, y).all()                 # padding is ignored
    p[3, 6, 2] = 0.6                                            # n = 4: 'end' predicted one step early
    ok = counting.correct_strings(p, y)
    assert ok.tolist() == [True, True, True, False, True]
    assert counting.generalisation_limit(ok) == 3
    assert counting.generalisation_limit([True] * 4) == 4 and counting.generalisation_limit([False]) == 0


@pytest.mark.parametrize("call, words", [
    (lambda: counting.counting_string(0), "n must be an integer ≥ 1"),
    (lambda: counting.next_symbol_targets(3, letters=4), "letters must be 2"),
    (lambda: counting.counting_batch([]), "non-empty"),
    (lambda: counting.counting_batch([2, 0]), "≥ 1"),
    (lambda: counting.counting_task(4, 3, n_min=5), "n_min must be ≤ n_max"),
    (lambda: counting.correct_strings(np.zeros((1, 2, 3)), np.zeros((1, 4, 3))), "shape"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_digits_by_pixel_is_the_same_images_in_reading_order():
    rows, pixels = tasks.digits_sequences(by="row"), tasks.digits_sequences(by="pixel")
    assert pixels.x_train.shape[1:] == (64, 1)
    np.testing.assert_array_equal(pixels.x_train[:, :, 0], rows.x_train.reshape(len(rows.x_train), 64))
    np.testing.assert_array_equal(pixels.y_test, rows.y_test)
    with pytest.raises(ValueError, match="by must be"):
        tasks.digits_sequences(by="column")
