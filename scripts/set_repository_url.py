"""The repository URL is one setting: ``repository: url:`` in _config.yml. This script copies it everywhere else.

    python scripts/set_repository_url.py https://github.com/YOU/FORK   # set it (fork), then copy it
    python scripts/set_repository_url.py                               # copy the URL _config.yml holds now
    python scripts/set_repository_url.py --check                       # exit 1 if a copy disagrees

The copies exist because a notebook opened on Colab cannot read _config.yml: the bootstrap cell
(scripts/bootstrap_cell.ipy, the first cell of every notebook, shown in CONTRIBUTING.md) names the repository it
``pip install``s gru_teach from. The README's Binder/Colab links and pyproject.toml's Homepage name it too.
Standard library only.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
BOOTSTRAP = ROOT / "scripts" / "bootstrap_cell.ipy"
TEXT_COPIES = ("scripts/bootstrap_cell.ipy", "CONTRIBUTING.md", "README.md", "pyproject.toml")
URL = re.compile(r"^https://github\.com/(?P<slug>[A-Za-z0-9][\w.-]*/[\w.-]+?)(?:\.git)?/?$")
CONFIG_LINE = re.compile(r"^(repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)(\S+)", re.M)
#: the forms in which the copies name the repository: GitHub itself, Binder and Colab
FORMS = (r"https://github\.com/", r"https://mybinder\.org/v2/gh/", r"https://colab\.research\.google\.com/github/")


def slug_of(url: str) -> str:
    """``owner/name`` of a GitHub URL; a clear error for anything else."""
    match = URL.match(url.strip())
    if not match:
        raise SystemExit(f"expected a GitHub repository URL such as https://github.com/you/gru-book; got {url!r} "
                         "(Colab opens notebooks from GitHub only)")
    return match["slug"]


def configured_url(text: str | None = None) -> str:
    """The URL in _config.yml's ``repository: url:`` line."""
    match = CONFIG_LINE.search(CONFIG.read_text(encoding="utf-8") if text is None else text)
    if not match:
        raise SystemExit(f"{CONFIG.name} has no `repository: url:` line")
    return match.group(2)


def bootstrap_slug() -> str:
    """The repository the bootstrap cell installs from now (the slug every copy is expected to use)."""
    match = re.search(r"git\+https://github\.com/([\w.-]+/[\w.-]+)", BOOTSTRAP.read_text(encoding="utf-8"))
    if not match:
        raise SystemExit(f"{BOOTSTRAP.relative_to(ROOT)} has no `git+https://github.com/OWNER/NAME`")
    return match.group(1)


def replace_slug(text: str, old: str, new: str) -> str:
    """``text`` with every form (GitHub, Binder, Colab) of repository ``old`` naming ``new`` instead."""
    forms = "|".join(FORMS)
    return re.sub(rf"({forms}){re.escape(old)}(?=[/\s\"'`)\]#?]|$)", lambda m: m.group(1) + new, text)


def copies() -> list[pathlib.Path]:
    return [ROOT / rel for rel in TEXT_COPIES] + sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def propagate(new_slug: str, write: bool) -> list[str]:
    """Rewrite (or, with ``write=False``, list) the files whose copies name another repository."""
    old_slug, changed = bootstrap_slug(), []
    for path in copies():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":   # only the bootstrap cell: a chapter may cite other repositories
            nb = json.loads(text)
            first = next(c for c in nb["cells"] if c["cell_type"] == "code")
            source = "".join(first["source"])
            updated = replace_slug(source, old_slug, new_slug)
            if updated != source:
                first["source"] = updated.splitlines(keepends=True)
                new_text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
            else:
                new_text = text
        else:
            new_text = replace_slug(text, old_slug, new_slug)
        if new_text != text:
            changed.append(str(path.relative_to(ROOT)))
            if write:
                path.write_text(new_text, encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--check":
        stale = propagate(slug_of(configured_url()), write=False)
        for rel in stale:
            print(f"names another repository than _config.yml: {rel}")
        if stale:
            print("run `python scripts/set_repository_url.py` to copy _config.yml's repository URL into them")
        return 1 if stale else 0
    if argv:
        new = slug_of(argv[0])
        text = CONFIG.read_text(encoding="utf-8")
        CONFIG.write_text(CONFIG_LINE.sub(lambda m: m.group(1) + f"https://github.com/{new}", text, count=1),
                          encoding="utf-8")
    new = slug_of(configured_url())
    changed = propagate(new, write=True)
    print(f"repository: https://github.com/{new}; updated {', '.join(changed) if changed else 'nothing (in sync)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
