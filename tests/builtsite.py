"""The built website as the site checks see it (shared by tests/test_site.py and tests/test_browser.py)."""
import pathlib

from booktoc import toc_entries

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
EXECUTED = ROOT / "_build" / "jupyter_execute"    # the notebooks as the build executed them (myst-nb)
SCREENSHOTS = ROOT / "_build" / "screenshots"

ENTRIES = toc_entries()
NOTEBOOK_ENTRIES = [e for e in ENTRIES if (ROOT / f"{e}.ipynb").is_file()]


def page(entry):
    return HTML / f"{entry}.html"


def is_redirect(path):
    """index.html is only a redirect to the first page (written by jupyter-book)."""
    return 'http-equiv="Refresh"' in path.read_text(encoding="utf-8")


def all_pages():
    return sorted(p for p in HTML.rglob("*.html")
                  if not {"_static", "_sources", "_images"} & set(p.relative_to(HTML).parts))


def notebook_of(path):
    """The book notebook a built page comes from, or None (Markdown pages, generated pages)."""
    source = ROOT / path.relative_to(HTML).with_suffix(".ipynb")
    return source if source.is_file() else None
