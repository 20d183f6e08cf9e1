"""The BatchNorm-before-GRU experiment: its layers, its determinism and its summary."""
import numpy as np
import pytest
import torch

from gru_teach.training import normalisation as nz


def test_batch_norm_over_time_standardises_each_feature_over_batch_and_time():
    layer = nz.norm_layer("batch", 3)
    x = torch.randn(16, 10, 3) * torch.tensor([1.0, 5.0, 0.1]) + torch.tensor([2.0, -3.0, 7.0])
    y = layer(x)
    assert y.shape == x.shape
    torch.testing.assert_close(y.mean(dim=(0, 1)), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.std(dim=(0, 1), unbiased=False), torch.ones(3), atol=1e-3, rtol=0)


def test_layer_norm_standardises_each_time_step_of_each_sample():
    y = nz.norm_layer("layer", 4)(torch.randn(2, 5, 4) * 3 + 1)
    torch.testing.assert_close(y.mean(dim=-1), torch.zeros(2, 5), atol=1e-5, rtol=0)
    assert isinstance(nz.norm_layer("none", 4), torch.nn.Identity)
    with pytest.raises(ValueError, match="got 'group'"):
        nz.norm_layer("group", 4)


def test_training_is_seeded_and_learns_something():
    a = nz.train_classifier("layer", 0, epochs=2, hidden=8)
    b = nz.train_classifier("layer", 0, epochs=2, hidden=8)
    assert a == b
    assert a["test_accuracy"] > 0.3  # chance is 0.1


def test_summarise_computes_mean_range_and_gap():
    records = [{"norm": "none", "seed": 0, "train_accuracy": 1.0, "test_accuracy": 0.9},
               {"norm": "none", "seed": 1, "train_accuracy": 0.9, "test_accuracy": 0.7}]
    s = nz.summarise(records)["none"]
    assert s["test_mean"] == pytest.approx(0.8) and s["test_min"] == 0.7 and s["test_max"] == 0.9
    assert s["gap_mean"] == pytest.approx(0.15)
    assert np.isfinite(list(s.values())).all()


def test_shuffled_batches_cover_every_sample_once_per_epoch():
    x, y = np.arange(10)[:, None], np.arange(10)
    batches = list(nz.shuffled_batches(x, y, 4, 2, np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2, 4, 4, 2]
    first, second = (np.concatenate([b[1] for b in batches[i:i + 3]]) for i in (0, 3))
    assert sorted(first) == sorted(second) == list(range(10)) and not np.array_equal(first, second)
