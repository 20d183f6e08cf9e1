"""Run tests/page_checks.js on a page open in a browser tab (tests/cdp.py) and collect what went wrong."""
import pathlib

CHECKS_JS = pathlib.Path(__file__).with_name("page_checks.js").read_text(encoding="utf-8")


def check_page(tab, url):
    """Open `url` in `tab` and return page_checks.js's report, plus the page's errors and network requests:
    problems (JavaScript errors, console errors, failed requests) and remote (URLs fetched from the network)."""
    tab.goto(url)
    report = tab.evaluate(f"({CHECKS_JS})()")
    report["problems"] = tab.problems()
    report["remote"] = sorted({u for u in tab.requested_urls() if not u.startswith(("file:", "data:"))})
    return report
