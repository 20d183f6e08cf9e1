"""gru_teach: the helper package of the GRU book.

NumPy recurrent layers that match ``torch.nn`` exactly (forward and every gradient), plus the tasks,
plots, widgets and checks the chapters use.
"""
from .gru import GRU
from .lstm import LSTM
from .rnn import RNN

__all__ = ["GRU", "LSTM", "RNN"]
__version__ = "0.1.0"
