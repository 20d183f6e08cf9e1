"""The reference cells: NumPy GRU, LSTM and tanh/ReLU RNN layers that match ``torch.nn`` exactly.

Each class holds the one implementation of its step in the book (forward and backpropagation through time);
traces, conventions, checkers and Jacobians elsewhere in the package derive from these classes.
"""
from .gru import GRU
from .lstm import LSTM
from .recurrent import RecurrentLayer, sigmoid
from .rnn import RNN

__all__ = ["GRU", "LSTM", "RNN", "RecurrentLayer", "sigmoid"]
