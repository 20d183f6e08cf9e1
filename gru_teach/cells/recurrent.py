"""What the NumPy GRU, LSTM and RNN layers share: parameters, checks, and the bridge to ``torch.nn``.

Each layer is one layer of the matching ``torch.nn`` module, with parameters named and shaped alike::

    weight_ih  (G*H, I)    input-to-hidden weights of the G gate blocks, stacked
    weight_hh  (G*H, H)    hidden-to-hidden weights
    bias_ih    (G*H,)      two bias vectors, as in torch
    bias_hh    (G*H,)

(G = 3 for the GRU with blocks r, z, n; 4 for the LSTM with i, f, g, o; 1 for the RNN.)
Arrays are batch-first: ``x`` is (batch, time, input), outputs are (batch, time, hidden).
Subclasses write ``forward`` and ``backward`` out by hand: backpropagation through time, no autograd.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_float_dtype, check_size, check_sequence_input, check_state

PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(−a)), computed as ½ tanh(a/2) + ½, which never overflows."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def _import_torch():
    try:
        import torch
    except ImportError as err:  # pragma: no cover - torch is installed in the book's environment
        raise ImportError("this needs PyTorch: pip install torch") from err
    return torch


class RecurrentLayer:
    """Base class: one recurrent layer whose parameters mirror one layer of ``torch.nn``."""

    GATES: tuple[str, ...] = ("h",)
    TORCH_NAME = ""

    def __init__(self, input_size: int, hidden_size: int, *, dtype=np.float64, seed=None):
        self.input_size = check_size(input_size, "input_size")
        self.hidden_size = check_size(hidden_size, "hidden_size")
        self.dtype = check_float_dtype(dtype)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        gh, k = len(self.GATES) * self.hidden_size, 1.0 / np.sqrt(self.hidden_size)
        shapes = {
            "weight_ih": (gh, self.input_size),
            "weight_hh": (gh, self.hidden_size),
            "bias_ih": (gh,),
            "bias_hh": (gh,),
        }
        # torch.nn initialises every parameter uniformly in [-1/sqrt(H), 1/sqrt(H)]
        for name in PARAM_NAMES:
            setattr(self, name, rng.uniform(-k, k, shapes[name]).astype(self.dtype))
        self.grads: dict[str, np.ndarray] = {}
        self._cache: dict | None = None

    # ----------------------------------------------------------------- parameters
    def parameters(self) -> dict[str, np.ndarray]:
        """The four parameter arrays by torch name (the arrays themselves, not copies)."""
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def set_parameters(self, **arrays) -> None:
        """Replace parameters by name, e.g. ``layer.set_parameters(weight_hh=W)``; shapes must match."""
        for name, value in arrays.items():
            if name not in PARAM_NAMES:
                raise KeyError(f"unknown parameter {name!r}; expected one of {PARAM_NAMES}")
            old = getattr(self, name)
            arr = np.array(value, dtype=self.dtype)
            if arr.shape != old.shape:
                raise ValueError(f"{name} must have shape {old.shape}; got shape {arr.shape}")
            setattr(self, name, arr)

    @property
    def num_parameters(self) -> int:
        """Number of scalars: G·H·(I + H + 2), as in torch."""
        return sum(p.size for p in self.parameters().values())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}"
                f"{self._extra_repr()}, dtype={self.dtype.name})")

    def _extra_repr(self) -> str:
        return ""

    # ----------------------------------------------------------------- helpers for subclasses
    def _prepare(self, x, h0, name="h0"):
        x = check_sequence_input(x, self.input_size, self.dtype)
        h = check_state(h0, x.shape[0], self.hidden_size, self.dtype, name)
        return x, h

    def _input_projection(self, x: np.ndarray) -> np.ndarray:
        """W_ih x_t + b_ih for every time step at once.

        One (B·T, I) × (I, G·H) matrix product instead of T small ones.
        """
        B, T, I = x.shape
        gi = x.reshape(B * T, I) @ self.weight_ih.T + self.bias_ih
        return gi.reshape(B, T, -1)

    def _require_cache(self) -> dict:
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() needs a "
                               "forward() call first")
        return self._cache

    def _weight_grads(self, x, h_prev, d_ih, d_hh=None) -> np.ndarray:
        """Sum the per-step gradients over batch and time; return dx.

        d_ih, d_hh: (B, T, G·H) gradients of the pre-activations fed by
        W_ih x_t + b_ih and by W_hh h_{t-1} + b_hh (the same array when
        d_hh is None); h_prev: (B, T, H), the states h_{t-1}. One matrix
        product per weight, over all B·T rows at once.
        """
        B, T, _ = x.shape
        d_hh = d_ih if d_hh is None else d_hh
        gi, gh = d_ih.reshape(B * T, -1), d_hh.reshape(B * T, -1)
        self.grads = {
            "weight_ih": gi.T @ x.reshape(B * T, -1),
            "weight_hh": gh.T @ h_prev.reshape(B * T, -1),
            "bias_ih": gi.sum(axis=0),
            "bias_hh": gh.sum(axis=0),
        }
        return (gi @ self.weight_ih).reshape(B, T, self.input_size)

    def last_gates(self) -> dict[str, np.ndarray]:
        """Gate activations of the last forward pass, each (batch, time, hidden), for plots and traces."""
        cache = self._require_cache()
        return {g: cache[g].copy() for g in self.GATES if g in cache}

    # ----------------------------------------------------------------- torch bridge
    def _torch_kwargs(self) -> dict:
        return {}

    @classmethod
    def _init_kwargs_from_torch(cls, module) -> dict:
        return {}

    @classmethod
    def from_torch(cls, module, *, dtype=np.float64):
        """Copy a one-layer ``torch.nn`` module (layer or cell) of the matching kind into a new NumPy layer."""
        torch = _import_torch()
        layer_cls = getattr(torch.nn, cls.TORCH_NAME)
        cell_cls = getattr(torch.nn, cls.TORCH_NAME + "Cell")
        if not isinstance(module, (layer_cls, cell_cls)):
            raise TypeError(f"{cls.__name__}.from_torch expects torch.nn.{cls.TORCH_NAME} or "
                            f"torch.nn.{cls.TORCH_NAME}Cell; got {type(module).__name__}")
        if not module.bias:
            raise ValueError("only modules with bias=True can be copied (gru_teach layers always have two biases)")
        suffix = ""
        if isinstance(module, layer_cls):
            if module.num_layers != 1 or module.bidirectional or getattr(module, "proj_size", 0):
                raise ValueError("only one-layer, unidirectional modules without projection can be copied; got "
                                 f"num_layers={module.num_layers}, bidirectional={module.bidirectional}")
            suffix = "_l0"
        layer = cls(module.input_size, module.hidden_size, dtype=dtype, **cls._init_kwargs_from_torch(module))
        with torch.no_grad():
            layer.set_parameters(**{name: getattr(module, name + suffix).detach().cpu().double().numpy()
                                    for name in PARAM_NAMES})
        return layer

    def to_torch(self, *, cell: bool = False):
        """A ``torch.nn`` layer (batch_first=True) or, with ``cell=True``, a cell holding copies of the parameters."""
        torch = _import_torch()
        tdtype = torch.float64 if self.dtype == np.float64 else torch.float32
        if cell:
            module = getattr(torch.nn, self.TORCH_NAME + "Cell")(
                self.input_size, self.hidden_size, dtype=tdtype, **self._torch_kwargs())
            suffix = ""
        else:
            module = getattr(torch.nn, self.TORCH_NAME)(
                self.input_size, self.hidden_size, batch_first=True, dtype=tdtype, **self._torch_kwargs())
            suffix = "_l0"
        with torch.no_grad():
            for name, value in self.parameters().items():
                getattr(module, name + suffix).copy_(torch.from_numpy(value))
        return module
