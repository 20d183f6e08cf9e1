"""Sphinx extension: serve MathJax and the ipywidgets manager from local files when they have been staged.

`bash scripts/offline-assets.sh` stages them in _build/.offline-assets/offline (npm packages). When they are
there, this extension adds that folder to html_static_path (it becomes _static/offline/) and points
`mathjax_path` and `nb_ipywidgets_js` at it, so maths and widgets render with no network. When they are not,
nothing changes and the pages use the default CDNs.
"""
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)
FILES = ("offline/mathjax/tex-chtml.js", "offline/require.js", "offline/widgets/embed-amd.js")


def _configure(app, config):
    staged = Path(app.srcdir) / "_build" / ".offline-assets"
    if not all((staged / f).is_file() for f in FILES):
        logger.info("[offline_assets] local assets not staged: MathJax and widgets load from CDNs")
        return
    config.html_static_path = list(config.html_static_path) + [str(staged)]
    config.mathjax_path = "offline/mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        "offline/require.js": {},
        "offline/widgets/embed-amd.js": {"data-jupyter-widgets-cdn": "https://cdn.jsdelivr.net/npm/"},
    }
    logger.info("[offline_assets] MathJax and the widget manager are served from _static/offline")


def setup(app):
    app.connect("config-inited", _configure, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
