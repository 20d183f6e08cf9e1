"""A small Chrome DevTools Protocol client for headless Chromium, standard library only.

Chromium is started once with `--remote-debugging-pipe`: it reads protocol messages (JSON, each ended by a NUL
byte) from file descriptor 3 and writes replies and events to file descriptor 4. One browser serves every page
of the site check (tests/test_site.py), so each page costs a navigation, not a browser start.

    with Browser(find_chromium()) as browser:
        tab = browser.new_tab(width=1280, height=900)
        tab.goto("file:///.../page.html")              # waits for the load event
        value = tab.evaluate("document.title")
        problems = tab.problems()                      # JS exceptions, console errors, failed requests
        tab.screenshot(path)                           # the whole page, PNG

Protocol reference: https://chromedevtools.github.io/devtools-protocol/
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

# flags known to work headless as root in a container (DEVELOPERS.md)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--disable-dev-shm-usage", "--font-render-hinting=none"]


def find_chromium():
    """$GRU_BOOK_BROWSER (scripts/test.sh sets it from scripts/_browser.sh), else a Chromium on the PATH; or None."""
    named = os.environ.get("GRU_BOOK_BROWSER")
    if named:
        return shutil.which(named)
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


class BrowserError(RuntimeError):
    """The browser answered a command with an error, died, or did not answer in time."""


class Browser:
    """One headless Chromium process driven over the DevTools pipe."""

    def __init__(self, executable, timeout=60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="gru-book-chromium-")
        to_browser_r, self._to_browser = os.pipe()     # we write, the browser reads (its fd 3)
        self._from_browser, from_browser_w = os.pipe() # the browser writes (its fd 4), we read

        def wire_fds():   # in the child: the pipe ends become fds 3 and 4 (moved above 10 first, no clashes)
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
            os.close(high_r)
            os.close(high_w)

        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [executable, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
            preexec_fn=wire_fds, close_fds=False)   # our other fds are close-on-exec (PEP 446)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._replies = {}
        self.events = []          # (sessionId, method, params) of every event received, in order
        self.version = self.send("Browser.getVersion")["product"]

    # -- protocol -------------------------------------------------------------------------------------------
    def send(self, method, params=None, session=None, timeout=None):
        """Send one command and wait for its reply (events that arrive meanwhile go to self.events)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data):]
        reply = self._wait(lambda: self._replies.pop(self._next_id, None), timeout, f"reply to {method}")
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}")
        return reply.get("result", {})

    def wait_event(self, method, session, since, timeout=None):
        """Wait for an event `method` of `session` that arrived after index `since` of self.events."""
        def found():
            return next((p for s, m, p in self.events[since:] if m == method and s == session), None)
        return self._wait(found, timeout, f"event {method}")

    def _wait(self, done, timeout, what):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            result = done()
            if result is not None:
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no {what} within {timeout or self.timeout:.0f} s")
            if not select.select([self._from_browser], [], [], min(left, 1.0))[0]:
                if self.proc.poll() is not None:
                    raise BrowserError(f"the browser exited (code {self.proc.returncode}): {self._stderr_tail()}")
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"the browser closed the pipe: {self._stderr_tail()}")
            self._buffer += chunk
            *messages, self._buffer = self._buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    self._replies[message["id"]] = message
                else:
                    self.events.append((message.get("sessionId"), message["method"], message.get("params", {})))

    def _stderr_tail(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    # -- tabs -----------------------------------------------------------------------------------------------
    def new_tab(self, width=1280, height=900):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Tab(self, target, session, width, height)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except BrowserError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Tab:
    """One page (target) of the browser, attached with a flat session."""

    def __init__(self, browser, target, session, width, height):
        self.browser, self.target, self.session = browser, target, session
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self._start = len(browser.events)

    def send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, self.session, timeout)

    def goto(self, url, timeout=None):
        """Open `url` and wait for its load event (scripts, images and stylesheets loaded)."""
        self._start = len(self.browser.events)
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        self.browser.wait_event("Page.loadEventFired", self.session, self._start, timeout)

    def evaluate(self, expression, timeout=None):
        """The value of a JavaScript expression in the page (promises are awaited; JSON-serialisable)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"JavaScript error: {details.get('exception', {}).get('description') or details}")
        return result["result"].get("value")

    def problems(self):
        """What went wrong since the last goto: uncaught exceptions, console/log errors, failed requests."""
        found, urls = [], {}
        for session, method, p in self.browser.events[self._start:]:
            if session != self.session:
                continue
            if method == "Network.requestWillBeSent":
                urls[p["requestId"]] = p["request"]["url"]
            elif method == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                found.append(f"JavaScript exception: {d.get('exception', {}).get('description') or d['text']}"
                             f" ({d.get('url', '')}:{d.get('lineNumber', '?')})")
            elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
                found.append(f"console.{p['type']}: {text}")
            elif method == "Log.entryAdded" and p["entry"]["level"] == "error" and p["entry"]["source"] != "network":
                e = p["entry"]
                found.append(f"{e['source']} error: {e['text']} {e.get('url', '')}".strip())
            elif method == "Network.loadingFailed" and not p.get("canceled"):
                found.append(f"request failed: {urls.get(p['requestId'], '?')} ({p['errorText']})")
            elif method == "Network.responseReceived" and p["response"]["status"] >= 400:
                found.append(f"request failed: {p['response']['url']} (HTTP {p['response']['status']})")
        return list(dict.fromkeys(found))

    def requested_urls(self):
        """Every URL the page requested since the last goto."""
        return [p["request"]["url"] for s, m, p in self.browser.events[self._start:]
                if s == self.session and m == "Network.requestWillBeSent"]

    def close(self):
        self.browser.send("Target.closeTarget", {"targetId": self.target})

    def screenshot(self, path):
        """A PNG of the whole page (not only the viewport)."""
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
