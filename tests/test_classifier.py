"""gru_teach.training.classifier and gru_teach.tasks.digits: correct gradients, torch's cross-entropy, and it learns the digits."""
import pytest
import numpy as np
import torch

from gru_teach.training.classifier import GRUClassifier, softmax_cross_entropy, train
from gru_teach.tasks import digits_sequences
from gru_teach.analysis.gradcheck import check_gradients


def test_softmax_cross_entropy_matches_torch():
    rng = np.random.default_rng(0)
    logits, y = rng.normal(size=(5, 4)) * 30, np.array([0, 3, 1, 1, 2])   # large logits: needs the shift
    loss, d = softmax_cross_entropy(logits, y)
    t = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.tensor(y))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12 and np.abs(d - t.grad.numpy()).max() < 1e-14


def test_classifier_gradients_pass_the_gradient_check():
    rng = np.random.default_rng(1)
    model = GRUClassifier(3, 4, 5, seed=0)
    x, y = rng.normal(size=(6, 4, 3)), rng.integers(0, 5, 6)
    _, grads = model.loss_and_grads(x, y)
    grads = {k: v.copy() for k, v in grads.items()}
    report = check_gradients(lambda: model.loss_and_grads(x, y)[0], model.parameters(), grads)
    assert set(report) == set(model.parameters()) and report.worst() < 1e-7, str(report)
    assert model.num_parameters == 3 * 4 * (3 + 4 + 2) + 5 * 4 + 5


def test_digits_split_is_seeded_stratified_and_scaled():
    a, b = digits_sequences(seed=0), digits_sequences(seed=0)
    assert a.x_train.shape == (1347, 8, 8) and a.x_test.shape == (450, 8, 8)
    assert np.array_equal(a.x_test, b.x_test) and 0 <= a.x_train.min() and a.x_train.max() <= 1
    assert np.bincount(a.y_test).min() >= 43           # every digit in the test set (stratified)
    assert not np.array_equal(digits_sequences(seed=1).y_test, a.y_test)


def test_training_learns_the_digits_well_above_chance():
    d = digits_sequences(seed=0)
    model = GRUClassifier(8, 10, 10, seed=0)
    history = train(model, d.x_train[:600], d.y_train[:600], epochs=8, batch_size=64, seed=0)
    assert history["loss"][-1] < 0.6 * history["loss"][0]
    assert model.accuracy(d.x_test, d.y_test) > 0.5    # chance is 0.1


def test_shuffle_rows_permutes_each_sample_and_is_seeded():
    from gru_teach.tasks import shuffle_rows
    x = np.arange(2 * 5 * 3, dtype=float).reshape(2, 5, 3)
    s = shuffle_rows(x, seed=0)
    for a, b in zip(x, s):                      # same rows, other order
        assert sorted(map(tuple, a)) == sorted(map(tuple, b))
    assert not np.array_equal(s, x)
    np.testing.assert_array_equal(s, shuffle_rows(x, seed=0))
    with pytest.raises(ValueError):
        shuffle_rows(x[0])


def test_logistic_regression_baselines_on_the_digits():
    from gru_teach.tasks import digits_sequences, shuffle_rows
    from gru_teach.training import baselines
    data = digits_sequences(test_size=0.25, seed=0)
    assert baselines.logistic_regression_accuracy(data, "flat") > 0.95
    # a bag of rows cannot see the order: shuffling the rows changes its features not at all
    np.testing.assert_allclose(baselines.features(shuffle_rows(data.x_test, 1), "bag"),
                               baselines.features(data.x_test, "bag"))
    with pytest.raises(ValueError):
        baselines.features(data.x_test, "sorted")
