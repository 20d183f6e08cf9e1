"""Committed results of the experiments too big for the build, shipped inside the package.

Each ``*.json`` file here was written by one command (``python -m gru_teach....``) and records its provenance:
the command, the date, the versions, the machine and the wall time. The chapters read these files with
:func:`load_results` — through :mod:`importlib.resources`, so a notebook copied anywhere (Colab, a student's
folder) finds them as long as ``gru_teach`` is installed — and re-run a small version live.
"""
from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import sys
from importlib import resources

__all__ = ["ResultsMissing", "available", "command_line", "load_results", "machine", "provenance", "results_path",
           "save_results"]


class ResultsMissing(FileNotFoundError):
    """A committed results file is not in this installation of ``gru_teach``; the message says how to make it."""

    def _render_traceback_(self) -> list[str]:
        """In a notebook, IPython shows this one line instead of a traceback."""
        return [f"❌ {type(self).__name__}: {self}"]


def results_path(name: str) -> pathlib.Path:
    """Where ``name`` lives in the source tree (for writers; readers use :func:`load_results`)."""
    return pathlib.Path(__file__).resolve().parent / name


def available() -> list[str]:
    """The names of the results files this installation ships."""
    return sorted(p.name for p in resources.files(__name__).iterdir() if p.name.endswith(".json"))


def load_results(name: str, *, required: bool = True) -> dict | None:
    """The committed results file ``name`` as a dict.

    Missing file: with ``required=True`` raise :class:`ResultsMissing` naming the files that do exist and the
    command to regenerate (in a notebook IPython shows only that message); with ``required=False`` print a
    one-line note saying what is left out and return None (for optional reference rows).
    """
    if not isinstance(name, str) or not name.endswith(".json"):
        raise ValueError(f"name must be a file name ending in .json; got {name!r}")
    try:
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        if not required:
            print(f"note: gru_teach ships no results file {name!r}, so the parts that compare with it are left "
                  "out (regenerate it with the command named in the chapter)")
            return None
        raise ResultsMissing(
            f"gru_teach ships no results file {name!r} (it has: {', '.join(available()) or 'none'}). "
            "Update gru_teach (pip install -U of the book's repository), or regenerate the file with the command "
            "named in the chapter.") from None
    return json.loads(text)


def machine() -> str:
    """One line describing this machine: CPU model, logical cores, GPU if torch sees one."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    text = f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.machine()}"
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        text += f"; GPU {torch.cuda.get_device_name(0)}"
    return text


def command_line(module: str, argv) -> str:
    """``python -m module args`` as a reader can re-run it: no path of the machine that ran it.

    An absolute path argument becomes relative to the working directory when it lies inside it, otherwise only
    its file name is kept (``--json /root/out/x.json`` is recorded as ``--json x.json``).
    """
    cwd, words = pathlib.Path.cwd(), []
    for arg in map(str, argv):
        flag, eq, value = arg.partition("=") if arg.startswith("--") and "=" in arg else ("", "", arg)
        if os.path.isabs(value):
            path = pathlib.Path(value)
            value = str(path.relative_to(cwd)) if path.is_relative_to(cwd) else path.name
        words.append(flag + eq + value)
    return " ".join(["python -m", module, *words])


def provenance(command: str, seconds: float | None = None, **extra) -> dict:
    """The provenance block every results file carries: command, UTC date, versions, machine, wall time."""
    import numpy as np
    info = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": machine(),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch"] = torch.__version__
    if seconds is not None:
        info["seconds"] = round(float(seconds), 1)
    info.update(extra)
    return info


def save_results(result: dict, out: str | os.PathLike | None, name: str) -> pathlib.Path:
    """Write ``result`` as JSON to ``out`` (a file path), or to the package's data folder when ``out`` is None."""
    if "provenance" not in result:
        raise ValueError("a results file must carry a 'provenance' block (see gru_teach.data.provenance)")
    path = pathlib.Path(out) if out is not None else results_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return path
