"""The NumPy layers equal torch.nn in float64: outputs, final states and every gradient (max abs error ≤ 1e-9)."""
import numpy as np
import pytest
import torch

from gru_teach import GRU, LSTM, RNN

TOL = 1e-9
SHAPES = [  # (batch, time, input, hidden)
    (3, 5, 4, 6),
    (1, 7, 2, 3),    # batch 1
    (2, 1, 3, 2),    # one time step
    (4, 6, 3, 1),    # hidden size 1
]
KINDS = {
    "gru": (GRU, torch.nn.GRU, {}),
    "lstm": (LSTM, torch.nn.LSTM, {}),
    "rnn_tanh": (RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
}


def _run_both(kind, shape, seed=0):
    """Forward and backward through the torch module and its NumPy copy, with non-zero h0 and d_last."""
    ours_cls, torch_cls, kw = KINDS[kind]
    B, T, I, H = shape
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    module = torch_cls(I, H, batch_first=True, dtype=torch.float64, **kw)
    layer = ours_cls.from_torch(module)
    x = rng.normal(size=(B, T, I))
    is_lstm = kind == "lstm"
    state = tuple(rng.normal(size=(B, H)) for _ in range(2 if is_lstm else 1))
    d_out = rng.normal(size=(B, T, H))
    d_last = tuple(rng.normal(size=(B, H)) for _ in range(2 if is_lstm else 1))

    xt = torch.tensor(x, requires_grad=True)
    st = tuple(torch.tensor(s[None], requires_grad=True) for s in state)
    out_t, last_t = module(xt, st if is_lstm else st[0])
    last_t = last_t if is_lstm else (last_t,)
    loss = (out_t * torch.tensor(d_out)).sum() + sum((l * torch.tensor(d[None])).sum() for l, d in zip(last_t, d_last))
    loss.backward()

    out, last = layer.forward(x, state if is_lstm else state[0])
    dx, d0 = layer.backward(d_out, d_last if is_lstm else d_last[0])
    last = last if is_lstm else (last,)
    d0 = d0 if is_lstm else (d0,)
    errors = {
        "outputs": np.abs(out - out_t.detach().numpy()).max(),
        "last": max(np.abs(a - b.detach().numpy()[0]).max() for a, b in zip(last, last_t)),
        "dx": np.abs(dx - xt.grad.numpy()).max(),
        "d_state0": max(np.abs(a - b.grad.numpy()[0]).max() for a, b in zip(d0, st)),
    }
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        errors[name] = np.abs(layer.grads[name] - getattr(module, name + "_l0").grad.numpy()).max()
    return errors


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "B{}T{}I{}H{}".format(*s))
@pytest.mark.parametrize("kind", KINDS)
def test_forward_and_every_gradient_match_torch(kind, shape):
    errors = _run_both(kind, shape)
    assert set(errors) == {"outputs", "last", "dx", "d_state0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    bad = {k: v for k, v in errors.items() if not v <= TOL}
    assert not bad, f"{kind} {shape}: errors above {TOL}: {bad}"


def test_parity_is_not_vacuous():
    """The parity harness notices a wrong parameter: perturb one weight and the error is large."""
    torch.manual_seed(0)
    module = torch.nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    layer = GRU.from_torch(module)
    layer.weight_hh[5, 1] += 1e-3
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    out, _ = layer.forward(x)
    assert np.abs(out - module(torch.tensor(x))[0].detach().numpy()).max() > 1e-6


def test_gru_cell_round_trip():
    torch.manual_seed(1)
    cell = torch.nn.GRUCell(3, 5, dtype=torch.float64)
    layer = GRU.from_torch(cell)
    rng = np.random.default_rng(1)
    x, h0 = rng.normal(size=(4, 1, 3)), rng.normal(size=(4, 5))
    _, h = layer.forward(x, h0)
    expected = cell(torch.tensor(x[:, 0]), torch.tensor(h0)).detach().numpy()
    assert np.abs(h - expected).max() <= TOL
    back = layer.to_torch(cell=True)
    assert isinstance(back, torch.nn.GRUCell)
    assert torch.equal(back.weight_hh, cell.weight_hh) and torch.equal(back.bias_ih, cell.bias_ih)


@pytest.mark.parametrize("cls", [GRU, LSTM, RNN])
def test_to_torch_then_from_torch_is_identity(cls):
    layer = cls(3, 4, seed=7)
    module = layer.to_torch()
    assert module.batch_first
    again = cls.from_torch(module)
    for name, value in layer.parameters().items():
        np.testing.assert_array_equal(again.parameters()[name], value)


def test_from_torch_rejects_other_modules():
    with pytest.raises(TypeError, match="torch.nn.GRU"):
        GRU.from_torch(torch.nn.LSTM(2, 3))
    with pytest.raises(ValueError, match="num_layers=2"):
        GRU.from_torch(torch.nn.GRU(2, 3, num_layers=2))
    with pytest.raises(ValueError, match="bias=True"):
        RNN.from_torch(torch.nn.RNN(2, 3, bias=False))


def test_rnn_relu_survives_round_trip():
    module = torch.nn.RNN(2, 3, nonlinearity="relu")
    assert RNN.from_torch(module).nonlinearity == "relu"
    assert RNN(2, 3, nonlinearity="relu").to_torch().nonlinearity == "relu"


# ---------------------------------------------------------------- parameters and initialisation
@pytest.mark.parametrize("cls,gates", [(GRU, 3), (LSTM, 4), (RNN, 1)])
def test_parameter_shapes_and_counts_match_torch(cls, gates):
    I, H = 5, 7
    layer = cls(I, H, seed=0)
    shapes = {k: v.shape for k, v in layer.parameters().items()}
    assert shapes == {"weight_ih": (gates * H, I), "weight_hh": (gates * H, H),
                      "bias_ih": (gates * H,), "bias_hh": (gates * H,)}
    module = getattr(torch.nn, cls.TORCH_NAME)(I, H)
    assert layer.num_parameters == sum(p.numel() for p in module.parameters()) == gates * H * (I + H + 2)


def test_initialisation_is_seeded_and_uniform_in_torch_range():
    a, b, c = GRU(4, 16, seed=3), GRU(4, 16, seed=3), GRU(4, 16, seed=4)
    np.testing.assert_array_equal(a.weight_hh, b.weight_hh)
    assert not np.array_equal(a.weight_hh, c.weight_hh)
    bound = 1 / np.sqrt(16)
    for p in a.parameters().values():
        assert np.all(np.abs(p) <= bound)
    assert a.weight_hh.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)  # std of U(-k, k) is k/√3


def test_last_gates_recombine_into_the_state():
    """h_t = (1 − z_t) n_t + z_t h_{t−1}, checked from the gates the layer exposes."""
    layer = GRU(3, 4, seed=0)
    x = np.random.default_rng(0).normal(size=(2, 6, 3))
    out, _ = layer.forward(x)
    g = layer.last_gates()
    assert set(g) == {"r", "z", "n"} and g["r"].shape == (2, 6, 4)
    h_prev = np.concatenate([np.zeros((2, 1, 4)), out[:, :-1]], axis=1)
    np.testing.assert_allclose((1 - g["z"]) * g["n"] + g["z"] * h_prev, out, atol=1e-14)
    assert np.all((g["r"] > 0) & (g["r"] < 1))
    lstm = LSTM(3, 4, seed=0)
    lstm.forward(x)
    assert set(lstm.last_gates()) == {"i", "f", "g", "o"}


# ---------------------------------------------------------------- reset-before (Cho et al. 2014)
def _cho_reference(layer, x, h0):
    """Reset-before GRU written from the paper's equations, one sequence and one step at a time."""
    H = layer.hidden_size
    W_ir, W_iz, W_in = np.split(layer.weight_ih, 3)
    W_hr, W_hz, W_hn = np.split(layer.weight_hh, 3)
    b_ir, b_iz, b_in = np.split(layer.bias_ih, 3)
    b_hr, b_hz, b_hn = np.split(layer.bias_hh, 3)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    outs = np.zeros((x.shape[0], x.shape[1], H))
    for b in range(x.shape[0]):
        h = h0[b]
        for t in range(x.shape[1]):
            r = sig(W_ir @ x[b, t] + b_ir + W_hr @ h + b_hr)
            z = sig(W_iz @ x[b, t] + b_iz + W_hz @ h + b_hz)
            n = np.tanh(W_in @ x[b, t] + b_in + W_hn @ (r * h) + b_hn)
            h = (1 - z) * n + z * h
            outs[b, t] = h
    return outs


def _numeric_grads(layer, x, h0, d_out):
    """Central differences of L = Σ d_out ⊙ outputs for every parameter entry, x and h0."""
    def loss():
        return np.sum(layer.forward(x, h0)[0] * d_out)
    grads = {}
    for arr, name in [*((p, n) for n, p in layer.parameters().items()), (x, "x"), (h0, "h0")]:
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + 1e-6
            up = loss()
            arr[idx] = old - 1e-6
            g[idx] = (up - loss()) / 2e-6
            arr[idx] = old
        grads[name] = g
    return grads


def test_reset_before_forward_matches_independent_reference():
    layer = GRU(3, 4, reset_after=False, seed=2)
    rng = np.random.default_rng(2)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    out, h = layer.forward(x, h0)
    np.testing.assert_allclose(out, _cho_reference(layer, x, h0), atol=1e-13)
    np.testing.assert_array_equal(h, out[:, -1])
    # and it is a different model from reset-after with the same weights
    after = GRU(3, 4, seed=2)
    assert np.abs(after.forward(x, h0)[0] - out).max() > 1e-3


@pytest.mark.parametrize("reset_after", [True, False])
def test_gradients_match_finite_differences(reset_after):
    layer = GRU(2, 3, reset_after=reset_after, seed=5)
    rng = np.random.default_rng(5)
    x, h0, d_out = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 4, 3))
    layer.forward(x, h0)
    dx, dh0 = layer.backward(d_out)
    analytic = {**layer.grads, "x": dx, "h0": dh0}
    numeric = _numeric_grads(layer, x, h0, d_out)
    for name, g in numeric.items():
        np.testing.assert_allclose(analytic[name], g, atol=1e-8, err_msg=name)


def test_reset_before_cannot_go_to_torch():
    with pytest.raises(ValueError, match="reset_after"):
        GRU(2, 3, reset_after=False).to_torch()


# ---------------------------------------------------------------- float32
@pytest.mark.parametrize("cls", [GRU, LSTM, RNN])
def test_float32_path_stays_float32_and_close_to_float64(cls):
    l64 = cls(4, 5, seed=0)
    l32 = cls(4, 5, seed=0, dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(3, 8, 4))
    o64, _ = l64.forward(x)
    o32, _ = l32.forward(x)
    assert o32.dtype == np.float32 and all(p.dtype == np.float32 for p in l32.parameters().values())
    np.testing.assert_allclose(o32, o64, atol=1e-5)
    d = np.ones_like(o64)
    dx64, _ = l64.backward(d)
    dx32, _ = l32.backward(d)
    assert dx32.dtype == np.float32 and l32.grads["weight_hh"].dtype == np.float32
    np.testing.assert_allclose(dx32, dx64, atol=1e-4)
    np.testing.assert_allclose(l32.grads["weight_hh"], l64.grads["weight_hh"], atol=1e-4)


def test_float32_matches_torch_float32():
    torch.manual_seed(0)
    module = torch.nn.GRU(4, 8, batch_first=True)
    layer = GRU.from_torch(module, dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(2, 10, 4)).astype(np.float32)
    np.testing.assert_allclose(layer.forward(x)[0], module(torch.from_numpy(x))[0].detach().numpy(), atol=1e-6)


# ---------------------------------------------------------------- bad input: clear errors
@pytest.mark.parametrize("bad,exc,words", [
    (np.zeros((5, 3)), ValueError, "x[None]"),
    (np.zeros((2, 5, 4)), ValueError, "expects 3"),
    (np.zeros(3), ValueError, "(batch, time, input_size=3)"),
    (np.zeros((0, 5, 3)), ValueError, "at least one"),
    (np.array([[["a", "b", "c"]]]), TypeError, "real numbers"),
    (np.zeros((1, 2, 3), dtype=complex), TypeError, "real numbers"),
])
def test_bad_input_is_rejected_with_a_clear_message(bad, exc, words):
    with pytest.raises(exc) as info:
        GRU(3, 4).forward(bad)
    assert words in str(info.value)
    assert "got" in str(info.value)


def test_bad_state_and_gradient_shapes():
    layer = GRU(3, 4)
    with pytest.raises(ValueError, match=r"h0 must have shape \(batch=2, hidden_size=4\); got shape \(1, 2, 4\)"):
        layer.forward(np.zeros((2, 5, 3)), np.zeros((1, 2, 4)))
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="d_outputs must have shape"):
        layer.backward(np.zeros((2, 4, 4)))
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        LSTM(3, 4).forward(np.zeros((2, 5, 3)), np.zeros((2, 4)))


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="forward"):
        RNN(2, 2).backward(np.zeros((1, 1, 2)))


@pytest.mark.parametrize("kwargs,exc", [
    ({"input_size": 0, "hidden_size": 3}, ValueError),
    ({"input_size": 2.5, "hidden_size": 3}, TypeError),
    ({"input_size": 2, "hidden_size": True}, TypeError),
    ({"input_size": 2, "hidden_size": 3, "dtype": np.int32}, TypeError),
    ({"input_size": 2, "hidden_size": 3, "dtype": "float16"}, TypeError),
])
def test_bad_constructor_arguments(kwargs, exc):
    with pytest.raises(exc, match="got"):
        GRU(**kwargs)


def test_bad_nonlinearity_and_set_parameters():
    with pytest.raises(ValueError, match="sigmoid"):
        RNN(2, 3, nonlinearity="sigmoid")
    layer = GRU(2, 3)
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(9, 3\)"):
        layer.set_parameters(weight_hh=np.zeros((3, 3)))
    with pytest.raises(KeyError, match="weight_xx"):
        layer.set_parameters(weight_xx=np.zeros(3))
