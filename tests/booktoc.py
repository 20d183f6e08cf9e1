"""The table of contents as the tests see it (shared by test_repo.py and test_site.py)."""
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def toc_entries():
    """Every `file:` entry of _toc.yml (root included), as repository-relative paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in found]
