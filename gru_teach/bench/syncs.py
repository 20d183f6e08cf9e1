"""Host reads: the lines of a training loop that make the CPU wait for the GPU.

A GPU runs the kernels that the CPU queues, asynchronously: while the GPU computes step k, Python can already
queue step k + 1. Reading a value of a device tensor on the host — ``loss.item()``, ``float(loss)``,
``f"{loss:.3f}"``, ``print(loss)``, ``if loss < best:``, ``loss.tolist()``, ``loss.cpu()``, ``loss.numpy()`` —
has to wait until the GPU has computed it, which empties the queue: the GPU then idles while Python queues the
next step. One read per step can cost more than the step itself for a small model. On a CPU the same lines cost
almost nothing (the values are already there), which is why the habit survives.

:class:`HostReads` counts them, whatever the device, so that a loop can be checked on a CPU: it is a
``TorchFunctionMode`` that sees every tensor method call made while it is active.
"""
from __future__ import annotations

from torch.overrides import TorchFunctionMode

# Tensor methods that copy values to the host (``__format__`` covers f-strings; ``__bool__`` covers ``if t:``)
READS = frozenset({"item", "tolist", "numpy", "cpu", "__float__", "__int__", "__index__", "__bool__", "__format__",
                   "__repr__", "__str__"})


class HostReads(TorchFunctionMode):
    """Count host reads of tensors inside the ``with`` block: ``count`` in all, ``names`` in order.

    Example::

        with HostReads() as reads:
            epoch(model, optimizer, batches)
        print(reads.count)
    """

    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    @property
    def count(self) -> int:
        return len(self.names)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in READS:
            self.names.append(name)
        return func(*args, **(kwargs or {}))
