"""A slider explorer that needs no kernel: every combination of slider values is rendered in advance.

``frame_explorer(render, {"radius": [0.5, 1.0, 1.5], "model": ["RNN", "GRU"]})`` calls ``render(radius=...,
model=...)`` for each combination, stores each matplotlib figure as an embedded PNG, and returns an HTML
object with one slider per parameter; a few lines of JavaScript show the matching image. It behaves the
same in Jupyter and on the static website, where ipywidgets' ``interact`` would show a frozen first frame.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import json
import uuid

import matplotlib.pyplot as plt


def _png(frame, dpi: int) -> str:
    """Base64 PNG of a matplotlib figure (closed afterwards) or of PNG bytes drawn elsewhere (e.g. by Pillow)."""
    if isinstance(frame, (bytes, bytearray)):
        if not frame.startswith(b"\x89PNG"):
            raise ValueError("a frame given as bytes must be a PNG image")
        return base64.b64encode(frame).decode("ascii")
    buf = io.BytesIO()
    frame.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(frame)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_frames(render, params: dict, dpi: int = 72) -> dict:
    """``{"i-j-…": base64 PNG}`` for every combination of parameter indices (the pure, testable part).

    ``render(**combination)`` returns a matplotlib figure (saved at ``dpi``) or the PNG bytes of a frame.
    """
    if not params or any(len(v) == 0 for v in params.values()):
        raise ValueError("params must map each slider name to a non-empty list of values")
    names = list(params)
    frames = {}
    for idx in itertools.product(*(range(len(params[n])) for n in names)):
        kwargs = {n: params[n][i] for n, i in zip(names, idx)}
        frames["-".join(map(str, idx))] = _png(render(**kwargs), dpi)
    return frames


class FrameExplorer:
    """HTML view of precomputed frames; displays itself in Jupyter and in the built book."""

    def __init__(self, frames: dict, params: dict, title: str = "", initial: dict | None = None):
        self.frames, self.params, self.title = frames, params, title
        initial = initial or {}
        unknown = set(initial) - set(params)
        if unknown:
            raise ValueError(f"initial names sliders that do not exist: {sorted(unknown)}; sliders: {list(params)}")
        try:
            self.start = [params[n].index(initial[n]) if n in initial else 0 for n in params]
        except ValueError as err:
            raise ValueError(f"an initial value is not among its slider's values: {err}") from err
        self.uid = "fx" + uuid.uuid5(uuid.NAMESPACE_OID, json.dumps(sorted(frames))[:2000] + title).hex[:10]

    def _repr_html_(self) -> str:
        uid, names = self.uid, list(self.params)
        first = "-".join(map(str, self.start))
        sliders = "".join(
            f'<label style="margin-right:1.5em">{html.escape(n)} '
            f'<input type="range" min="0" max="{len(v) - 1}" value="{k}" step="1" data-name="{i}" '
            f'oninput="{uid}_show()"> <b id="{uid}_v{i}">{html.escape(str(v[k]))}</b></label>'
            for i, ((n, v), k) in enumerate(zip(self.params.items(), self.start)))
        labels = json.dumps([[str(x) for x in v] for v in self.params.values()])
        return (
            f'<div id="{uid}" class="gru-frame-explorer">'
            + (f"<div><b>{html.escape(self.title)}</b></div>" if self.title else "")
            + f"<div>{sliders}</div>"
            f'<img id="{uid}_img" style="max-width:100%" src="data:image/png;base64,{self.frames[first]}">'
            f"<script>var {uid}_frames = {json.dumps(self.frames)}; var {uid}_labels = {labels};"
            f"function {uid}_show() {{ var key = []; "
            f"document.querySelectorAll('#{uid} input').forEach(function (s) {{ var i = +s.dataset.name; "
            f"key.push(s.value); document.getElementById('{uid}_v' + i).textContent = {uid}_labels[i][+s.value]; }});"
            f"document.getElementById('{uid}_img').src = 'data:image/png;base64,' + {uid}_frames[key.join('-')]; }}"
            f"</script></div>"
        )


def frame_explorer(render, params: dict, *, title: str = "", dpi: int = 72, initial: dict | None = None
                   ) -> FrameExplorer:
    """Render ``render(**combination)`` for every combination of ``params`` and wrap it in sliders.

    ``initial`` maps slider names to the value shown first (default: each slider's first value).
    """
    return FrameExplorer(render_frames(render, params, dpi), params, title, initial)
