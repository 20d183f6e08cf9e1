"""The GRU's conventions side by side, with exact weight converters where an exact conversion exists.

All write the same family of cells; they differ in three independent choices.

1. **Update direction.** PyTorch, Cho et al. (2014), Keras::

       h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}          z ≈ 1 keeps the old state

   Chung et al. (2014), colah's blog, many tutorials::

       h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ n_t          z ≈ 1 takes the new candidate

   Exact conversion: since σ(−a) = 1 − σ(a), negating the z rows of both weight matrices and both biases
   turns one into the other (:func:`flip_update_gate`, its own inverse).

2. **Where the reset gate acts.** Reset-after (PyTorch, Keras ``reset_after=True``, cuDNN)::

       n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))

   Reset-before (Cho et al. 2014, Chung et al. 2014, Keras ``reset_after=False``, ``gru_teach.GRU(reset_after=False)``)::

       n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn)

   No exact conversion: r_t ⊙ (W h) and W (r_t ⊙ h) agree for all h only when W is diagonal (and b_hn = 0
   or r ≡ 1). :func:`convert` raises :class:`NoExactConversion` rather than return an approximation.

3. **Layout.** PyTorch: ``weight_ih`` (3H, I), ``weight_hh`` (3H, H), ``bias_ih``, ``bias_hh`` (3H,), blocks
   (r, z, n). Keras: ``kernel`` (I, 3H), ``recurrent_kernel`` (H, 3H), blocks (z, r, h); ``bias`` (2, 3H) with
   reset_after (row 0 input bias, row 1 recurrent bias), (3H,) without. Exact conversion: reorder the blocks
   and transpose (:func:`keras_to_torch`, :func:`torch_to_keras`).

The step functions here (``step``, ``keras_step``) are written independently of ``gru_teach.GRU`` and
``torch`` so that the tests can check the converters against them.
"""
from __future__ import annotations

import numpy as np

from ..cells.recurrent import sigmoid

TORCH_ORDER = ("r", "z", "n")
KERAS_ORDER = ("z", "r", "n")     # Keras calls the candidate block "h"

#: name -> (reset placement, update direction, layout)
CONVENTIONS = {
    "pytorch": ("after", "keep", "torch"),
    "cho": ("before", "keep", "torch"),            # = gru_teach.GRU(reset_after=False)
    "chung": ("before", "take", "torch"),          # Chung et al. 2014 / colah, stored in torch layout
    "chung_reset_after": ("after", "take", "torch"),   # PyTorch's cell written with Chung's update rule
    "keras": ("after", "keep", "keras"),           # keras.layers.GRU(reset_after=True), the default
    "keras_reset_before": ("before", "keep", "keras"),
}


class NoExactConversion(ValueError):
    """Raised when two conventions differ in where the reset gate acts: no weights make them equal."""


def _blocks(W, H):
    return {g: W[i * H:(i + 1) * H] for i, g in enumerate(TORCH_ORDER)}


def step(x, h, params, *, reset_after: bool = True, update: str = "keep") -> np.ndarray:
    """One step of a torch-layout GRU in any of the four (reset, update) combinations.

    x (I,) or (B, I), h (H,) or (B, H); ``params`` has ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``.
    ``update="keep"``: h' = (1 − z) n + z h (PyTorch, Cho); ``"take"``: h' = (1 − z) h + z n (Chung).
    """
    if update not in ("keep", "take"):
        raise ValueError(f"update must be 'keep' or 'take'; got {update!r}")
    x, h = np.asarray(x, float), np.asarray(h, float)
    H = h.shape[-1]
    Wi, Wh = _blocks(np.asarray(params["weight_ih"], float), H), _blocks(np.asarray(params["weight_hh"], float), H)
    bi, bh = _blocks(np.asarray(params["bias_ih"], float), H), _blocks(np.asarray(params["bias_hh"], float), H)
    r = sigmoid(x @ Wi["r"].T + bi["r"] + h @ Wh["r"].T + bh["r"])
    z = sigmoid(x @ Wi["z"].T + bi["z"] + h @ Wh["z"].T + bh["z"])
    if reset_after:
        n = np.tanh(x @ Wi["n"].T + bi["n"] + r * (h @ Wh["n"].T + bh["n"]))
    else:
        n = np.tanh(x @ Wi["n"].T + bi["n"] + (r * h) @ Wh["n"].T + bh["n"])
    return (1 - z) * n + z * h if update == "keep" else (1 - z) * h + z * n


def keras_step(x, h, kernel, recurrent_kernel, bias, *, reset_after: bool = True) -> np.ndarray:
    """One step of ``keras.layers.GRUCell`` written from its equations (row vectors, blocks z, r, h)::

        z = σ(x K_z + b_z + h U_z + b'_z)      r = σ(x K_r + b_r + h U_r + b'_r)
        reset_after:  hh = tanh(x K_h + b_h + r ⊙ (h U_h + b'_h))       bias (2, 3H) = [b; b']
        otherwise:    hh = tanh(x K_h + b_h + (r ⊙ h) U_h)               bias (3H,)
        h' = z ⊙ h + (1 − z) ⊙ hh
    """
    x, h = np.asarray(x, float), np.asarray(h, float)
    K, U, b = np.asarray(kernel, float), np.asarray(recurrent_kernel, float), np.asarray(bias, float)
    H = h.shape[-1]
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros(3 * H))
    mx = x @ K + b_in
    x_z, x_r, x_h = mx[..., :H], mx[..., H:2 * H], mx[..., 2 * H:]
    mh = h @ U[:, :2 * H] + b_rec[:2 * H]
    z = sigmoid(x_z + mh[..., :H])
    r = sigmoid(x_r + mh[..., H:])
    if reset_after:
        hh = np.tanh(x_h + r * (h @ U[:, 2 * H:] + b_rec[2 * H:]))
    else:
        hh = np.tanh(x_h + (r * h) @ U[:, 2 * H:])
    return z * h + (1 - z) * hh


def _copy(params):
    return {k: np.array(v, dtype=float) for k, v in params.items()}


def flip_update_gate(params) -> dict[str, np.ndarray]:
    """Chung ↔ PyTorch/Cho update direction: negate the z block of both weights and both biases.

    σ(−a) = 1 − σ(a), so the new z' equals 1 − z and (1 − z') n + z' h = z n + (1 − z) h. Applying it twice
    gives the original weights back. The reset placement is unchanged.
    """
    out = _copy(params)
    H = out["weight_hh"].shape[1]
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        out[name][H:2 * H] *= -1
    return out


def _reorder(W, H, src, dst, axis):
    W = np.asarray(W, float)
    parts = {g: np.take(W, range(i * H, (i + 1) * H), axis=axis) for i, g in enumerate(src)}
    return np.concatenate([parts[g] for g in dst], axis=axis)


def keras_to_torch(kernel, recurrent_kernel, bias) -> dict[str, np.ndarray]:
    """Keras GRU weights -> torch layout: reorder (z, r, h) -> (r, z, n) and transpose.

    ``bias`` (2, 3H) (reset_after=True) gives both biases; a (3H,) bias (reset_after=False) becomes
    ``bias_ih`` with ``bias_hh = 0`` (the result is then a reset-before cell, ``gru_teach.GRU(reset_after=False)``).
    """
    K, U, b = np.asarray(kernel, float), np.asarray(recurrent_kernel, float), np.asarray(bias, float)
    H = U.shape[0]
    if K.shape[1] != 3 * H or U.shape != (H, 3 * H):
        raise ValueError(f"expected kernel (I, 3H) and recurrent_kernel (H, 3H); got {K.shape}, {U.shape}")
    if b.shape == (2, 3 * H):
        b_ih, b_hh = b[0], b[1]
    elif b.shape == (3 * H,):
        b_ih, b_hh = b, np.zeros(3 * H)
    else:
        raise ValueError(f"expected bias of shape (2, {3 * H}) or ({3 * H},); got {b.shape}")
    return {"weight_ih": _reorder(K, H, KERAS_ORDER, TORCH_ORDER, axis=1).T,
            "weight_hh": _reorder(U, H, KERAS_ORDER, TORCH_ORDER, axis=1).T,
            "bias_ih": _reorder(b_ih, H, KERAS_ORDER, TORCH_ORDER, axis=0),
            "bias_hh": _reorder(b_hh, H, KERAS_ORDER, TORCH_ORDER, axis=0)}


def torch_to_keras(params, *, reset_after: bool = True) -> dict[str, np.ndarray]:
    """Torch-layout weights -> Keras ``kernel``, ``recurrent_kernel``, ``bias`` (inverse of keras_to_torch).

    With ``reset_after=False`` (``params`` then describe a reset-before cell) Keras has one bias: every block of
    ``bias_hh`` sits outside the product with r, so it folds exactly into the input bias.
    """
    H = np.asarray(params["weight_hh"]).shape[1]
    K = _reorder(np.asarray(params["weight_ih"], float).T, H, TORCH_ORDER, KERAS_ORDER, axis=1)
    U = _reorder(np.asarray(params["weight_hh"], float).T, H, TORCH_ORDER, KERAS_ORDER, axis=1)
    b_ih = _reorder(params["bias_ih"], H, TORCH_ORDER, KERAS_ORDER, axis=0)
    b_hh = _reorder(params["bias_hh"], H, TORCH_ORDER, KERAS_ORDER, axis=0)
    if reset_after:
        bias = np.stack([b_ih, b_hh])
    else:
        bias = b_ih + b_hh
    return {"kernel": K, "recurrent_kernel": U, "bias": bias}


def convert(params, source: str, target: str) -> dict[str, np.ndarray]:
    """Convert torch-layout ``params`` between named conventions (see :data:`CONVENTIONS`).

    Keras layouts are handled by :func:`keras_to_torch`/:func:`torch_to_keras`; here both ends use the torch
    layout. Raises :class:`NoExactConversion` when the reset placement differs.
    """
    for name in (source, target):
        if name not in CONVENTIONS:
            raise KeyError(f"unknown convention {name!r}; expected one of {sorted(CONVENTIONS)}")
    (r_src, u_src, l_src), (r_dst, u_dst, l_dst) = CONVENTIONS[source], CONVENTIONS[target]
    if "keras" in (l_src, l_dst):
        raise ValueError("use keras_to_torch / torch_to_keras for the Keras layout")
    if r_src != r_dst:
        raise NoExactConversion(
            f"{source!r} applies the reset gate {r_src} the recurrent product and {target!r} {r_dst} it: "
            "r ⊙ (W h + b) and W (r ⊙ h) + b differ for general W, so no choice of weights makes the two cells "
            "compute the same function. Retrain (or fine-tune) in the target convention instead.")
    return flip_update_gate(params) if u_src != u_dst else _copy(params)


def reset_placement_gap(params, xs, h0=None) -> np.ndarray:
    """max |h_after − h_before| per step when the same weights run reset-after and reset-before (xs (T, I))."""
    xs = np.asarray(xs, float)
    H = np.asarray(params["weight_hh"]).shape[1]
    h_a = h_b = np.zeros(H) if h0 is None else np.asarray(h0, float)
    gaps = []
    for x in xs:
        h_a = step(x, h_a, params, reset_after=True)
        h_b = step(x, h_b, params, reset_after=False)
        gaps.append(np.max(np.abs(h_a - h_b)))
    return np.array(gaps)
