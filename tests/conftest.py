"""Shared fixtures: one headless Chromium for every browser test of a run (marker `browser`)."""
import os

import pytest
from cdp import Browser, find_chromium

INSTALL = ("run `bash scripts/_browser.sh` (as root it installs Chromium: apt-get update && apt-get install -y "
           "chromium), or set GRU_BOOK_BROWSER to a Chromium or Chrome executable")


@pytest.fixture(scope="session")
def chromium():
    """The browser session (tests/cdp.py). Without a browser the tests skip, but under CI=true they fail."""
    executable = find_chromium()
    if not executable:
        message = f"no headless Chromium for the browser checks: {INSTALL}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message + " (under CI=true a missing browser is a failure, never a skip)", pytrace=False)
        pytest.skip(message)
    with Browser(executable) as browser:
        yield browser
