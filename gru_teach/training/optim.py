"""Two optimisers in a few lines of NumPy, with the same update rules as ``torch.optim``.

Both update a dict of parameter arrays *in place* (so a layer's own arrays change), given a dict of gradients
with the same keys.

SGD with momentum μ (torch's form; μ = 0 is plain gradient descent)::

    v ← μ v + g          θ ← θ − lr · v

Adam (Kingma & Ba, 2015), step t = 1, 2, …::

    m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
    m̂ = m / (1 − β1^t)            v̂ = v / (1 − β2^t)
    θ ← θ − lr · m̂ / (√v̂ + ε)
"""
from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Adam"]


class _Optimizer:
    def __init__(self, params: dict, lr: float):
        if not lr > 0:
            raise ValueError(f"lr must be positive; got {lr!r}")
        self.params, self.lr = params, float(lr)

    def _grads(self, grads: dict):
        missing = set(self.params) - set(grads)
        if missing:
            raise KeyError(f"no gradient for {sorted(missing)}")
        return ((name, p, grads[name]) for name, p in self.params.items())


class SGD(_Optimizer):
    """Stochastic gradient descent, optionally with momentum (as ``torch.optim.SGD``)."""

    def __init__(self, params: dict, lr: float = 0.1, momentum: float = 0.0):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, grads: dict) -> None:
        for name, p, g in self._grads(grads):
            if self.momentum:
                v = self.velocity.get(name)
                self.velocity[name] = g.copy() if v is None else self.momentum * v + g
                g = self.velocity[name]
            p -= self.lr * g


class Adam(_Optimizer):
    """Adam with bias correction (as ``torch.optim.Adam`` without weight decay)."""

    def __init__(self, params: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = map(float, betas)
        self.eps = float(eps)
        self.t = 0
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, grads: dict) -> None:
        self.t += 1
        c1, c2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t
        for name, p, g in self._grads(grads):
            m, v = self.m[name], self.v[name]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
