"""Sphinx extension: the kernels that execute the book during the build draw figures inline and keep quiet.

Figures. A kernel started with MPLBACKEND=Agg in its environment (a test runner or a CI job may export it)
captures no figures: `plt.show()` draws nothing and every chapter page loses its plots, while the build
still succeeds. The build therefore sets MPLBACKEND to matplotlib's inline backend, the value ipykernel itself
chooses when nothing is set, whatever the caller's environment says.

Kernel log. ipykernel 7 warns on every start that the kernel "is running over TCP without encryption". The
build's kernels listen on 127.0.0.1 only, for the seconds a notebook runs, and myst-nb gives no way to choose
IPC transport. The kernels get their own IPython directory (<build>/.ipython, made here) whose
ipython_kernel_config.py (next to this file) filters out that one message; it also keeps a user's
~/.ipython startup files out of the build, so every machine executes the book the same way.
"""
import os
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)
INLINE = "module://matplotlib_inline.backend_inline"
KERNEL_CONFIG = Path(__file__).with_name("ipython_kernel_config.py")


def _configure(app, config):
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = INLINE
    if before not in (None, "", INLINE):
        logger.info(f"[build_kernel] MPLBACKEND={before} ignored: the build's kernels plot inline")
    ipython_dir = Path(app.doctreedir).parent / ".ipython"
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(KERNEL_CONFIG, profile / KERNEL_CONFIG.name)
    os.environ["IPYTHONDIR"] = str(ipython_dir)


def setup(app):
    app.connect("config-inited", _configure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
