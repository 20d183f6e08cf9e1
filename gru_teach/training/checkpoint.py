"""Checkpoints that resume bit for bit: everything a training run's future depends on, in one file.

A run interrupted after epoch k and resumed from its checkpoint must produce exactly the weights an uninterrupted
run produces. That takes more than the weights:

- the model's and the optimizer's state (Adam's moment estimates and step counts), the scheduler's state;
- every random number generator the rest of the run will draw from: torch's global generator (dropout, and
  the shuffling of a DataLoader without a generator of its own), every CUDA device's, the DataLoader's own
  ``torch.Generator`` (the shuffling), NumPy's and Python's global generators (a collate function may use them);
- the counters (epoch, step), the history so far and the early-stopping state (best value, patience used, the
  best weights).

The file is written to a temporary name and renamed, so an interruption while saving leaves the previous
checkpoint intact. It holds only tensors, numbers, strings, lists and dicts, so it loads with
``torch.load(weights_only=True)``.
"""
from __future__ import annotations

import os
import pathlib
import random

import numpy as np
import torch

FORMAT = "gru_teach-checkpoint-1"


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a ``DistributedDataParallel`` / ``DataParallel`` wrapper (whose state_dict keys carry a
    ``module.`` prefix), or the model itself."""
    return getattr(model, "module", model)


def loader_generators(loader) -> list[torch.Generator]:
    """The distinct ``torch.Generator`` objects a DataLoader draws from (its own, its sampler's, its batch
    sampler's sampler's), in a fixed order."""
    found = []
    for obj in (loader, getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None),
                                                                  "sampler", None)):
        gen = getattr(obj, "generator", None)
        if isinstance(gen, torch.Generator) and all(gen is not g for g in found):
            found.append(gen)
    return found


def rng_state(loaders=()) -> dict:
    """The state of every generator the rest of a run may draw from (see the module docstring)."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"kind": np_state[0], "keys": torch.from_numpy(np_state[1].astype(np.int64)),
                  "pos": int(np_state[2]), "has_gauss": int(np_state[3]), "gauss": float(np_state[4])},
        "python": {"version": py_state[0], "state": list(py_state[1]), "gauss": py_state[2]},
        "loaders": [[g.get_state() for g in loader_generators(ld)] for ld in loaders],
    }


def set_rng_state(state: dict, loaders=()) -> None:
    """Restore what :func:`rng_state` captured (same loaders, same order)."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["gauss"]))
    p = state["python"]
    random.setstate((p["version"], tuple(p["state"]), p["gauss"]))
    saved = state["loaders"]
    if len(saved) != len(loaders):
        raise ValueError(f"the checkpoint holds generator states for {len(saved)} data loader(s); "
                         f"this run has {len(loaders)}")
    for states, loader in zip(saved, loaders):
        gens = loader_generators(loader)
        if len(states) != len(gens):
            raise ValueError(f"the checkpoint holds {len(states)} generator state(s) for a data loader that now has "
                             f"{len(gens)}: build the DataLoader the same way as in the interrupted run")
        for g, s in zip(gens, states):
            g.set_state(s)


def save(path, state: dict) -> pathlib.Path:
    """Write ``state`` (a dict) atomically to ``path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"format": FORMAT, **state}, tmp)
    os.replace(tmp, path)
    return path


def load(path) -> dict:
    """Read a checkpoint written by :func:`save` (tensors are loaded on the CPU)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{str(path)!r} is not a gru_teach training checkpoint (format {FORMAT!r})")
    return state
