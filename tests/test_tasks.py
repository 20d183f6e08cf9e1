import math

import numpy as np
import pytest

from gru_teach import tasks


def test_adding_problem_shapes_and_exactly_two_markers_one_per_half():
    x, y = tasks.adding_problem(64, 20, seed=0)
    assert x.shape == (64, 20, 2) and y.shape == (64, 1)
    m = x[..., 1]
    assert np.all(m.sum(axis=1) == 2)
    assert np.all(m[:, :10].sum(axis=1) == 1) and np.all(m[:, 10:].sum(axis=1) == 1)


def test_adding_problem_target_is_sum_of_marked_values():
    x, y = tasks.adding_problem(16, 7, seed=3)
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * x[..., 1]).sum(axis=1), rtol=1e-6)
    assert np.all((x[..., 0] >= 0) & (x[..., 0] <= 1))


def test_adding_problem_is_seeded():
    a, b = tasks.adding_problem(4, 9, seed=5), tasks.adding_problem(4, 9, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], tasks.adding_problem(4, 9, seed=6)[0])


def test_adding_baseline_is_one_sixth_and_matches_simulation():
    assert tasks.adding_baseline_mse() == pytest.approx(1 / 6)
    assert tasks.adding_constant_mse(0.5) == pytest.approx(1 / 6 + 0.25)
    _, y = tasks.adding_problem(200_000, 10, seed=0)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=3e-3)


def test_adding_short_memory_baseline_is_one_twelfth():
    """Knowing only the second marked value, the best guess is v_j + 1/2: MSE Var(v_i) = 1/12, below 1/6."""
    assert tasks.adding_short_memory_mse() == pytest.approx(1 / 12)
    T = 10
    x, y = tasks.adding_problem(200_000, T, seed=1)
    marked = x[..., 1] == 1
    first, second = marked[:, : T // 2], marked[:, T // 2:]
    assert np.all(first.sum(1) == 1) and np.all(second.sum(1) == 1)
    v_j = x[:, T // 2:, 0][second]                       # the second marked value, one per sequence
    assert np.mean((y[:, 0] - (v_j + 0.5)) ** 2) == pytest.approx(1 / 12, abs=2e-3)
    # the first marked value is at least ceil(T/2) steps before the end, the second at most ceil(T/2) - 1
    i, j = np.argmax(first, axis=1), T // 2 + np.argmax(second, axis=1)
    assert (T - 1 - i).min() >= -(-T // 2) and (T - 1 - j).max() <= -(-T // 2) - 1


def test_adding_problem_rejects_bad_sizes():
    with pytest.raises(ValueError):
        tasks.adding_problem(4, 1)
    with pytest.raises(ValueError):
        tasks.adding_problem(0, 10)


def test_copy_memory_layout():
    x, y = tasks.copy_memory(5, T=30, seed=0)
    assert x.shape == y.shape == (5, 50)
    assert np.all((x[:, :10] >= 1) & (x[:, :10] <= 8))
    assert np.all(x[:, 10:39] == 0) and np.all(x[:, 39] == 9) and np.all(x[:, 40:] == 0)
    np.testing.assert_array_equal(y[:, -10:], x[:, :10])
    assert np.all(y[:, :40] == 0)


def test_copy_memory_baseline_matches_arjovsky_numbers():
    assert tasks.copy_memory_baseline(100) == pytest.approx(10 * math.log(8) / 120)
    assert round(tasks.copy_memory_baseline(100), 3) == 0.173
    assert round(tasks.copy_memory_baseline(1000), 4) == 0.0204
