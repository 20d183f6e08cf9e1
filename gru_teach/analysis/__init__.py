"""Looking inside the cells: numeric traces, conventions and their converters, Jacobians and vanishing
gradients, gradient checks, diagrams drawn by code, the coupled-gate LSTM (:mod:`.coupled`) and what a layer costs
(:mod:`.cost`). Everything here derives from :mod:`gru_teach.cells`.
"""
