"""The built website in a real browser (markers `site` and `browser`; scripts/test.sh runs them last).

One headless Chromium session (tests/cdp.py) opens every page of _build/html at 1280 x 900, lets MathJax,
images and fonts settle, runs tests/page_checks.js in the page and takes a screenshot of the whole page into
_build/screenshots/ (so that a person can look at what readers see). The tests below then judge each page:

  - it loads with no JavaScript error, no console error and no failed request, and requests nothing from the
    network (MathJax and the widget manager come from _static/offline/: the site works offline);
  - its maths is typeset by MathJax, without TeX errors, and no raw $$ or \\( is left in the text;
  - every image has loaded, and a chapter page shows a figure for every figure-producing cell of its notebook;
  - nothing is wider than the text column or cut off, except code and outputs (<pre>) and content the book
    wraps in <div class="scroll-x"> to scroll on purpose;
  - every kernel-free explorer shows the matching frame when a slider moves.

    python -m pytest -m browser       # after `bash scripts/build-book.sh`; needs chromium (scripts/_browser.sh)
"""
import json
import pathlib
import re
import shutil
import time

import pytest
from builtsite import ENTRIES, HTML, ROOT, SCREENSHOTS, all_pages, is_redirect, notebook_of
from notebook_figures import expected_figures
from page_checks import check_page

pytestmark = [
    pytest.mark.site,
    pytest.mark.browser,
    pytest.mark.skipif(not (HTML / "index.html").is_file(),
                       reason="_build/html is missing: build the book first (bash scripts/build-book.sh)"),
]

PAGES = [p for p in all_pages() if not is_redirect(p)] if HTML.is_dir() else []
NAMES = [p.relative_to(HTML).as_posix() for p in PAGES]
WIDTH, HEIGHT = 1280, 900


@pytest.fixture(scope="module")
def site(chromium):
    """{page name: what the browser found on it}, from one browser tab that visits every page in turn."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    tab = chromium.new_tab(WIDTH, HEIGHT)
    reports = {}
    for path, name in zip(PAGES, NAMES):
        start = time.monotonic()
        report = check_page(tab, path.as_uri())
        shot = SCREENSHOTS / pathlib.Path(name).with_suffix(".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(shot)
        report["screenshot"] = str(shot.relative_to(ROOT))
        report["seconds"] = round(time.monotonic() - start, 2)
        reports[name] = report
    tab.close()
    (SCREENSHOTS / "report.json").write_text(
        json.dumps({"browser": chromium.version, "window": [WIDTH, HEIGHT], "pages": reports},
                   indent=1, ensure_ascii=False), encoding="utf-8")
    return reports


def findings(items, name, report):
    return f"{name} (screenshot {report['screenshot']}):\n  " + "\n  ".join(items)


@pytest.mark.parametrize("name", NAMES)
def test_page_loads_without_errors(site, name):
    report = site[name]
    assert not report["problems"], findings(report["problems"], name, report)
    assert not report["remote"], findings(
        [f"requested from the network: {u}" for u in report["remote"]]
        + ["(the site must work offline: are the offline assets staged? bash scripts/offline-assets.sh)"],
        name, report)


@pytest.mark.parametrize("name", NAMES)
def test_maths_is_rendered(site, name):
    report, maths = site[name], site[name]["maths"]
    assert maths["typeset"] >= maths["elements"] and not maths["not_typeset"], findings(
        [f"not typeset by MathJax: {m}" for m in maths["not_typeset"]]
        or [f"{maths['elements']} maths elements, {maths['typeset']} typeset"], name, report)
    assert not maths["tex_errors"], findings([f"TeX error: {e}" for e in maths["tex_errors"]], name, report)
    assert not maths["raw_tex"], findings([f"raw TeX in the text: {t}" for t in maths["raw_tex"]], name, report)


@pytest.mark.parametrize("name", NAMES)
def test_images_load_and_chapters_show_their_figures(site, name):
    report, images = site[name], site[name]["images"]
    assert not images["broken"], findings([f"image not loaded: {i}" for i in images["broken"]], name, report)
    notebook = notebook_of(HTML / name)
    if notebook is not None:
        expected = expected_figures(notebook)
        assert images["cells_with_figures"] >= expected, findings(
            [f"{images['cells_with_figures']} code cells show a loaded figure, but "
             f"{notebook.relative_to(ROOT)} has {expected} figure-producing cells"], name, report)


@pytest.mark.parametrize("name", NAMES)
def test_page_fits_the_text_column(site, name):
    report = site[name]
    assert not report["overflow"], findings(
        report["overflow"] + ["(make it fit, e.g. split an equation with aligned, or wrap a deliberately wide "
                              "element in <div class=\"scroll-x\">)"], name, report)


def test_explorer_sliders_swap_the_frame_in_a_browser(site):
    """In a real browser with no kernel, moving any slider of any explorer shows the frame for the new slider
    positions; every explorer that the pages ship is exercised."""
    shipped = sum(len(re.findall(r'class="gru-frame-explorer"', (HTML / n).read_text(encoding="utf-8")))
                  for n in NAMES)
    tried = [(name, ex) for name in NAMES for ex in site[name]["explorers"]]
    assert len(tried) == shipped and shipped >= 2, f"{shipped} explorers on the pages, {len(tried)} exercised"
    failures = [f"{name}: explorer {ex['id']}: {f}" for name, ex in tried for f in ex["failures"]]
    assert not failures, "\n".join(failures)
    assert all(ex["sliders"] >= 1 for _, ex in tried)


def test_every_page_has_a_screenshot(site):
    shots = {n: ROOT / site[n]["screenshot"] for n in NAMES}
    small = [n for n, s in shots.items() if not s.is_file() or s.stat().st_size < 5_000]
    assert not small, f"missing or empty screenshots: {small}"
    unchecked = [e for e in ENTRIES if f"{e}.html" not in shots]
    assert not unchecked, f"table-of-contents pages the browser did not check: {unchecked}"
