"""The shared building blocks: safe checks, clipping, and the no-kernel frame explorer."""
import re

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gru_teach.teaching.checking import Feedback, compare_array, safe_call  # noqa: E402
from gru_teach.training.clipping import clip_grad_norm, global_norm  # noqa: E402
from gru_teach.teaching.widgets.frames import frame_explorer, render_frames  # noqa: E402


def test_safe_call_turns_exceptions_into_feedback():
    def broken(x):
        return x / undefined_name  # noqa: F821
    result, fb = safe_call(broken, 1)
    assert result is None and not fb.passed
    assert "NameError" in fb.message and "undefined_name" in fb.message
    assert safe_call(lambda x: x + 1, 1) == (2, None)
    assert "expected a function" in safe_call(42)[1].message


@pytest.mark.parametrize("got,words", [
    (None, "None"), ("abc", "array of numbers"), (np.zeros(3), "shape (3,)"),
    (np.array([[np.nan, 0]]), "NaN"), (np.array([[1.0, 2.1]]), "differs"),
])
def test_compare_array_explains_each_failure(got, words):
    fb = compare_array(got, np.array([[1.0, 2.0]]), "h")
    assert isinstance(fb, Feedback) and not fb and words in fb.message


def test_compare_array_accepts_a_match_and_feedback_renders():
    assert compare_array([[1.0, 2.0]], np.array([[1.0, 2.0]])) is None
    fb = Feedback(True, "fine <ok>")
    assert str(fb).startswith("✅") and "&lt;ok>" in fb._repr_html_()


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(0)
    grads = {"a": rng.normal(size=(3, 4)) * 10, "b": rng.normal(size=5)}
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads.values()]
    for p, g in zip(params, grads.values()):
        p.grad = torch.tensor(g)
    before_t = torch.nn.utils.clip_grad_norm_(params, 1.0)
    before = clip_grad_norm(grads, 1.0)
    assert before == pytest.approx(float(before_t))
    for p, g in zip(params, grads.values()):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12)
    assert global_norm(grads) == pytest.approx(1.0, abs=1e-5)


def test_clip_leaves_small_gradients_alone_and_rejects_bad_threshold():
    grads = {"a": np.array([0.3, 0.4])}
    assert clip_grad_norm(grads, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads["a"], [0.3, 0.4])
    with pytest.raises(ValueError, match="positive"):
        clip_grad_norm(grads, 0)


def _line(slope, label):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, slope])
    ax.set_title(label)
    return fig


def test_render_frames_renders_every_combination_distinctly():
    frames = render_frames(_line, {"slope": [1, 2, 3], "label": ["a", "b"]})
    assert sorted(frames) == ["0-0", "0-1", "1-0", "1-1", "2-0", "2-1"]
    assert len(set(frames.values())) == 6
    assert not plt.get_fignums(), "figures must be closed after rendering"


def test_frame_explorer_html_has_a_slider_per_parameter_and_all_frames():
    html = frame_explorer(_line, {"slope": [1, 2], "label": ["a"]}, title="demo")._repr_html_()
    assert len(re.findall(r'<input type="range"', html)) == 2
    assert 'max="1"' in html and 'max="0"' in html
    assert html.count("iVBOR") == 3  # initial image + 2 frames in the JS table (PNG base64 prefix)
    with pytest.raises(ValueError, match="non-empty"):
        render_frames(_line, {"slope": []})


def test_frame_explorer_opens_on_the_initial_values():
    frames = render_frames(_line, {"slope": [1, 2, 3], "label": ["a", "b"]})
    from gru_teach.teaching.widgets.frames import FrameExplorer
    ex = FrameExplorer(frames, {"slope": [1, 2, 3], "label": ["a", "b"]}, initial={"slope": 3})
    html = ex._repr_html_()
    assert 'value="2"' in html and f'src="data:image/png;base64,{frames["2-0"]}"' in html
    with pytest.raises(ValueError, match="not among"):
        FrameExplorer(frames, {"slope": [1, 2, 3], "label": ["a", "b"]}, initial={"slope": 5})
    with pytest.raises(ValueError, match="do not exist"):
        FrameExplorer(frames, {"slope": [1, 2, 3], "label": ["a", "b"]}, initial={"width": 1})
