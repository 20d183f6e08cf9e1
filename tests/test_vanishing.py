import numpy as np
import pytest

from gru_teach import GRU, RNN
from gru_teach.analysis import vanishing as v
from gru_teach.training import History


def test_scaled_orthogonal_has_all_singular_values_equal_to_radius():
    W = v.scaled_orthogonal(6, 0.7, seed=0)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.7)
    assert v.spectral_radius(W) == pytest.approx(0.7) and v.spectral_norm(W) == pytest.approx(0.7)


def test_spectral_norm_differs_from_radius_for_non_normal_matrix():
    W = np.array([[0.5, 2.0], [0.0, 0.5]])
    assert v.spectral_radius(W) == pytest.approx(0.5)
    assert v.spectral_norm(W) > 2


def test_rnn_step_jacobian_matches_finite_differences():
    rnn = RNN(2, 4, seed=0)
    x = np.random.default_rng(0).standard_normal((1, 3, 2))
    out, _ = rnn.forward(x)
    J = v.rnn_step_jacobians(rnn)[0, 2]
    h1, eps = out[0, 1], 1e-6
    num = np.empty((4, 4))
    for j in range(4):
        d = np.zeros(4)
        d[j] = eps
        hp = np.tanh(rnn.weight_ih @ x[0, 2] + rnn.bias_ih + rnn.weight_hh @ (h1 + d) + rnn.bias_hh)
        hm = np.tanh(rnn.weight_ih @ x[0, 2] + rnn.bias_ih + rnn.weight_hh @ (h1 - d) + rnn.bias_hh)
        num[:, j] = (hp - hm) / (2 * eps)
    np.testing.assert_allclose(J, num, atol=1e-8)


@pytest.mark.parametrize("model", ["tanh", "relu", "gru"])
def test_jacobian_products_match_torch_autograd(model):
    layer = v.make_layer(model, 5, 1.1, seed=2)
    x = np.random.default_rng(1).standard_normal((2, 9, 4))
    layer.forward(x)
    P = v.jacobian_products(v.step_jacobians(layer))
    assert P.shape == (2, 10, 5, 5)
    np.testing.assert_allclose(P[:, 0], np.broadcast_to(np.eye(5), (2, 5, 5)))
    for t in (0, 4, 8):
        np.testing.assert_allclose(v.torch_jacobians(layer, x, t), P[:, 9 - t], atol=1e-12)


def test_gru_jacobian_tends_to_identity_when_update_gate_saturates():
    layer = v.make_layer("gru", 4, 1.0, seed=0, z_bias=30.0)
    layer.forward(np.zeros((1, 3, 4)))
    np.testing.assert_allclose(v.gru_step_jacobians(layer)[0, -1], np.eye(4), atol=1e-10)
    with pytest.raises(NotImplementedError):
        v.gru_step_jacobians(GRU(2, 3, reset_after=False, seed=0))
    with pytest.raises(TypeError):
        v.step_jacobians(object())


def test_linear_regime_norms_equal_radius_power():
    # with tiny inputs and zero biases a tanh RNN is nearly linear, so ‖∂h_T/∂h_{T-k}‖ ≈ radius^k
    layer = v.make_layer("tanh", 6, 0.8, seed=0)
    layer.set_parameters(bias_ih=np.zeros(6), bias_hh=np.zeros(6))
    norms = v.layer_gradient_norms(layer, 1e-6 * np.ones((1, 20, 4)))
    np.testing.assert_allclose(norms, 0.8 ** np.arange(21), rtol=1e-6)


@pytest.mark.parametrize("radius", [0.5, 0.9, 1.0])
def test_tanh_norms_never_exceed_the_bound(radius):
    norms = v.gradient_norms_vs_lag("tanh", radius, 30, hidden=8, batch=4)
    assert len(norms) == 31 and norms[0] == pytest.approx(1.0)
    assert np.all(norms <= v.theory_bound(radius, np.arange(31)) * (1 + 1e-9))


def test_gradient_norms_vs_lag_is_pure_and_orders_by_radius():
    a = v.gradient_norms_vs_lag("tanh", 0.9, 20, hidden=8, batch=4, seed=3)
    np.testing.assert_array_equal(a, v.gradient_norms_vs_lag("tanh", 0.9, 20, hidden=8, batch=4, seed=3))
    small = v.gradient_norms_vs_lag("tanh", 0.5, 20, hidden=8, batch=4, seed=3)
    assert small[-1] < a[-1]
    assert v.gradient_norms_vs_lag("relu", 1.5, 30, batch=4)[-1] > 10   # explodes (H = 32)
    with pytest.raises(ValueError):
        v.make_layer("lstm", 4, 1.0)


def test_decay_rate_and_geometric_mean_and_norms():
    assert v.decay_rate(0.5 ** np.arange(30)) == pytest.approx(0.5)
    assert v.geometric_mean(np.array([[1.0, 4.0], [4.0, 1.0]]))[0] == pytest.approx(2.0)
    P = np.stack([2 * np.eye(3), np.full((3, 3), np.inf)])
    np.testing.assert_allclose(v.operator_norms(P), [2.0, np.inf])
    np.testing.assert_allclose(v.theory_bound(2.0, [0, 1, 3], gamma=0.25), [1, 0.5, 0.125])


def test_plots_return_figures_with_expected_content():
    import matplotlib
    matplotlib.use("Agg")
    fig = v.plot_norms_vs_lag({"a": 0.5 ** np.arange(5)}, {"a": 0.6 ** np.arange(5)})
    assert len(fig.axes[0].lines) >= 3
    h = History(np.array([1.0, 0.5]), np.array([3.0, 2.0]), clip=1.0)
    assert len(v.plot_histories({"run": h}, baseline=0.2).axes) == 2
    recs = [{"cell": c, "T": T, "seed": 0, "test_mse": m} for c, T, m in
            [("RNN", 10, 0.1), ("RNN", 50, 0.16), ("GRU", 10, 0.01), ("GRU", 50, 0.001)]]
    fig = v.plot_adding_results(recs, 1 / 6)
    assert fig.axes[0].get_yscale() == "log"


def test_explorer_frames_cover_every_combination():
    import matplotlib
    matplotlib.use("Agg")
    from gru_teach.teaching.widgets import vanishing as w
    ex = w.explorer(models=("tanh", "gru"), radii=(0.5,), lengths=(10, 20), dpi=20)
    assert sorted(ex.frames) == ["0-0-0", "0-0-1", "1-0-0", "1-0-1"]
    assert "Gradient norm vs lag" in ex._repr_html_()


def test_clipping_run_diverges_without_clipping_and_not_with_it():
    h_free = v.clipping_run(None, steps=60)
    h_clip = v.clipping_run(1.0, steps=150)   # 60 steps is too close to the threshold on some CPUs
    assert h_free.diverged or np.nanmax(h_free.loss) > 1e3
    assert not h_clip.diverged and np.all(np.isfinite(h_clip.loss))
    assert np.mean(h_clip.loss[-20:]) < 0.5 * np.mean(h_clip.loss[:20])


def test_gradient_terms_by_lag_sum_to_the_bptt_and_autograd_gradient():
    """Pascanu et al.'s sum over lags: the per-lag terms add up to the full ∂L/∂W_hh (NumPy BPTT and torch)."""
    import torch

    rnn = RNN(3, 5, seed=0)
    rnn.set_parameters(weight_hh=v.scaled_orthogonal(5, 0.9, seed=1))
    x = np.random.default_rng(2).standard_normal((4, 12, 3))
    g = np.random.default_rng(3).standard_normal((4, 5))         # ∂L/∂h_T, L = Σ g ⊙ h_T
    rnn.forward(x)
    terms = v.gradient_terms_by_lag(rnn, g)
    assert terms.shape == (12, 5, 5)
    rnn.backward(None, g)
    np.testing.assert_allclose(terms.sum(axis=0), rnn.grads["weight_hh"], atol=1e-12)
    module = rnn.to_torch()
    _, h_T = module(torch.from_numpy(x))
    (h_T[0] * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(terms.sum(axis=0), module.weight_hh_l0.grad.numpy(), atol=1e-12)
    # the lag-0 term is the immediate derivative at the last step: (g ⊙ φ'(a_T))ᵀ h_{T-1}
    out, _ = rnn.forward(x)
    np.testing.assert_allclose(terms[0], (g * (1 - out[:, -1] ** 2)).T @ out[:, -2], atol=1e-12)
    with pytest.raises(TypeError):
        v.gradient_terms_by_lag(GRU(3, 5, seed=0), g)
    with pytest.raises(ValueError):
        v.gradient_terms_by_lag(rnn, g[:, :3])


def test_default_initialisation_keeps_torch_weights():
    """radius=None leaves the recurrent weights at PyTorch's default U(±1/√H); a radius replaces them by ρQ."""
    for model in ("tanh", "gru"):
        default = v.make_layer(model, 16, None, seed=3)
        assert np.abs(default.weight_hh).max() <= 1 / np.sqrt(16)
        assert not np.allclose(default.weight_hh, v.make_layer(model, 16, 1.0, seed=3).weight_hh)
    curve = v.gradient_norms_vs_lag("gru", None, T=20, hidden=8, batch=2)
    assert curve.shape == (21,) and curve[0] == pytest.approx(1.0) and curve[20] < 1
