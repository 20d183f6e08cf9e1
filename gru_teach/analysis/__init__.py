"""Looking inside the cells: numeric traces, conventions and their converters, Jacobians and vanishing
gradients, gradient checks, and diagrams drawn by code. Everything here derives from :mod:`gru_teach.cells`.
"""
