"""Checks of the built website in _build/html (marker `site`; scripts/test.sh runs them after a strict build).

    python -m pytest -m site        # after `bash scripts/build-book.sh`
"""
import html.parser
import re

import pytest
from builtsite import ENTRIES, EXECUTED, HTML, NOTEBOOK_ENTRIES, ROOT, all_pages, page
from notebook_figures import code_cells, draws_figure, expected_figures, optional_figure, shows_figure

pytestmark = [
    pytest.mark.site,
    pytest.mark.skipif(not (HTML / "index.html").is_file(),
                       reason="_build/html is missing: build the book first (bash scripts/build-book.sh)"),
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_toc_entry_has_a_page(entry):
    assert page(entry).is_file(), f"no HTML page for _toc.yml entry {entry}"


class OpenElements(html.parser.HTMLParser):
    """An HTML parser that keeps the open elements as a stack of (tag, what `start` said about it)."""

    VOID = {"br", "img", "meta", "link", "input", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack = []

    def start(self, tag, classes):
        return classes

    def handle_starttag(self, tag, attrs):
        info = self.start(tag, set((dict(attrs).get("class") or "").split()))
        if tag not in self.VOID:
            self.stack.append((tag, info))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


class ErrorFinder(OpenElements):
    """Collect error outputs (myst-nb `output traceback`, docutils `system-message`, a raw Python traceback)
    that are not inside a cell tagged `raises-exception` (those demonstrate an error on purpose)."""

    def __init__(self):
        super().__init__()       # stack: (tag, allowed-error-region?) for open elements
        self.errors = []

    def _allowed(self):
        return any(allowed for _, allowed in self.stack)

    def start(self, tag, classes):
        if ("traceback" in classes or "system-message" in classes) and not self._allowed():
            self.errors.append(f"<{tag} class='{' '.join(sorted(classes))}'> at line {self.getpos()[0]}")
        return "cell" in classes and "tag_raises-exception" in classes

    def handle_data(self, data):
        if "Traceback (most recent call last)" in data and not self._allowed():
            self.errors.append(f"'Traceback (most recent call last)' at line {self.getpos()[0]}")


@pytest.mark.parametrize("entry", ENTRIES)
def test_no_error_output_on_page(entry):
    if not page(entry).is_file():
        pytest.skip("page missing (reported by test_every_toc_entry_has_a_page)")
    finder = ErrorFinder()
    finder.feed(page(entry).read_text(encoding="utf-8"))
    assert not finder.errors, f"{entry}.html shows errors: {finder.errors}"


def test_no_stray_pages_with_errors():
    """Also pages not in the TOC (e.g. generated ones) must not show tracebacks."""
    bad = [str(p.relative_to(HTML)) for p in all_pages()
           if "Traceback (most recent call last)" in p.read_text(encoding="utf-8")
           and "tag_raises-exception" not in p.read_text(encoding="utf-8")]
    assert not bad, bad


def test_index_opens_the_intro():
    title = next(line[2:].strip() for line in (ROOT / "book" / "intro.md").read_text(encoding="utf-8").splitlines()
                 if line.startswith("# "))
    index = (HTML / "index.html").read_text(encoding="utf-8")
    m = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index, re.I)
    target = HTML / m.group(1) if m else HTML / "index.html"
    assert target.resolve() == page(ENTRIES[0]).resolve(), f"index.html leads to {target}, not the intro"
    text = target.read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    assert h1, "the intro page has no <h1>"
    h1_text = re.sub(r"<[^>]+>|#|¶", "", h1.group(1)).strip()
    assert h1_text == title
    assert f"<title>{title}" in text.replace("&#8212;", "—")


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES or [
    pytest.param(None, marks=pytest.mark.skip(reason="there are no notebook pages yet"))])
def test_notebook_page_has_launch_buttons(entry):
    text = page(entry).read_text(encoding="utf-8")
    binder = f"https://mybinder.org/v2/gh/gru-book/gru-book/main?urlpath="
    colab = f"https://colab.research.google.com/github/gru-book/gru-book/blob/main/{entry}.ipynb"
    assert binder in text and f"{entry}.ipynb" in text.split(binder, 1)[1].split('"', 1)[0], \
        f"{entry}.html has no Binder launch link"
    assert colab in text, f"{entry}.html has no Colab launch link"


def test_local_scripts_and_styles_exist():
    """Every script/stylesheet a page loads from the site itself exists (e.g. the offline MathJax/widget files)."""
    missing = set()
    for p in all_pages():
        for ref in re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"#?]+)', p.read_text(encoding="utf-8")):
            if "://" in ref or ref.startswith(("data:", "mailto:")) or not ref.endswith((".js", ".css")):
                continue
            if not (p.parent / ref).resolve().is_file():
                missing.add(f"{p.relative_to(HTML)} -> {ref}")
    assert not missing, sorted(missing)


def test_repository_button():
    assert "https://github.com/gru-book/gru-book" in page(ENTRIES[0]).read_text(encoding="utf-8")


def _explorer_blocks(entry):
    text = page(entry).read_text(encoding="utf-8")
    for uid in re.findall(r'<div id="(fx[0-9a-f]{10})" class="gru-frame-explorer">', text):
        start = text.index(f'<div id="{uid}"')
        yield uid, text[start:text.index("</script></div>", start) + len("</script></div>")]


def test_kernel_free_explorers_ship_their_frames():
    """Chapters 1 and 2 promise explorers that work without a kernel: each explorer on the page has its sliders,
    a frame table holding a PNG for every combination of slider positions, and the script that swaps them."""
    explorers = 0
    for entry in ("book/01_vanishing_gradients", "book/02_gru_cell"):
        if entry not in ENTRIES:
            continue
        for uid, block in _explorer_blocks(entry):
            maxima = [int(m) for m in re.findall(r'<input type="range" min="0" max="(\d+)"', block)]
            assert maxima, f"{entry}: explorer {uid} has no sliders"
            frames = re.search(rf"var {uid}_frames = (\{{.*?\}});", block)
            assert frames, f"{entry}: explorer {uid} has no frame table"
            expected = 1
            for m in maxima:
                expected *= m + 1
            assert frames.group(1).count("iVBOR") == expected, f"{entry}: explorer {uid} misses frames"
            assert f"function {uid}_show()" in block
            explorers += 1
    assert explorers >= 2, "expected a kernel-free explorer in chapter 1 and in chapter 2"


# -- figures: each chapter page shows a figure for every figure-producing cell of its notebook ---------------------
# (tests/notebook_figures.py says which cells those are, from the committed notebook; tests/test_browser.py
# checks that the images also load in a browser)

class FigureCellCounter(OpenElements):
    """Count the code cells (<div class="cell">) of a page whose output area holds at least one <img>."""

    def __init__(self):
        super().__init__()         # stack: (tag, classes) of the open elements
        self.cells = 0             # cells seen so far; the current one is number self.cells
        self.with_figure = set()

    def start(self, tag, classes):
        if tag == "div" and "cell" in classes:
            self.cells += 1
        if tag == "img" and any("cell_output" in c for _, c in self.stack) \
                and any(t == "div" and "cell" in c for t, c in self.stack):
            self.with_figure.add(self.cells)
        return classes


def figure_cells_on_page(entry):
    counter = FigureCellCounter()
    counter.feed(page(entry).read_text(encoding="utf-8"))
    return len(counter.with_figure)


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_page_shows_a_figure_for_each_figure_cell(entry):
    expected = expected_figures(ROOT / f"{entry}.ipynb")
    shown = figure_cells_on_page(entry)
    assert shown >= expected, (
        f"{entry}.html shows figures in {shown} code cells, but its notebook has {expected} figure-producing "
        f"cells: the build's kernels captured no figures (was MPLBACKEND=Agg in the kernels' environment? "
        f"_ext/build_kernel.py should prevent it)")


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_figure_rule_matches_the_executed_notebook(entry):
    """Each cell that tests/notebook_figures.py calls figure-producing has a figure in the build's executed
    notebook, and no other cell has one (so the rule, and with it the expected counts, stays right)."""
    executed = EXECUTED / f"{entry}.ipynb"
    assert executed.is_file(), f"no executed notebook {executed.relative_to(ROOT)} (myst-nb writes one per page)"
    missing = [i for i, c in code_cells(executed) if draws_figure(c) and not shows_figure(c)]
    unexpected = [i for i, c in code_cells(executed)
                  if shows_figure(c) and not draws_figure(c) and not optional_figure(c)]
    assert not missing, (f"{entry}: cells {missing} (0-based among all cells) draw a figure but the build "
                         f"captured none")
    assert not unexpected, (
        f"{entry}: cells {unexpected} show a figure that tests/notebook_figures.py does not predict; end each "
        f"with plt.show() (or name the plotting helper plot_... or draw_...) so that the page's expected count "
        f"includes it")
