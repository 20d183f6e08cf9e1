"""gru_teach.training.optim: the NumPy SGD and Adam make exactly torch.optim's updates."""
import numpy as np
import pytest
import torch

from gru_teach.training.optim import SGD, Adam


def _compare(ours_cls, torch_cls, steps=5, **kw):
    rng = np.random.default_rng(0)
    params = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=4)}
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params.values()]
    ours, theirs = ours_cls(params, **kw), torch_cls(tparams, **kw)
    for _ in range(steps):
        grads = {k: rng.normal(size=p.shape) for k, p in params.items()}
        ours.step(grads)
        for tp, g in zip(tparams, grads.values()):
            tp.grad = torch.tensor(g)
        theirs.step()
    return max(np.abs(p - tp.detach().numpy()).max() for p, tp in zip(params.values(), tparams))


def test_adam_matches_torch():
    assert _compare(Adam, torch.optim.Adam, lr=0.05, betas=(0.8, 0.99), eps=1e-6) < 1e-12


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(momentum):
    assert _compare(SGD, torch.optim.SGD, lr=0.1, momentum=momentum) < 1e-12


def test_updates_are_in_place_and_descend():
    x = np.array([3.0, -2.0])
    params = {"x": x}
    opt = Adam(params, lr=0.1)
    for _ in range(200):
        opt.step({"x": 2 * x})                         # gradient of |x|²
    assert params["x"] is x and np.abs(x).max() < 0.05


def test_bad_arguments():
    with pytest.raises(ValueError):
        Adam({}, lr=0)
    with pytest.raises(ValueError):
        SGD({}, lr=0.1, momentum=1.0)
    with pytest.raises(KeyError):
        SGD({"w": np.zeros(2)}).step({})
