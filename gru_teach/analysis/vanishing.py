"""Vanishing and exploding gradients, measured: Jacobian products of the RNN and the GRU, and their plots.

Backpropagation through time multiplies one Jacobian per step. For the plain RNN
h_t = φ(a_t), a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh::

    J_t = ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hh            (φ' = 1 − h_t² for tanh)
    ∂h_T/∂h_{T-k} = J_T J_{T-1} ⋯ J_{T-k+1}
    ‖∂h_T/∂h_{T-k}‖ ≤ (γ σ_max(W_hh))^k,    γ = sup |φ'| (1 for tanh)

so σ_max(W_hh) < 1/γ is sufficient for the gradient to vanish exponentially in the lag k, and σ_max > 1/γ is
necessary for it to explode (Pascanu, Mikolov & Bengio, 2013). For the GRU (PyTorch's reset-after form)::

    J_t = diag(z_t)                                                   the direct, additive path
        + diag((h_{t-1} − n_t) ⊙ z_t ⊙ (1 − z_t)) W_hz
        + diag((1 − z_t) ⊙ (1 − n_t²)) [diag(r_t) W_hn + diag(hn_t ⊙ r_t ⊙ (1 − r_t)) W_hr]

with hn_t = W_hn h_{t-1} + b_hn. When z_t → 1 the Jacobian tends to the identity whatever W_hh is: the gate can
switch the decay off, but only where it is open that way.

The gradient of a loss L(h_T) with respect to the shared recurrent weights is a *sum over lags* (Pascanu et al.,
2013, eqs. 3–5), one term per step s = T − k at which W_hh acted::

    ∂L/∂W_hh = Σ_{k=0}^{T−1} (∂L/∂h_T) (∂h_T/∂h_{T−k}) (∂⁺h_{T−k}/∂W_hh)

where ∂⁺ is the *immediate* derivative (h_{s−1} held fixed): for the RNN, term k is the outer product of
δa_s = ((∂L/∂h_T) P_k) ⊙ φ'(a_s) with h_{s−1}. Each term's size carries the factor ‖P_k‖ = ‖∂h_T/∂h_{T−k}‖, so
when the products vanish the long-lag terms are negligible in the sum: the gradient is dominated by short lags.

Conventions: ``h_0`` is the initial state, ``h_t`` the state after t inputs; the *lag* k = T − t.
"""
from __future__ import annotations

import numpy as np

from ..cells.gru import GRU
from ..cells.rnn import RNN

MODELS = ("tanh", "relu", "gru")


# ----------------------------------------------------------------------------- matrices
def spectral_radius(W) -> float:
    """max |λ| over the eigenvalues of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W, dtype=float)))))


def spectral_norm(W) -> float:
    """The largest singular value σ_max (the operator 2-norm)."""
    return float(np.linalg.norm(np.asarray(W, dtype=float), 2))


def scaled_orthogonal(n: int, radius: float, seed=None) -> np.ndarray:
    """A random orthogonal n×n matrix times ``radius``: every singular value and |eigenvalue| equals radius."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return radius * q * np.sign(np.diag(r))


# ----------------------------------------------------------------------------- Jacobians
def rnn_step_jacobians(rnn: RNN) -> np.ndarray:
    """J_t = diag(φ'(a_t)) W_hh for every t of the layer's last forward: (batch, T, H, H)."""
    return rnn.local_derivative()[..., :, None] * rnn.weight_hh


def gru_step_jacobians(gru: GRU) -> np.ndarray:
    """J_t = ∂h_t/∂h_{t-1} of a reset-after GRU's last forward (formula in the module docstring): (batch, T, H, H)."""
    if not gru.reset_after:
        raise NotImplementedError("gru_step_jacobians implements PyTorch's reset-after GRU only")
    c = gru._require_cache()
    H = gru.hidden_size
    r, z, n, hn, h_prev = c["r"], c["z"], c["n"], c["hn"], c["h_prev"]
    W_hr, W_hz, W_hn = gru.weight_hh[:H], gru.weight_hh[H:2 * H], gru.weight_hh[2 * H:]
    d_n = (1 - z) * (1 - n * n)                      # ∂h/∂a_n (diagonal)
    J = (((h_prev - n) * z * (1 - z))[..., None] * W_hz
         + (d_n * r)[..., None] * W_hn
         + (d_n * hn * r * (1 - r))[..., None] * W_hr)
    idx = np.arange(H)
    J[..., idx, idx] += z
    return J


def step_jacobians(layer) -> np.ndarray:
    """Step Jacobians of an :class:`~gru_teach.RNN` or :class:`~gru_teach.GRU` after ``forward``."""
    if isinstance(layer, GRU):
        return gru_step_jacobians(layer)
    if isinstance(layer, RNN):
        return rnn_step_jacobians(layer)
    raise TypeError(f"expected gru_teach.RNN or gru_teach.GRU; got {type(layer).__name__}")


def jacobian_products(J: np.ndarray) -> np.ndarray:
    """From step Jacobians J (batch, T, H, H) to P (batch, T+1, H, H), P[:, k] = ∂h_T/∂h_{T−k} (P[:, 0] = I)."""
    B, T, H, _ = J.shape
    P = np.empty((B, T + 1, H, H), dtype=J.dtype)
    P[:, 0] = np.eye(H)
    for k in range(1, T + 1):
        P[:, k] = P[:, k - 1] @ J[:, T - k]          # ∂h_T/∂h_{T-k} = ∂h_T/∂h_{T-k+1} · J_{T-k+1}
    return P


def operator_norms(P: np.ndarray) -> np.ndarray:
    """Spectral norm ‖·‖₂ of every matrix in a stack (…, H, H)."""
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(P), axis=(-2, -1))
        safe = np.where(finite[..., None, None], P, 0.0)
        norms = np.linalg.svd(safe, compute_uv=False)[..., 0]
    return np.where(finite, norms, np.inf)


def geometric_mean(a, axis=0) -> np.ndarray:
    """exp(mean(log a)) along ``axis``; zeros give 0 and infinities give inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp(np.mean(np.log(np.asarray(a, dtype=float)), axis=axis))


# ----------------------------------------------------------------------------- the measurement
def make_layer(model: str, hidden: int, radius: float | None, *, input_size: int = 4, seed=0,
               z_bias: float | None = None):
    """An RNN (``model`` "tanh"/"relu") or GRU ("gru") whose recurrent block(s) are ``scaled_orthogonal(radius)``.

    ``radius=None`` keeps PyTorch's default initialisation for the recurrent weights too (every weight uniform in
    ±1/√H, as for all other parameters). For the GRU each of W_hr, W_hz, W_hn is scaled orthogonal; ``z_bias``
    (optional) sets b_hz (and zeroes b_iz), so that z ≈ σ(z_bias) at small inputs.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    rng = np.random.default_rng(seed)
    if model == "gru":
        layer = GRU(input_size, hidden, seed=rng)
        if radius is not None:
            layer.set_parameters(weight_hh=np.concatenate([scaled_orthogonal(hidden, radius, rng) for _ in range(3)]))
        if z_bias is not None:
            b_ih, b_hh = layer.bias_ih.copy(), layer.bias_hh.copy()
            b_ih[hidden:2 * hidden], b_hh[hidden:2 * hidden] = 0.0, z_bias
            layer.set_parameters(bias_ih=b_ih, bias_hh=b_hh)
    else:
        layer = RNN(input_size, hidden, nonlinearity=model, seed=rng)
        if radius is not None:
            layer.set_parameters(weight_hh=scaled_orthogonal(hidden, radius, rng))
    return layer


def gradient_norms_vs_lag(model: str = "tanh", radius: float | None = 0.9, T: int = 50, *, hidden: int = 32,
                          batch: int = 8, input_size: int = 4, seed: int = 0, z_bias: float | None = None,
                          x=None) -> np.ndarray:
    """‖∂h_T/∂h_{T−k}‖₂ for k = 0..T, geometric mean over a batch of random N(0, 1) input sequences.

    Returns an array of length T + 1 (entry 0 is ‖I‖ = 1). Pure: same arguments, same numbers.
    ``radius=None``: PyTorch's default initialisation (see :func:`make_layer`).
    """
    layer = make_layer(model, hidden, radius, input_size=input_size, seed=seed, z_bias=z_bias)
    if x is None:
        x = np.random.default_rng(seed + 1).standard_normal((batch, T, input_size))
    return layer_gradient_norms(layer, x)


def layer_gradient_norms(layer, x) -> np.ndarray:
    """The same measurement for a given layer (e.g. a trained one) and inputs x (batch, T, I)."""
    layer.forward(x)
    return geometric_mean(operator_norms(jacobian_products(step_jacobians(layer))), axis=0)


def gradient_terms_by_lag(rnn: RNN, d_last) -> np.ndarray:
    """Pascanu et al.'s decomposition of ∂L/∂W_hh for a loss of h_T: one (H, H) term per lag k = 0..T−1.

    ``rnn``: an :class:`~gru_teach.RNN` after ``forward``; ``d_last`` = ∂L/∂h_T (batch, H). Term k is
    Σ_batch δa_sᵀ h_{s−1} with s = T − k and δa_s = (d_last · ∂h_T/∂h_s) ⊙ φ'(a_s) (module docstring); the terms
    sum to ``rnn.backward(None, d_last)``'s ``grads["weight_hh"]``. Returns (T, H, H), indexed by lag.
    """
    if not isinstance(rnn, RNN):
        raise TypeError(f"expected a gru_teach.RNN after forward(); got {type(rnn).__name__}")
    cache = rnn._require_cache()
    P = jacobian_products(rnn_step_jacobians(rnn))              # (B, T+1, H, H), P[:, k] = ∂h_T/∂h_{T−k}
    B, T, H = cache["h_prev"].shape
    d_last = np.asarray(d_last, dtype=float)
    if d_last.shape != (B, H):
        raise ValueError(f"d_last must have shape {(B, H)} (batch, hidden); got {d_last.shape}")
    dh = np.einsum("bi,bkij->bkj", d_last, P[:, :T])           # ∂L/∂h_{T−k}, (B, T, H) by lag
    s = T - 1 - np.arange(T)                                    # 0-based step of lag k
    da = dh * rnn.local_derivative()[:, s]                      # δa_{T−k}
    return np.einsum("bki,bkj->kij", da, cache["h_prev"][:, s])


def theory_bound(sigma_max: float, lags, gamma: float = 1.0) -> np.ndarray:
    """The upper bound (γ σ_max)^k of ‖∂h_T/∂h_{T−k}‖ for a plain RNN."""
    return (gamma * sigma_max) ** np.asarray(lags, dtype=float)


def decay_rate(norms, start: int = 5) -> float:
    """Average factor per step, (‖P_K‖/‖P_start‖)^(1/(K−start)), fitted from lag ``start`` to the last lag."""
    norms = np.asarray(norms, dtype=float)
    K = len(norms) - 1
    return float((norms[K] / norms[start]) ** (1.0 / (K - start)))


def torch_jacobians(layer, x, t: int) -> np.ndarray:
    """∂h_T/∂h_t by ``torch.autograd`` (independent of the NumPy backward): (batch, H, H).

    Runs ``layer.to_torch(cell=True)`` from h_t (the NumPy forward's state after t inputs) over x[:, t:].
    The autograd call runs under ``training.torch_threads(1)`` (restored afterwards): the matrices are tiny
    (H ≈ 32), so a second intra-op thread only adds synchronisation, and on a loaded 2-core machine it can make
    the call many times slower; one thread also makes the timing of the chapter predictable.
    """
    import torch

    x = np.asarray(x, dtype=np.float64)
    out, _ = layer.forward(x)
    B, T, _ = x.shape
    if not 0 <= t < T:
        raise ValueError(f"t must be in [0, {T}); got {t}")
    cell = layer.to_torch(cell=True)
    h_t = torch.zeros(B, layer.hidden_size, dtype=torch.float64) if t == 0 else torch.from_numpy(out[:, t - 1].copy())
    xs = torch.from_numpy(x[:, t:])

    def run(h):                   # Σ_b h_T[b]: samples are independent, so its Jacobian holds every sample's block
        for s in range(xs.shape[1]):
            h = cell(xs[:, s], h)
        return h.sum(dim=0)

    from ..training import torch_threads

    with torch_threads(1):                                       # see the docstring
        full = torch.autograd.functional.jacobian(run, h_t)      # (H, B, H): full[i, b, j] = ∂h_T[b, i]/∂h_t[b, j]
    return full.permute(1, 0, 2).numpy()


# ----------------------------------------------------------------------------- plots
def plot_norms_vs_lag(curves: dict, theory: dict | None = None, *, ax=None, title: str = "",
                      ylim=(1e-18, 1e6), tight: bool = True):
    """Log-scale plot of ‖∂h_T/∂h_{T−k}‖ against the lag k; ``theory`` curves are drawn dashed in the same colour."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
    else:
        fig = ax.figure
    theory = theory or {}
    for i, (label, norms) in enumerate(curves.items()):
        colour = f"C{i}"
        ax.semilogy(np.arange(len(norms)), np.clip(norms, 1e-300, None), color=colour, lw=2, label=label)
        if label in theory:
            ax.semilogy(np.arange(len(theory[label])), theory[label], color=colour, lw=1, ls="--")
    if theory:
        ax.plot([], [], color="grey", lw=1, ls="--", label="bound $(\\gamma\\sigma_{max})^k$")
    ax.set_ylim(*ylim)
    ax.set_xlabel("lag $k = T - t$")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_{T-k}\|_2$")
    ax.axhline(1.0, color="black", lw=0.5)
    ax.grid(True, which="major", alpha=0.3)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    if tight:
        fig.tight_layout()
    return fig


def plot_histories(histories: dict, *, baseline: float | None = None, title: str = ""):
    """Two panels: training loss and gradient norm (before clipping) per step, one line per run, log scale."""
    import matplotlib.pyplot as plt

    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(10, 3.4))
    for i, (label, h) in enumerate(histories.items()):
        steps = np.arange(h.steps)
        ax_l.semilogy(steps, h.loss, color=f"C{i}", label=label + (" (diverged)" if h.diverged else ""))
        ax_g.semilogy(steps, h.grad_norm, color=f"C{i}", label=label)
        if h.clip is not None:
            ax_g.axhline(h.clip, color=f"C{i}", ls=":", lw=1)
    if baseline is not None:
        ax_l.axhline(baseline, color="black", ls="--", lw=1, label=f"baseline {baseline:.3f}")
    ax_l.set(xlabel="step", ylabel="training loss (MSE)")
    ax_g.set(xlabel="step", ylabel="gradient norm before clipping")
    for ax in (ax_l, ax_g):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_adding_results(records: list, baseline: float, *, ax=None, title: str = "",
                        short_memory: float | None = None):
    """Test MSE against sequence length T for each cell (each seed a dot, the median a line), log scale.

    ``baseline``: the best constant (1/6); ``short_memory`` (optional): the best a model can do that does not
    remember the first marked value (1/12, :func:`gru_teach.tasks.adding_short_memory_mse`), drawn dotted.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
    else:
        fig = ax.figure
    cells = sorted({r["cell"] for r in records}, key=lambda c: c != "RNN")
    for i, cell in enumerate(cells):
        rows = [r for r in records if r["cell"] == cell]
        Ts = sorted({r["T"] for r in rows})
        ax.scatter([r["T"] for r in rows], [r["test_mse"] for r in rows], color=f"C{i}", s=14, alpha=0.6)
        med = [np.median([r["test_mse"] for r in rows if r["T"] == T]) for T in Ts]
        ax.semilogy(Ts, med, color=f"C{i}", marker="o", label=f"{cell} (median)")
    ax.axhline(baseline, color="black", ls="--", lw=1, label=f"predict 1: MSE = 1/6 ≈ {baseline:.3f}")
    if short_memory is not None:
        ax.axhline(short_memory, color="black", ls=":", lw=1,
                   label=f"forget the first value: MSE = 1/12 ≈ {short_memory:.3f}")
    ax.set(xlabel="sequence length T", ylabel="test MSE", xscale="log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- the clipping experiment
def clipping_run(clip: float | None, *, radius: float = 3.0, lr: float = 0.1, T: int = 20, hidden: int = 16,
                 steps: int = 150, batch: int = 32, seed: int = 0):
    """Plain SGD on the adding problem with a tanh RNN whose W_hh starts as ``scaled_orthogonal(radius)``.

    With radius 3 the first gradients are in the hundreds; without clipping (``clip=None``) SGD at lr = 0.1
    jumps far out and the loss blows up, with clipping every step has length ≤ lr · clip. Returns the
    :class:`~gru_teach.training.History`. Trains on one torch thread (``threads=1``, scoped and restored; see
    :func:`~gru_teach.training.torch_threads` for why).
    """
    import torch

    from .. import tasks
    from ..training import SequenceModel, train

    torch.manual_seed(seed)
    model = SequenceModel(2, hidden, 1, cell="RNN")
    with torch.no_grad():
        model.rnn.weight_hh_l0.copy_(torch.from_numpy(scaled_orthogonal(hidden, radius, seed)))
    rng = np.random.default_rng(seed)
    return train(model, lambda step: tasks.adding_problem(batch, T, rng), torch.nn.functional.mse_loss,
                 torch.optim.SGD(model.parameters(), lr=lr), steps, clip=clip, threads=1)
