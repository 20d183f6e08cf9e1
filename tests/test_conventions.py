"""gru_teach.analysis.conventions: exact converters give identical outputs; the inexact one refuses."""
import numpy as np
import pytest
import torch

from gru_teach import GRU
from gru_teach.analysis.conventions import (CONVENTIONS, NoExactConversion, convert, flip_update_gate, keras_step,
                                   keras_to_torch, reset_placement_gap, step, torch_to_keras)

I, H = 3, 4


@pytest.fixture
def params():
    rng = np.random.default_rng(0)
    return {"weight_ih": rng.normal(size=(3 * H, I)), "weight_hh": rng.normal(size=(3 * H, H)),
            "bias_ih": rng.normal(size=3 * H), "bias_hh": rng.normal(size=3 * H)}


@pytest.fixture
def xh():
    rng = np.random.default_rng(1)
    return rng.normal(size=(6, I)), rng.uniform(-1, 1, (6, H))


def run(step_fn, xs, h0):
    """Run a one-step function over a sequence (T, I) from h0 (H,); all states (T, H)."""
    h, out = h0, []
    for x in xs:
        h = step_fn(x, h)
        out.append(h)
    return np.array(out)


def test_reference_step_equals_torch_and_gru_teach(params, xh):
    x, h = xh
    cell = torch.nn.GRUCell(I, H, dtype=torch.float64)
    with torch.no_grad():
        for name, value in params.items():
            getattr(cell, name).copy_(torch.from_numpy(value))
        expected = cell(torch.from_numpy(x), torch.from_numpy(h)).numpy()
    np.testing.assert_allclose(step(x, h, params), expected, atol=1e-14)
    gru = GRU(I, H)
    gru.set_parameters(**params)
    np.testing.assert_allclose(step(x[0], h[0], params), gru.forward(x[:1, None], h[:1])[1][0], atol=1e-14)


def test_reset_before_step_is_gru_teach_reset_after_false(params, xh):
    x, h = xh
    gru = GRU(I, H, reset_after=False)
    gru.set_parameters(**params)
    np.testing.assert_allclose(step(x, h, params, reset_after=False), gru.forward(x[:, None], h)[1], atol=1e-14)


@pytest.mark.parametrize("reset_after", [True, False])
def test_flip_update_gate_turns_chung_into_pytorch_exactly(params, xh, reset_after):
    xs, h0 = xh[0], xh[1][0]
    chung = run(lambda x, h: step(x, h, params, reset_after=reset_after, update="take"), xs, h0)
    flipped = flip_update_gate(params)
    torch_like = run(lambda x, h: step(x, h, flipped, reset_after=reset_after), xs, h0)
    np.testing.assert_allclose(torch_like, chung, atol=1e-14)
    # and the unflipped weights really do compute something else
    assert np.max(np.abs(run(lambda x, h: step(x, h, params, reset_after=reset_after), xs, h0) - chung)) > 0.1


def test_flip_update_gate_is_its_own_inverse_and_touches_only_z(params):
    once, twice = flip_update_gate(params), flip_update_gate(flip_update_gate(params))
    for name, value in params.items():
        np.testing.assert_array_equal(twice[name], value)
        np.testing.assert_array_equal(once[name][H:2 * H], -value[H:2 * H])
        np.testing.assert_array_equal(once[name][:H], value[:H])
        np.testing.assert_array_equal(once[name][2 * H:], value[2 * H:])
    assert once["weight_ih"] is not params["weight_ih"]      # the input is not modified


def test_chung_to_pytorch_conversion_matches_torch_grucell(params, xh):
    x, h = xh
    torch_params = convert(params, "chung_reset_after", "pytorch")
    cell = torch.nn.GRUCell(I, H, dtype=torch.float64)
    with torch.no_grad():
        for name, value in torch_params.items():
            getattr(cell, name).copy_(torch.from_numpy(value))
        got = cell(torch.from_numpy(x), torch.from_numpy(h)).numpy()
    np.testing.assert_allclose(got, step(x, h, params, update="take"), atol=1e-14)


def test_chung_to_cho_is_exact_and_feeds_gru_teach_reset_before(params, xh):
    xs, h0 = xh[0], xh[1][0]
    cho = convert(params, "chung", "cho")
    gru = GRU(I, H, reset_after=False)
    gru.set_parameters(**cho)
    out, _ = gru.forward(xs[None], h0[None])
    chung = run(lambda x, h: step(x, h, params, reset_after=False, update="take"), xs, h0)
    np.testing.assert_allclose(out[0], chung, atol=1e-14)


@pytest.mark.parametrize("source,target", [("chung", "pytorch"), ("cho", "pytorch"), ("pytorch", "cho"),
                                           ("chung_reset_after", "chung")])
def test_reset_before_to_after_has_no_exact_conversion(params, source, target):
    with pytest.raises(NoExactConversion, match="reset gate"):
        convert(params, source, target)


def test_convert_rejects_unknown_names_and_keras(params):
    with pytest.raises(KeyError):
        convert(params, "tensorflow", "pytorch")
    with pytest.raises(ValueError, match="keras_to_torch"):
        convert(params, "keras", "pytorch")
    assert set(CONVENTIONS) >= {"pytorch", "cho", "chung", "keras"}


@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_round_trip_and_outputs_identical(params, xh, reset_after):
    x, h = xh
    keras = torch_to_keras(params, reset_after=reset_after)
    assert keras["kernel"].shape == (I, 3 * H) and keras["recurrent_kernel"].shape == (H, 3 * H)
    assert keras["bias"].shape == ((2, 3 * H) if reset_after else (3 * H,))
    np.testing.assert_allclose(keras_step(x, h, **keras, reset_after=reset_after),
                               step(x, h, params, reset_after=reset_after), atol=1e-14)
    back = keras_to_torch(**keras)
    np.testing.assert_allclose(step(x, h, back, reset_after=reset_after),
                               step(x, h, params, reset_after=reset_after), atol=1e-14)
    if reset_after:
        for name, value in params.items():
            np.testing.assert_array_equal(back[name], value)


def test_keras_blocks_are_z_r_h_and_transposed():
    # a Keras kernel whose z, r, h columns are 1, 2, 3 lands in torch rows r = 2, z = 1, n = 3
    kernel = np.concatenate([np.full((1, H), v) for v in (1.0, 2.0, 3.0)], axis=1)
    p = keras_to_torch(kernel, np.zeros((H, 3 * H)), np.zeros((2, 3 * H)))
    assert p["weight_ih"].shape == (3 * H, 1)
    assert p["weight_ih"][:H, 0].tolist() == [2.0] * H and p["weight_ih"][H:2 * H, 0].tolist() == [1.0] * H
    with pytest.raises(ValueError, match="bias"):
        keras_to_torch(kernel, np.zeros((H, 3 * H)), np.zeros(4))


def test_reset_placement_gap_is_zero_only_when_reset_cannot_matter(params, xh):
    xs = xh[0]
    gap = reset_placement_gap(params, xs)
    assert gap.shape == (len(xs),) and gap[0] > 1e-3          # b_hn ≠ 0 already matters at h0 = 0
    neutral = dict(params, bias_hh=np.r_[params["bias_hh"][:2 * H], np.zeros(H)],
                   weight_hh=np.r_[params["weight_hh"][:2 * H], np.diag(np.arange(1.0, H + 1))])
    assert np.max(reset_placement_gap(neutral, xs)) < 1e-14   # diagonal W_hn, b_hn = 0: identical
