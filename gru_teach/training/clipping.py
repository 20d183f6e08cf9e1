"""Gradient-norm clipping (Pascanu, Mikolov & Bengio, 2013) for NumPy gradients.

If the global norm ‖g‖ = sqrt(Σ_k ‖g_k‖²) exceeds ``max_norm``, every
gradient is scaled by max_norm / ‖g‖, which keeps its direction. This is
what ``torch.nn.utils.clip_grad_norm_`` does.
"""
from __future__ import annotations

import numpy as np


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of all gradient entries."""
    squares = (float(np.sum(np.square(g))) for g in grads.values())
    return float(np.sqrt(sum(squares)))


def clip_grad_norm(grads: dict, max_norm: float) -> float:
    """Scale ``grads`` in place to global norm ≤ ``max_norm``.

    Returns the norm before clipping.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive; got {max_norm!r}")
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)  # the same epsilon as torch
        for g in grads.values():
            g *= scale
    return norm
