"""Argument checks shared by the layers: clear errors instead of deep NumPy tracebacks."""
from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_size(value, name: str) -> int:
    """Return ``value`` as a positive ``int`` or raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value}")
    return int(value)


def check_float_dtype(dtype) -> np.dtype:
    """Accept float32 or float64 (in any spelling NumPy understands)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be float32 or float64; got {dtype!r}") from err
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64; got {dt}")
    return dt


def as_float_array(value, name: str, dtype: np.dtype) -> np.ndarray:
    """Convert ``value`` to an array of ``dtype``; reject strings, objects and complex numbers."""
    try:
        arr = np.asarray(value)
    except Exception as err:  # e.g. a torch tensor that requires grad
        raise TypeError(f"{name} must be array-like of real numbers; got {type(value).__name__} ({err})") from err
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers; got an array of dtype {arr.dtype}")
    return np.asarray(arr, dtype=dtype)


def check_sequence_input(x, input_size: int, dtype: np.dtype) -> np.ndarray:
    """Return ``x`` as a (batch, time, input_size) array of ``dtype``."""
    arr = as_float_array(x, "x", dtype)
    if arr.ndim != 3:
        hint = " (for one sequence of shape (time, input_size) pass x[None])" if arr.ndim == 2 else ""
        raise ValueError(
            f"x must have shape (batch, time, input_size={input_size}); got shape {arr.shape}{hint}"
        )
    if arr.shape[2] != input_size:
        raise ValueError(
            f"x must have shape (batch, time, input_size={input_size}); got shape {arr.shape}: "
            f"the last axis has {arr.shape[2]} features, the layer expects {input_size}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"x must have at least one sequence and one time step; got shape {arr.shape}")
    return arr


def check_state(h, batch: int, hidden_size: int, dtype: np.dtype, name: str) -> np.ndarray:
    """Return a (batch, hidden_size) state, zeros when ``h`` is None."""
    if h is None:
        return np.zeros((batch, hidden_size), dtype=dtype)
    arr = as_float_array(h, name, dtype)
    if arr.shape != (batch, hidden_size):
        raise ValueError(f"{name} must have shape (batch={batch}, hidden_size={hidden_size}); got shape {arr.shape}")
    return arr.copy()


def check_grad(d, shape: tuple, dtype: np.dtype, name: str) -> np.ndarray:
    """Return an upstream gradient of the given shape (zeros when ``d`` is None)."""
    if d is None:
        return np.zeros(shape, dtype=dtype)
    arr = as_float_array(d, name, dtype)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (same as the forward result); got shape {arr.shape}")
    return arr
