"""gru_teach: the helper package of the GRU book, grouped by idea.

- :mod:`gru_teach.cells`: NumPy GRU, LSTM and RNN layers that match ``torch.nn`` exactly (forward and every
  gradient); ``GRU``, ``LSTM``, ``RNN`` are re-exported here;
- :mod:`gru_teach.analysis`: traces, conventions, Jacobians, gradient checks and diagrams built on the cells;
- :mod:`gru_teach.tasks`: synthetic tasks and real data sets that ship offline;
- :mod:`gru_teach.training`: the one training loop, optimisers, and the chapters' experiments;
- :mod:`gru_teach.bench`: CPU and GPU speed measurements;
- :mod:`gru_teach.teaching`: exercise checks, widgets, the student version;
- :mod:`gru_teach.data`: committed results files (JSON with provenance) and their loader.
"""
from .cells import GRU, LSTM, RNN

__all__ = ["GRU", "LSTM", "RNN"]
__version__ = "0.1.0"
