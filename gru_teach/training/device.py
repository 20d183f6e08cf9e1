"""Where to train: pick a device (cuda → mps → cpu), seed every random number generator, say what determinism costs.

The chapters write device-agnostic code: ``device = pick_device()`` once, then ``model.to(device)`` and
``batch.to(device)``; the same notebook runs on the 2-core CPU of the book's CI and on a GPU in Colab, with the
sizes chosen from ``device.type``.
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch

DEVICE_KINDS = ("auto", "cuda", "mps", "cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: str | torch.device | None = "auto") -> torch.device:
    """The device to train on.

    ``"auto"`` (or None): the first available of CUDA GPU, Apple-silicon GPU (``mps``) and CPU.
    ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"`` or a :class:`torch.device`: that device, after checking that this
    machine has it (a clear error otherwise, naming what is available).
    """
    if preference is None or (isinstance(preference, str) and preference == "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if not isinstance(preference, (str, torch.device)):
        raise TypeError(f"device must be a string such as {DEVICE_KINDS} or a torch.device; "
                        f"got {type(preference).__name__}")
    try:
        device = torch.device(preference)
    except RuntimeError as err:
        raise ValueError(f"unknown device {preference!r}: expected one of {DEVICE_KINDS} "
                         f"(optionally with an index, e.g. 'cuda:0')") from err
    if device.type not in DEVICE_KINDS:
        raise ValueError(f"unsupported device {preference!r}: expected one of {DEVICE_KINDS}")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"device {preference!r} requested, but torch sees no CUDA GPU "
                               f"(available here: {', '.join(available_devices())})")
        if device.index is not None and device.index >= torch.cuda.device_count():
            n = torch.cuda.device_count()
            raise RuntimeError(f"device {preference!r} requested, but this machine has {n} CUDA device(s) "
                               f"(indices 0..{n - 1})")
    if device.type == "mps" and not _mps_available():
        raise RuntimeError(f"device 'mps' requested, but torch sees no Apple-silicon GPU "
                           f"(available here: {', '.join(available_devices())})")
    return device


def available_devices() -> list[str]:
    """The device types torch can use on this machine, best first (always ends with ``"cpu"``)."""
    found = ["cuda"] if torch.cuda.is_available() else []
    if _mps_available():
        found.append("mps")
    return found + ["cpu"]


def describe_device(device: torch.device | str) -> str:
    """A one-line name for the page: the GPU's name, or the CPU and the number of torch threads."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"CUDA GPU {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple-silicon GPU (mps)"
    from ..data import machine
    n = torch.get_num_threads()
    return f"CPU ({machine().split(',')[0]}), {n} torch thread{'s' if n != 1 else ''}"


def seed_everything(seed: int, *, deterministic: bool = False) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    ``deterministic=True`` also asks torch for deterministic kernels (``torch.use_deterministic_algorithms``,
    cuDNN's benchmark mode off). On a CPU this changes nothing: its kernels are deterministic already. On a GPU it
    costs speed (cuDNN may not pick its fastest algorithm; some scatter/index operations get slower kernels), and
    CUDA's matrix library needs ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` in the environment, which is set here if unset.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer; got {type(seed).__name__} {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))   # also seeds every CUDA device
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
