"""``glue`` that works wherever a notebook runs: the book's build, Binder, Colab, a student's folder.

The chapters store computed numbers with MyST-NB's ``glue`` so that the text can quote them (``{glue:text}``).
MyST-NB belongs to the build, not to ``gru_teach``'s dependencies: on Colab it is not installed, and a chapter
importing it directly would stop at its import cell. This ``glue`` calls MyST-NB's when it is installed; otherwise
it only displays the value (when ``display`` is true), which is all a reader running the notebook needs.
"""
from __future__ import annotations

__all__ = ["glue"]


def glue(name: str, variable, display: bool = True) -> None:
    """``myst_nb.glue(name, variable, display)`` if MyST-NB is installed; else show ``variable`` if ``display``."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(variable)
        return None
    return myst_glue(name, variable, display=display)
