"""A real headless Chromium for tests, driven over the DevTools protocol on a pipe (no dependency).

Register the fixture in tests/conftest.py with ``from tests.browser import browser  # noqa: F401``;
a test then calls ``page = browser.open(path)`` and checks ``page.console``, ``page.evaluate()``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

Json = dict[str, Any]
# Headless as root, and nothing that reaches for the network on its own.
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-sync "
    "--disable-background-networking --disable-component-update --remote-debugging-pipe "
    "--hide-scrollbars"  # as on phones and Macs, and a full-page screenshot is the viewport wide
)
PROBLEMS = ("error", "warning", "assert")  # console calls and log levels that Page.console keeps
# Chromium reads commands on fd 3 and replies on fd 4. pass_fds keeps a descriptor's number, so
# this shim (run by this Python, not preexec_fn, which is unsafe with threads) renumbers them.
SHIM = (
    "import os,sys;r,w=int(sys.argv[1]),int(sys.argv[2]);os.dup2(r,3);os.dup2(w,4);"
    "os.close(r);os.close(w);os.execvp(sys.argv[3],sys.argv[3:])"
)


class BrowserError(RuntimeError):
    """Chromium refused a command, threw, timed out or exited."""


def find_chromium() -> str | None:
    """$ANTQ_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH."""
    names = ("chromium", "chromium-browser", "google-chrome")
    return os.environ.get("ANTQ_CHROMIUM") or next(filter(None, map(shutil.which, names)), None)


class Browser:
    """One headless Chromium in a fresh profile; a context manager that always cleans up."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        if shutil.which(executable) is None:
            raise BrowserError(f"not an executable: {executable}")
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="antq-chromium-"))
        self._lock = threading.Condition()
        self._replies: dict[int, Json] = {}
        self._pages: dict[str, Page] = {}
        self._ids = itertools.count(1)
        self._exited = False
        read_end, self._commands = os.pipe()
        self._replies_fd, write_end = os.pipe()
        # Copies on fds >= 5, so that the shim's dup2 onto 3 and 4 cannot clobber either.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5) for fd in (read_end, write_end)]
        shim = [sys.executable, "-I", "-S", "-c", SHIM, *map(str, ends), executable]
        argv = [*shim, *FLAGS.split(), f"--user-data-dir={self.profile}"]
        try:
            with open(self.profile / "stderr.log", "wb") as log:
                self._process = subprocess.Popen(argv, pass_fds=ends, stdout=log, stderr=log)
        finally:
            for fd in (read_end, write_end, *ends):
                os.close(fd)
        self._reader = threading.Thread(target=self._read, name="chromium-cdp", daemon=True)
        self._reader.start()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        """Dispatch every NUL-terminated message: replies by id, events to their page."""
        buffer = bytearray()
        while chunk := os.read(self._replies_fd, 1 << 20):
            buffer += chunk
            if b"\0" not in chunk:
                continue  # a long message (a screenshot) comes in many chunks
            *messages, rest = buffer.split(b"\0")
            buffer = bytearray(rest)
            with self._lock:
                for message in map(json.loads, messages):
                    if "id" in message:
                        self._replies[message["id"]] = message
                    elif page := self._pages.get(message.get("sessionId", "")):
                        page._event(message["method"], message.get("params", {}))
                self._lock.notify_all()
        with self._lock:
            self._exited = True
            self._lock.notify_all()

    def _wait(self, ready: Callable[[], Any], what: str) -> Any:
        """Wait, under the lock, until ready() gives a value; raise if Chromium exits or stalls."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            while (value := ready()) is None:
                if self._exited:
                    log = (self.profile / "stderr.log").read_text(errors="replace")[-2000:]
                    raise BrowserError(f"Chromium exited while waiting for {what}:\n{log}")
                if (left := deadline - time.monotonic()) <= 0:
                    raise BrowserError(f"no {what} from Chromium within {self.timeout:g} s")
                self._lock.wait(left)
            return value

    def send(self, method: str, params: Json | None = None, session: str | None = None) -> Json:
        """Send one command (to a page's session, if given) and return its result."""
        number = next(self._ids)
        message = {"id": number, "method": method, "params": params or {}, "sessionId": session}
        data = json.dumps({k: v for k, v in message.items() if v is not None}).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._commands, data) :]
        except OSError as error:
            raise BrowserError(f"Chromium is gone; cannot send {method}") from error
        reply = self._wait(lambda: self._replies.pop(number, None), f"reply to {method}")
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def open(self, target: str | Path, width: int = 1280, height: int = 900) -> Page:
        """A new tab showing a path or URL, its load event fired, problems being collected."""
        is_url = isinstance(target, str) and urlsplit(target).scheme
        url = target if is_url else Path(target).resolve().as_uri()
        target_id = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attach = {"targetId": target_id, "flatten": True}
        page = Page(self, self.send("Target.attachToTarget", attach)["sessionId"], target_id)
        with self._lock:
            self._pages[page.session] = page
        for domain in ("Runtime", "Log", "Page"):
            page.send(f"{domain}.enable")
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        page.send("Emulation.setDeviceMetricsOverride", metrics)
        navigation = page.send("Page.navigate", {"url": url})
        if "errorText" in navigation:
            raise BrowserError(f"cannot open {url}: {navigation['errorText']}")
        self._wait(lambda: page._loaded or None, f"load event of {url}")
        return page

    def close(self) -> None:
        """Ask Chromium to quit, kill it if it lingers, and remove its profile."""
        try:
            if self._process.poll() is None:
                self.timeout = 5
                with contextlib.suppress(BrowserError):  # it may exit before it replies
                    self.send("Browser.close")
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
        finally:
            os.close(self._commands)
            self._reader.join(timeout=5)
            os.close(self._replies_fd)
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab. ``console`` lists its exceptions, console errors/warnings and log errors/warnings
    (CSP violations, failed loads) as readable strings."""

    def __init__(self, browser: Browser, session: str, target_id: str) -> None:
        self.browser, self.session, self.target_id = browser, session, target_id
        self.console: list[str] = []
        self._loaded = False

    def _event(self, method: str, params: Json) -> None:
        if method == "Page.loadEventFired":
            self._loaded = True
        elif method == "Runtime.exceptionThrown":
            self.console.append(f"exception: {_thrown(params['exceptionDetails'])}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in PROBLEMS:
            words = (str(a.get("value", a.get("description", a["type"]))) for a in params["args"])
            self.console.append(f"console.{params['type']}: {' '.join(words)}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in PROBLEMS:
            entry = params["entry"]
            where = f" ({entry['url']})" if entry.get("url") else ""
            self.console.append(f"{entry['source']} {entry['level']}: {entry['text']}{where}")

    def send(self, method: str, params: Json | None = None) -> Json:
        """A raw DevTools command to this tab."""
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (promises awaited); raises if it throws."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.send("Runtime.evaluate", params)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw {_thrown(result['exceptionDetails'])}")
        return result["result"].get("value")

    def screenshot(self, path: str | Path) -> Path:
        """Write a PNG of the whole page (the viewport's width, the content's height)."""
        clip = {**self.send("Page.getLayoutMetrics")["cssContentSize"], "scale": 1}
        params = {"format": "png", "clip": clip, "captureBeyondViewport": True}
        path = Path(path)
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))
        return path

    def close(self) -> None:
        """Close this tab (the browser's close closes them all)."""
        self.browser.send("Target.closeTarget", {"targetId": self.target_id})
        with self.browser._lock:
            self.browser._pages.pop(self.session, None)


def _thrown(details: Json) -> str:
    """Chromium's exception details as one message, e.g. ``Uncaught Error: boom (url:line)``."""
    thrown = details.get("exception", {})
    what = thrown.get("description", json.dumps(thrown.get("value")))
    where = f"{details.get('url', '')}:{details.get('lineNumber', 0) + 1}"
    return f"{details.get('text', 'Uncaught')} {what} ({where})"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run; skips (or fails, with ANTQ_REQUIRE_BROWSER=1) without."""
    if (executable := find_chromium()) is None:
        message = "headless Chromium not found: apt-get install chromium"
        message += " (set ANTQ_CHROMIUM to use another)"
        if os.environ.get("ANTQ_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with Browser(executable) as chromium:
        yield chromium
