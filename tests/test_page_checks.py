"""The browser checks catch what they are for (marker `browser`): tests/page_checks.js on small pages, each with
one known defect, in the same headless Chromium session as tests/test_browser.py."""
import pytest
from page_checks import check_page

pytestmark = pytest.mark.browser

COLUMN = 600   # px: the text column of the test pages


def page(tmp_path, body, head=""):
    path = tmp_path / "page.html"
    path.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8">{head}
<style>body {{ margin: 0; }} article {{ width: {COLUMN}px; margin-left: 100px; }}</style></head>
<body><article class="bd-article"><section><h2>Section A</h2>{body}</section></article></body></html>""",
                    encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def tab(chromium):
    tab = chromium.new_tab(1000, 700)
    yield tab
    tab.close()


def test_a_clean_page_passes(tab, tmp_path):
    report = check_page(tab, page(tmp_path, "<p>Plain text, a price of 3 $ and <code>$$x$$</code> in code.</p>"
                                            "<pre>" + "x" * 300 + "</pre>"))
    assert report["problems"] == [] and report["remote"] == [] and report["overflow"] == []
    assert report["maths"]["raw_tex"] == [] and report["images"]["broken"] == []


def test_javascript_errors_and_failed_requests_are_reported(tab, tmp_path):
    report = check_page(tab, page(tmp_path, '<img src="missing.png"><script>console.error("boom"); nope();</script>'))
    text = "\n".join(report["problems"])
    assert "ReferenceError: nope is not defined" in text and "console.error: boom" in text
    assert "missing.png (net::ERR_FILE_NOT_FOUND)" in text
    assert report["images"]["broken"] and "missing.png" in report["images"]["broken"][0]


def test_raw_and_untypeset_maths_are_reported(tab, tmp_path):
    report = check_page(tab, page(tmp_path, r'<p>Raw $$h_t = z$$ and \(x\), and $W_{hh}$.</p>'
                                            r'<span class="math">\(a_t\)</span>'))
    assert len(report["maths"]["raw_tex"]) == 2          # the paragraph and the un-typeset span
    assert report["maths"]["elements"] == 1 and report["maths"]["typeset"] == 0
    assert "Section A" in report["maths"]["not_typeset"][0]


def test_overflow_is_reported_unless_it_scrolls_on_purpose(tab, tmp_path):
    wide = f'<div style="width: {COLUMN + 150}px">wide</div>'
    clipped = (f'<div style="overflow-x: auto"><table><tr><td style="min-width: {COLUMN + 80}px">t</td></tr>'
               '</table></div>')
    on_purpose = f'<div class="scroll-x" style="overflow-x: auto">{wide}</div>'
    not_scrolling = f'<div class="scroll-x" style="overflow-x: visible">{wide.replace("wide", "loose")}</div>'
    report = check_page(tab, page(tmp_path, wide + clipped + on_purpose + not_scrolling))
    assert len(report["overflow"]) == 3, report["overflow"]
    assert "sticks out of the text column" in report["overflow"][0] and "wide" in report["overflow"][0]
    assert "cut off or needs a scroll bar" in report["overflow"][1]
    assert '"loose"' in report["overflow"][2]     # class scroll-x, but it does not scroll: it sticks out


def test_a_broken_explorer_is_reported(tab, tmp_path):
    red = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    blue = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"

    def explorer(show):
        return f"""<div id="fx0000000001" class="gru-frame-explorer">
<input type="range" min="0" max="1" value="0" oninput="fx0000000001_show()">
<img id="fx0000000001_img" src="data:image/png;base64,{red}">
<script>var fx0000000001_frames = {{"0": "{red}", "1": "{blue}"}};
function fx0000000001_show() {{ {show} }}</script></div>"""

    working = explorer("document.getElementById('fx0000000001_img').src = 'data:image/png;base64,' + "
                       "fx0000000001_frames[document.querySelector('#fx0000000001 input').value];")
    report = check_page(tab, page(tmp_path, working))
    assert report["explorers"] == [{"id": "fx0000000001", "sliders": 1, "failures": []}]
    report = check_page(tab, page(tmp_path, explorer("")))      # the slider moves, the image never changes
    assert "slider 1 moved to 1: the image is not frame 1" in report["explorers"][0]["failures"][0]
