"""Widgets: thin views over the package's pure functions.

``frames.frame_explorer`` works with no kernel (precomputed images switched by client-side sliders), so the
static website stays interactive; the per-chapter modules add live ``ipywidgets`` versions for a running kernel.
"""
