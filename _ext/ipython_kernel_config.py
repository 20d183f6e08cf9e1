# Configuration of the IPython kernels that execute the book during the build (copied by _ext/build_kernel.py
# into the build's own IPython directory; `c` is the kernel's traitlets configuration).
import logging


class _NoTcpWarning(logging.Filter):
    """Drop ipykernel's "running over TCP without encryption" warning: the build's kernels listen on
    127.0.0.1 only, while a notebook runs, and myst-nb offers no IPC transport."""

    def filter(self, record):
        return "without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_NoTcpWarning())
