"""Checks of the built website in _build/html (marker `site`; scripts/test.sh runs them after a strict build).

    python -m pytest -m site        # after `bash scripts/build-book.sh`
"""
import html.parser
import pathlib
import re
import shutil
import subprocess

import pytest
from booktoc import toc_entries

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"

pytestmark = [
    pytest.mark.site,
    pytest.mark.skipif(not (HTML / "index.html").is_file(),
                       reason="_build/html is missing: build the book first (bash scripts/build-book.sh)"),
]


ENTRIES = toc_entries()
NOTEBOOK_ENTRIES = [e for e in ENTRIES if (ROOT / f"{e}.ipynb").is_file()]


def page(entry):
    return HTML / f"{entry}.html"


def all_pages():
    return sorted(p for p in HTML.rglob("*.html")
                  if not {"_static", "_sources", "_images"} & set(p.relative_to(HTML).parts))


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_toc_entry_has_a_page(entry):
    assert page(entry).is_file(), f"no HTML page for _toc.yml entry {entry}"


class ErrorFinder(html.parser.HTMLParser):
    """Collect error outputs (myst-nb `output traceback`, docutils `system-message`, a raw Python traceback)
    that are not inside a cell tagged `raises-exception` (those demonstrate an error on purpose)."""

    def __init__(self):
        super().__init__()
        self.stack = []          # (tag, allowed-error-region?) for open elements
        self.errors = []

    def _allowed(self):
        return any(allowed for _, allowed in self.stack)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        allowed = "cell" in classes and "tag_raises-exception" in classes
        if ("traceback" in classes or "system-message" in classes) and not self._allowed():
            self.errors.append(f"<{tag} class='{' '.join(classes)}'> at line {self.getpos()[0]}")
        if tag not in {"br", "img", "meta", "link", "input", "hr", "source", "col", "wbr"}:
            self.stack.append((tag, allowed))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

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


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs headless chromium (apt-get install chromium)")
def test_explorer_slider_swaps_the_frame_in_a_browser(tmp_path):
    """In a real browser with no kernel, moving a slider shows the frame for the new slider positions."""
    uid, block = next(_explorer_blocks("book/02_gru_cell"))
    probe = tmp_path / "probe.html"
    probe.write_text(f"""<html><body>{block}<script>
var sliders = document.querySelectorAll('#{uid} input'), img = document.getElementById('{uid}_img');
var before = img.src;
sliders[0].value = sliders[0].value == '0' ? '1' : '0';
sliders[0].dispatchEvent(new Event('input'));
var key = Array.from(sliders).map(s => s.value).join('-');
document.body.setAttribute('data-result', [img.src != before,
    img.src == 'data:image/png;base64,' + {uid}_frames[key]].join('|'));
</script></body></html>""", encoding="utf-8")
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=60).stdout
    assert 'data-result="true|true"' in dom, "the slider did not swap in the matching frame"
