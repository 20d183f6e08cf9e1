"""THE PyTorch training loop of the book: one function, :func:`train`, from chapter 1's 150 steps on fresh batches to
chapter 5's epochs over a DataLoader with validation, early stopping and checkpoints.

One step of :func:`train`::

    inputs, y = next batch                  (copied to the device; non-blocking from pinned memory)
    loss  = loss_fn(model(*inputs), y)
    g     = ∇_θ loss                        (backpropagation through time, by autograd)
    ‖g‖   = sqrt(Σ_k ‖g_k‖²)               recorded *before* clipping
    if clip and ‖g‖ > clip:  g ← g · clip / ‖g‖     (torch.nn.utils.clip_grad_norm_; Pascanu et al., 2013)
    θ     ← optimizer.step();  scheduler.step()  (when it steps per batch)

Two ways to feed it:

* **steps** (chapters 1–3): ``train(model, data, loss_fn, opt, steps)`` with ``data(step) -> (x, y)``, an
  iterator of batches, or one fixed ``(x, y)`` (full-batch training).
* **epochs** (chapter 5): ``train(model, loader, loss_fn, opt, epochs=20, val_data=val_loader, ...)`` with a
  :class:`~torch.utils.data.DataLoader` (or a Dataset, batched here, or a list of batches). After each epoch:
  the mean training loss, the validation loss and metrics, the learning rate, early stopping, a checkpoint.

**Host syncs.** Reading a number from a GPU tensor (``float(loss)``, ``loss.item()``) makes the CPU wait until the
GPU has finished all queued work, which can cost more than the step itself for small models. The loop therefore
keeps the per-step loss and gradient norm *on the device* and copies them to the host every ``sync_every`` steps:
every step in step mode (chapter 1 stops at the first non-finite loss, before applying that step), once per epoch
in epoch mode. ``record_every=k`` records every k-th step's loss and gradient norm (None: none; the epoch means are
always kept).

**Distributed training.** The loop works unchanged inside ``torchrun`` with the model wrapped in
``DistributedDataParallel`` and a ``DistributedSampler``: it calls ``sampler.set_epoch(epoch)`` before every
epoch, sums the epoch's losses and metrics over all processes (``all_reduce``) so that every rank takes the same
early-stopping decision, and only rank 0 shows progress bars and writes checkpoints.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from . import checkpoint as ckpt
from .data import batch_size_of, make_loader, to_device
from .device import pick_device

CELLS = ("RNN", "GRU", "LSTM")


class SequenceModel(nn.Module):
    """Recurrent layer + linear read-out.

    ``readout="last"``: y = W_o h_T + b_o, shape (batch, output_size).
    ``readout="all"``:  y_t = W_o h_t + b_o, shape (batch, time, output_size).
    Integer inputs (token ids) are one-hot encoded to ``input_size`` features.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *, cell: str = "GRU",
                 nonlinearity: str = "tanh", readout: str = "last"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}; got {cell!r}")
        if readout not in ("last", "all"):
            raise ValueError(f"readout must be 'last' or 'all'; got {readout!r}")
        kwargs = {"nonlinearity": nonlinearity} if cell == "RNN" else {}
        self.cell, self.readout, self.input_size = cell, readout, input_size
        self.rnn = getattr(nn, cell)(input_size, hidden_size, batch_first=True, **kwargs)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        if not torch.is_floating_point(x):
            x = nn.functional.one_hot(x.long(), self.input_size).to(self.out.weight.dtype)
        states, _ = self.rnn(x)
        return self.out(states[:, -1] if self.readout == "last" else states)


@dataclass
class History:
    """What :func:`train` recorded.

    ``loss``, ``grad_norm``: per recorded step (every step by default; ``steps_recorded`` says which), the gradient
    norm *before* clipping. ``curves``: per epoch (epoch mode), lists under ``"epoch"``, ``"train_loss"`` (mean over
    the epoch's batches, weighted by batch size), ``"val_loss"`` and ``"val_<metric>"`` (with validation data),
    ``"lr"`` (learning rate at the end of the epoch) and ``"seconds"`` (cumulative). ``best_epoch``: the epoch whose
    weights early stopping kept; ``stopped_early``: whether it stopped before ``epochs``.
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    clip: float | None = None
    diverged: bool = False
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    steps_recorded: np.ndarray | None = None
    curves: dict = field(default_factory=dict)
    total_steps: int | None = None
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def steps(self) -> int:
        """Number of batches the loop processed (the last one not applied if training stopped on a non-finite
        loss)."""
        return self.total_steps if self.total_steps is not None else len(self.loss)

    @property
    def epochs(self) -> int:
        """Number of completed epochs (0 in step mode)."""
        return len(self.curves.get("epoch", []))

    def final_loss(self, last: int = 20) -> float:
        """Mean training loss over the last ``last`` recorded steps (NaN-aware: inf/NaN if it diverged)."""
        return float(np.mean(self.loss[-last:])) if len(self.loss) else math.nan

    def curve(self, name: str) -> np.ndarray:
        """One per-epoch curve as an array (a clear error naming the recorded ones if ``name`` is not one)."""
        if name not in self.curves:
            raise KeyError(f"no curve {name!r}; recorded: {sorted(self.curves)}")
        return np.asarray(self.curves[name], dtype=float)


@dataclass(frozen=True)
class EarlyStopping:
    """Stop when ``monitor`` (``"val_loss"``, ``"val_<metric>"`` or ``"train_loss"``) has not improved by more than
    ``min_delta`` for ``patience`` epochs; ``mode="min"`` for losses, ``"max"`` for accuracies. With
    ``restore_best`` the model ends with the weights of its best epoch."""

    monitor: str = "val_loss"
    patience: int = 5
    mode: str = "min"
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self):
        if self.mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping mode must be 'min' or 'max'; got {self.mode!r}")
        if not isinstance(self.patience, int) or self.patience < 1:
            raise ValueError(f"EarlyStopping patience must be a positive integer; got {self.patience!r}")
        if not self.min_delta >= 0:
            raise ValueError(f"EarlyStopping min_delta must be ≥ 0; got {self.min_delta!r}")

    def improved(self, value: float, best: float) -> bool:
        if not math.isfinite(value):
            return False
        if not math.isfinite(best):
            return True
        return value < best - self.min_delta if self.mode == "min" else value > best + self.min_delta


def accuracy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Fraction of correct predictions in a batch: argmax over the last dimension of multi-class logits, or
    ``logit > 0`` for one binary logit per sample (shape (batch,) or (batch, 1))."""
    if logits.shape[-1] == 1 or logits.ndim == target.ndim and logits.shape == target.shape:
        predicted = (logits > 0).to(target.dtype).reshape(target.shape)
    else:
        predicted = logits.argmax(-1)
    return (predicted == target).float().mean()


OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}


def make_optimizer(name: str, params, lr: float):
    """Adam, SGD with momentum 0.9, or RMSprop by name (PyTorch's defaults otherwise)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](params, lr=lr, **({"momentum": 0.9} if name == "sgd" else {}))


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``torch.set_num_threads(n)`` and restore the previous value afterwards (None: no change).

    Why the book uses it: the chapters train small recurrent models (H ≈ 16–32) step by step. Their matrix
    products are far too small to gain from splitting across threads, so one thread is as fast; on a busy
    machine (a 2-core CI runner, or a book build executing other notebooks) a second intra-op thread competes for
    the cores and can make each step many times slower. The setting is global in torch, so it is changed only
    inside the block and restored afterwards: code outside the block keeps the reader's own thread setting.
    """
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ----------------------------------------------------------------------------------------------- batches
def _is_fixed_batch(data) -> bool:
    """``(x, y)`` with array-like ``y`` (one full batch), as opposed to a list of batches."""
    return isinstance(data, (tuple, list)) and len(data) == 2 and not callable(data[0]) and hasattr(data[1], "shape")


def _cast(batch, dtype, device, non_blocking):
    """NumPy arrays → tensors; floating tensors → the model's dtype; everything → the device."""
    if isinstance(batch, (tuple, list)):
        return type(batch)(_cast(b, dtype, device, non_blocking) for b in batch)
    if isinstance(batch, dict):
        return {k: _cast(v, dtype, device, non_blocking) for k, v in batch.items()}
    if isinstance(batch, (np.ndarray, np.generic)):
        batch = torch.as_tensor(batch)
    if isinstance(batch, torch.Tensor):
        batch = to_device(batch, device, non_blocking)   # copy first: a cast on the host would unpin the memory
        return batch.to(dtype) if torch.is_floating_point(batch) and batch.dtype != dtype else batch
    return batch


def _split(batch):
    """A batch ``(x, y)`` or ``(x1, x2, ..., y)`` → ``(inputs, y)`` (inputs a tensor or a tuple)."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise ValueError(f"a batch must be a pair (inputs, target) or a tuple (input_1, ..., target); got "
                         f"{type(batch).__name__}" + (f" of length {len(batch)}" if isinstance(batch, (tuple, list))
                                                     else ""))
    *inputs, y = batch
    return (inputs[0] if len(inputs) == 1 else tuple(inputs)), y


def _forward(model, inputs):
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)


def _describe(a) -> str:
    if isinstance(a, (tuple, list)):
        return "(" + ", ".join(_describe(b) for b in a) + ")"
    if isinstance(a, torch.Tensor):
        return f"{tuple(a.shape)} {str(a.dtype).replace('torch.', '')}"
    return type(a).__name__


def _checked_forward(model, inputs, y, role: str):
    """The forward pass of a loader's first batch, with errors that name the shapes involved."""
    try:
        out = _forward(model, inputs)
    except Exception as err:  # noqa: BLE001 - re-raised with context
        raise ValueError(f"the model failed on the first {role} batch: inputs {_describe(inputs)}, target "
                         f"{_describe(y)}. {type(err).__name__}: {err}") from err
    if isinstance(out, torch.Tensor) and isinstance(y, torch.Tensor):
        if out.ndim and y.ndim and out.shape[0] != y.shape[0]:
            raise ValueError(f"{role} batch: the model returned {out.shape[0]} outputs (shape {tuple(out.shape)}) "
                             f"for {y.shape[0]} targets (shape {tuple(y.shape)}); expected the same batch size")
        if torch.is_floating_point(y) and out.shape != y.shape:
            raise ValueError(f"{role} batch: the model's output has shape {tuple(out.shape)} but the target has "
                             f"shape {tuple(y.shape)}; expected equal shapes for a floating-point target (a loss such "
                             "as MSE would silently broadcast them, comparing every prediction with every target). "
                             "Reshape the target or the model's read-out, or pass check_shapes=False")
    return out


def _as_loader(data, batch_size: int, shuffle: bool, role: str):
    """Training/validation data → something iterable once per epoch, with a clear error for what is not."""
    if isinstance(data, DataLoader):
        loader = data
    elif isinstance(data, Dataset):
        seed = int(torch.randint(0, 2**62, (1,))) if shuffle else 0
        loader = make_loader(data, batch_size, shuffle=shuffle, seed=seed)
    elif _is_fixed_batch(data):
        loader = [data]
    elif isinstance(data, (list, tuple)):
        loader = data
    else:
        raise TypeError(f"{role} data for epochs must be a DataLoader, a Dataset, a list of batches or one fixed "
                        f"(x, y); got {type(data).__name__}" + (" (a function of the step: pass steps=N instead of "
                                                                "epochs)" if callable(data) else ""))
    if len(loader) == 0:
        detail = ""
        if isinstance(loader, DataLoader):
            n = len(loader.dataset) if hasattr(loader.dataset, "__len__") else "?"
            detail = f" (dataset of {n} samples, batch_size={loader.batch_size}, drop_last={loader.drop_last})"
        raise ValueError(f"the {role} data is empty: it yields no batches{detail}; expected at least one batch")
    return loader


def _step_source(data):
    """Step mode: ``data`` → a function step -> batch."""
    if callable(data):
        return data
    if _is_fixed_batch(data):
        return lambda step: data
    iterator = iter(data)

    def next_batch(step):
        try:
            return next(iterator)
        except StopIteration:
            raise ValueError(f"the training data ran out after {step} batches; expected one batch per step "
                             "(pass fewer steps, a function data(step), or epochs=... with a DataLoader)") from None
    return next_batch


# ----------------------------------------------------------------------------------------------- distributed
def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def _is_main() -> bool:
    return not _distributed() or torch.distributed.get_rank() == 0


def _all_reduce(t: torch.Tensor) -> torch.Tensor:
    if _distributed():
        torch.distributed.all_reduce(t)
    return t


# ----------------------------------------------------------------------------------------------- evaluation
@torch.no_grad()
def _eval_sums(model, loader, loss_fn, metrics, dtype, device, non_blocking, check: bool):
    """[Σ (batch size × batch value) of the loss and each metric..., Σ batch size] as one float64 tensor on the
    device; no host sync (the sample count is a Python number until the end)."""
    was_training = model.training
    model.eval()
    total, count = None, 0
    try:
        for i, batch in enumerate(loader):
            inputs, y = _split(_cast(batch, dtype, device, non_blocking))
            out = _checked_forward(model, inputs, y, "validation") if i == 0 and check else _forward(model, inputs)
            values = ([loss_fn(out, y)] if loss_fn is not None else []) + [fn(out, y) for fn in metrics.values()]
            n = batch_size_of(y)
            row = torch.stack([torch.as_tensor(v, dtype=torch.float64, device=device).detach() * n for v in values])
            total = row if total is None else total + row
            count += n
    finally:
        model.train(was_training)
    return torch.cat([total, torch.tensor([float(count)], dtype=torch.float64).to(device)])


def evaluate_on(model: nn.Module, data, loss_fn=None, *, metrics: dict | None = None, batch_size: int = 256,
                device=None) -> dict[str, float]:
    """Loss and metrics of ``model`` over all of ``data`` (a DataLoader, a Dataset, a list of batches or one
    ``(x, y)``), in eval mode and without gradients: ``{"loss": ..., "<metric>": ...}``, each the mean over samples.

    ``metrics``: ``{name: fn(output, target) -> batch mean}``. In a distributed run the sums are added over all
    processes first. One host sync at the end.
    """
    metrics = dict(metrics or {})
    if loss_fn is None and not metrics:
        raise ValueError("evaluate_on needs a loss_fn or at least one metric")
    p = next(model.parameters())
    device = p.device if device is None else pick_device(device)
    loader = _as_loader(data, batch_size, False, "evaluation")
    sums = _all_reduce(_eval_sums(model, loader, loss_fn, metrics, p.dtype, device, False, True)).cpu()
    names = (["loss"] if loss_fn is not None else []) + list(metrics)
    return {name: float(sums[i] / sums[-1]) for i, name in enumerate(names)}


@torch.no_grad()
def evaluate(model: nn.Module, x, y, loss_fn) -> float:
    """``loss_fn(model(x), y)`` without gradients, in eval mode, as a float (one full batch)."""
    p = next(model.parameters())
    model.eval()
    value = float(loss_fn(_forward(model, _cast(x, p.dtype, p.device, False)), _cast(y, p.dtype, p.device, False)))
    model.train()
    return value


# ----------------------------------------------------------------------------------------------- training
_INTERVALS = ("epoch", "step")


def train(model: nn.Module, data, loss_fn, optimizer, steps: int | None = None, *, epochs: int | None = None,
          clip: float | None = None, stop_on_nonfinite: bool = True, threads: int | None = None,
          val_data=None, metrics: dict | None = None, scheduler=None, scheduler_interval: str = "epoch",
          early_stopping: EarlyStopping | None = None, checkpoint=None, checkpoint_every: int = 1,
          resume: bool = False, device=None, batch_size: int = 32, progress: bool = False,
          record_every: int | None = 1, sync_every: int | None = None, check_shapes: bool = True,
          on_step=None, on_epoch=None) -> History:
    """Train ``model``; return a :class:`History`.

    Data and length (see the module docstring): ``steps`` alone with ``data(step) -> batch``, an iterator or a
    fixed ``(x, y)``; or ``epochs`` with a DataLoader / Dataset (batched with ``batch_size``, shuffled by a
    generator seeded from torch's) / list of batches (``steps`` then caps the total number of steps). A DataLoader
    with ``steps`` and no ``epochs`` runs as many epochs as the steps need. Arrays may be NumPy or torch; floating
    ones are cast to the model's dtype. A batch is ``(x, y)`` or ``(x_1, ..., x_k, y)`` → ``model(x_1, ..., x_k)``.

    Options: ``clip`` max global gradient norm (None: no clipping). ``val_data`` evaluated after every epoch with
    ``loss_fn`` and ``metrics`` (``{name: fn(output, target) -> batch mean}``, e.g. :func:`accuracy`).
    ``scheduler`` a ``torch.optim.lr_scheduler`` stepped per ``scheduler_interval`` ("epoch" or "step";
    ``ReduceLROnPlateau`` gets the validation loss, or the training loss without validation data).
    ``early_stopping`` an :class:`EarlyStopping`. ``checkpoint`` a file written every ``checkpoint_every`` epochs
    (and at the end); ``resume=True`` continues from it when it exists — bit for bit like an uninterrupted run:
    ``epochs`` is the total, not the number still to run. ``device``: None keeps the model where it is,
    ``"auto"`` picks cuda → mps → cpu, or a name. ``progress`` shows ``tqdm.auto`` bars (main process only).
    ``record_every``/``sync_every``: see the module docstring. ``threads`` torch intra-op threads during training
    (:func:`torch_threads`). ``on_step(step)`` is called after every optimizer step (e.g. ``profiler.step``),
    ``on_epoch(epoch, values)`` after every epoch with that epoch's curve values; returning True stops training.
    ``check_shapes`` checks the first batch of each loader (model output vs target) and names the shapes.
    """
    _check_arguments(steps, epochs, clip, scheduler, scheduler_interval, record_every, sync_every, checkpoint,
                     checkpoint_every, resume, early_stopping, val_data, metrics)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters")
    if device is not None:
        model.to(pick_device(device))
    dev, dtype = params[0].device, params[0].dtype
    non_blocking = dev.type == "cuda"
    run = _Run(model, loss_fn, optimizer, clip, params, dev, dtype, non_blocking, record_every, stop_on_nonfinite,
               check_shapes, on_step)
    t0 = time.perf_counter()
    model.train()
    with torch_threads(threads):
        if epochs is None and not isinstance(data, (DataLoader, Dataset)):
            run.step_mode(_step_source(data), steps, 1 if sync_every is None else sync_every, progress)
            return run.history(time.perf_counter() - t0)
        loader = _as_loader(data, batch_size, True, "training")
        if epochs is None:
            epochs = -(-steps // len(loader))
        val_loader = _as_loader(val_data, max(batch_size, 256), False, "validation") if val_data is not None else None
        run.epoch_mode(loader, val_loader, epochs, steps, dict(metrics or {}), scheduler, scheduler_interval,
                       early_stopping, checkpoint, checkpoint_every, resume, sync_every, progress, on_epoch, t0)
    return run.history(time.perf_counter() - t0 + run.seconds_before)


def _check_arguments(steps, epochs, clip, scheduler, interval, record_every, sync_every, checkpoint, every, resume,
                     early_stopping, val_data, metrics):
    for name, value in (("steps", steps), ("epochs", epochs)):
        if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0):
            raise ValueError(f"{name} must be an integer ≥ 0 or None; got {value!r}")
    if steps is None and epochs is None:
        raise ValueError("give the length of training: steps=N (optimizer steps) or epochs=N (passes over the data)")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be positive or None; got {clip!r}")
    if interval not in _INTERVALS:
        raise ValueError(f"scheduler_interval must be one of {_INTERVALS}; got {interval!r}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must have a step() method (a torch.optim.lr_scheduler); got "
                        f"{type(scheduler).__name__}")
    for name, value in (("record_every", record_every), ("sync_every", sync_every), ("checkpoint_every", every)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{name} must be a positive integer or None; got {value!r}")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=<file> to resume from")
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be an EarlyStopping; got {type(early_stopping).__name__}")
        allowed = ["train_loss"]
        if val_data is not None:
            allowed += ["val_loss"] + [f"val_{m}" for m in (metrics or {})]
        if early_stopping.monitor not in allowed:
            raise ValueError(f"early stopping monitors {early_stopping.monitor!r}, which this run does not compute; "
                             f"expected one of {allowed}" + ("" if val_data is not None else
                                                               " (pass val_data=... to monitor validation values)"))
    if epochs is None and (val_data is not None or early_stopping is not None or checkpoint is not None):
        raise ValueError("validation, early stopping and checkpoints happen at the end of epochs: pass epochs=N "
                         "and a DataLoader (or Dataset / list of batches)")


class _Run:
    """The state of one call of :func:`train` (kept in one place so that a checkpoint can capture all of it)."""

    def __init__(self, model, loss_fn, optimizer, clip, params, device, dtype, non_blocking, record_every,
                 stop_on_nonfinite, check_shapes, on_step):
        self.model, self.loss_fn, self.optimizer, self.clip, self.params = model, loss_fn, optimizer, clip, params
        self.device, self.dtype, self.non_blocking = device, dtype, non_blocking
        self.record_every, self.stop_on_nonfinite, self.check_shapes = record_every, stop_on_nonfinite, check_shapes
        self.on_step = on_step
        self.loss, self.norm, self.at = [], [], []          # host copies of the recorded values
        self.pending = []                                    # (step, loss, norm) still on the device
        self.finite = torch.ones((), dtype=torch.bool, device=device)
        self.step = 0
        self.diverged = False
        self.curves: dict[str, list] = {}
        self.best_epoch, self.stopped_early, self.seconds_before = None, False, 0.0
        self.checked = False

    # ---- one step
    def one_step(self, batch, epoch_sum):
        """Forward, backward, clip, update; adds (batch loss × batch size, batch size) to ``epoch_sum``.
        Returns False when training must stop (a non-finite value found at a sync, before this step's update)."""
        inputs, y = _split(_cast(batch, self.dtype, self.device, self.non_blocking))
        self.optimizer.zero_grad(set_to_none=True)
        if self.check_shapes and not self.checked:
            out = _checked_forward(self.model, inputs, y, "training")
            self.checked = True
        else:
            out = _forward(self.model, inputs)
        loss = self.loss_fn(out, y)
        loss.backward()
        record = self.record_every is not None and self.step % self.record_every == 0
        if self.clip is not None:
            norm = nn.utils.clip_grad_norm_(self.params, self.clip)
        elif record:
            norm = nn.utils.get_total_norm([p.grad for p in self.params if p.grad is not None])
        else:
            norm = None
        value = loss.detach()
        self.finite &= torch.isfinite(value) if norm is None else torch.isfinite(value) & torch.isfinite(norm)
        if record:
            self.pending.append((self.step, value, norm.detach()))
        if epoch_sum is not None:          # [Σ loss × batch size on the device, Σ batch size on the host]
            n = batch_size_of(y)
            epoch_sum[0] = epoch_sum[0] + value.double() * n
            epoch_sum[1] += n
        return value

    def sync(self) -> bool:
        """Copy the pending records to the host; True when everything so far is finite."""
        if self.pending:
            steps, values, norms = zip(*self.pending)
            host = torch.stack([torch.stack(values).double(), torch.stack(norms).double()]).cpu().numpy()
            self.at.extend(steps)
            self.loss.extend(host[0].tolist())
            self.norm.extend(host[1].tolist())
            self.pending = []
        ok = bool(self.finite)
        if not ok:
            self.diverged = True
        return ok

    def apply(self):
        self.optimizer.step()
        self.step += 1
        if self.on_step is not None:
            self.on_step(self.step)

    # ---- step mode (chapters 1-3)
    def step_mode(self, get, steps, sync_every, progress):
        bar = _bar(progress, total=steps, desc="steps")
        for step in range(steps):
            self.one_step(get(step), None)
            if (step + 1) % sync_every == 0 or step + 1 == steps:
                if not self.sync() and self.stop_on_nonfinite:
                    self.step += 1      # counted (and recorded), not applied
                    break
                _postfix(bar, self.loss)
            self.apply()
            _update(bar)
        _close(bar)

    # ---- epoch mode (chapter 5)
    def epoch_mode(self, loader, val_loader, epochs, max_steps, metrics, scheduler, interval, stopper, path, every,
                   resume, sync_every, progress, on_epoch, t0):
        loaders = [ld for ld in (loader, val_loader) if isinstance(ld, DataLoader)]
        best = {"value": math.nan, "epoch": None, "wait": 0, "state": None}
        start = 0
        if resume and path is not None and _exists(path):
            start, best = self.restore(ckpt.load(path), scheduler, loaders, len(loader))
        plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
        bar = _bar(progress, total=epochs, initial=start, desc="epochs")
        stop = self.stopped_early
        for epoch in range(start, epochs):
            if stop or (max_steps is not None and self.step >= max_steps):
                break
            for obj in (getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None), "sampler",
                                                                   None)):
                if callable(getattr(obj, "set_epoch", None)):
                    obj.set_epoch(epoch)
            epoch_sum = [torch.zeros((), dtype=torch.float64, device=self.device), 0]
            inner = _bar(progress, total=len(loader), desc=f"epoch {epoch + 1}", leave=False)
            for i, batch in enumerate(loader):
                self.one_step(batch, epoch_sum)
                if sync_every is not None and (self.step + 1) % sync_every == 0:
                    if not self.sync() and self.stop_on_nonfinite:
                        self.step += 1
                        stop = True
                        break
                    _postfix(inner, self.loss)
                self.apply()
                if scheduler is not None and interval == "step" and not plateau:
                    scheduler.step()
                _update(inner)
                if max_steps is not None and self.step >= max_steps:
                    break
            _close(inner)
            if stop:
                break
            values = self.end_of_epoch(epoch, epoch_sum, val_loader, metrics)
            values["seconds"] = self.seconds_before + time.perf_counter() - t0
            if not self.sync() and self.stop_on_nonfinite:
                values["lr"] = float(self.optimizer.param_groups[0]["lr"])
                self.record_curves(values)
                break
            if scheduler is not None and (interval == "epoch" or plateau):
                if plateau:
                    scheduler.step(values.get("val_loss", values["train_loss"]))
                else:
                    scheduler.step()
            values["lr"] = float(self.optimizer.param_groups[0]["lr"])
            self.record_curves(values)
            if stopper is not None:
                value = values[stopper.monitor]
                if stopper.improved(value, best["value"]):
                    best = {"value": value, "epoch": epoch + 1, "wait": 0,
                            "state": {k: v.detach().clone() for k, v in ckpt.unwrap(self.model).state_dict().items()}
                            if stopper.restore_best else None}
                else:
                    best["wait"] += 1
                    if best["wait"] >= stopper.patience:
                        stop = self.stopped_early = True
            if on_epoch is not None and on_epoch(epoch + 1, values):
                stop = True
            if path is not None and _is_main() and ((epoch + 1) % every == 0 or epoch + 1 == epochs or stop):
                self.save(path, epoch + 1, best, scheduler, loaders, len(loader), t0)
            _postfix(bar, None, {k: v for k, v in values.items() if k.endswith("loss")})
            _update(bar)
        _close(bar)
        if stopper is not None and best["epoch"] is not None:
            self.best_epoch = best["epoch"]
            if stopper.restore_best and best["state"] is not None:
                ckpt.unwrap(self.model).load_state_dict(best["state"])

    def end_of_epoch(self, epoch, epoch_sum, val_loader, metrics) -> dict:
        """The epoch's mean training loss and validation values: one host sync for all of them."""
        parts = [_all_reduce(torch.stack([epoch_sum[0], torch.tensor(float(epoch_sum[1]), dtype=torch.float64)
                                          .to(self.device)]))]
        if val_loader is not None:
            parts.append(_all_reduce(_eval_sums(self.model, val_loader, self.loss_fn, metrics, self.dtype,
                                                self.device, self.non_blocking, self.check_shapes)))
        host = torch.cat(parts).cpu().numpy()
        values = {"epoch": epoch + 1, "train_loss": float(host[0] / host[1])}
        if val_loader is not None:
            v = host[2:]
            for i, name in enumerate(["loss"] + list(metrics)):
                values[f"val_{name}"] = float(v[i] / v[-1])
        if not math.isfinite(values["train_loss"]):
            self.finite &= False
        return values

    def record_curves(self, values):
        for k, v in values.items():
            self.curves.setdefault(k, []).append(v)

    # ---- checkpoints
    def save(self, path, epoch, best, scheduler, loaders, batches, t0):
        ckpt.save(path, {
            "epoch": epoch, "step": self.step, "batches_per_epoch": batches,
            "model": ckpt.unwrap(self.model).state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "history": {"loss": self.loss, "grad_norm": self.norm, "at": self.at, "curves": self.curves,
                        "diverged": self.diverged, "stopped_early": self.stopped_early,
                        "seconds": self.seconds_before + time.perf_counter() - t0},
            "early_stopping": best,
            "rng": ckpt.rng_state(loaders),
        })

    def restore(self, state, scheduler, loaders, batches):
        if state["batches_per_epoch"] != batches:
            raise ValueError(f"the checkpoint was written with {state['batches_per_epoch']} batches per epoch; this "
                             f"run's training data gives {batches}: resume with the same data and batch size")
        try:
            ckpt.unwrap(self.model).load_state_dict(state["model"])
        except RuntimeError as err:
            raise ValueError(f"the checkpoint does not fit this model: {err}") from err
        self.optimizer.load_state_dict(state["optimizer"])
        if (state["scheduler"] is None) != (scheduler is None):
            raise ValueError("the checkpoint was written " + ("without" if state["scheduler"] is None else "with")
                             + " a learning-rate scheduler; this run has " + ("one" if scheduler else "none"))
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        h = state["history"]
        self.loss, self.norm, self.at, self.curves = list(h["loss"]), list(h["grad_norm"]), list(h["at"]), h["curves"]
        self.diverged, self.stopped_early, self.seconds_before = h["diverged"], h["stopped_early"], h["seconds"]
        self.step = state["step"]
        best = state["early_stopping"]
        if best["state"] is not None:
            best["state"] = {k: v.to(self.device) for k, v in best["state"].items()}
        ckpt.set_rng_state(state["rng"], loaders)
        return state["epoch"], best

    def history(self, seconds) -> History:
        self.sync()
        loss, norm = np.array(self.loss, dtype=float), np.array(self.norm, dtype=float)
        every_step = self.at == list(range(len(self.at)))
        diverged = self.diverged or not (np.all(np.isfinite(loss)) and np.all(np.isfinite(norm)))
        return History(loss, norm, self.clip, diverged, seconds, steps_recorded=None if every_step else
                       np.array(self.at, dtype=int), curves=self.curves, total_steps=self.step,
                       best_epoch=self.best_epoch, stopped_early=self.stopped_early)


def _exists(path) -> bool:
    import pathlib
    return pathlib.Path(path).is_file()


# ----------------------------------------------------------------------------------------------- progress bars
def _bar(enabled, **kwargs):
    if not enabled or not _is_main():
        return None
    from tqdm.auto import tqdm
    return tqdm(**kwargs)


def _update(bar):
    if bar is not None:
        bar.update(1)


def _postfix(bar, losses, values=None):
    if bar is not None:
        if values is None and losses:
            values = {"loss": losses[-1]}
        if values:
            bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()}, refresh=False)


def _close(bar):
    if bar is not None:
        bar.close()
