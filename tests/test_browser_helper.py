"""The headless-Chromium helper itself, against real pages written to a temporary folder."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.browser import Browser, BrowserError, find_chromium

LOCKED = """<meta http-equiv="Content-Security-Policy" content="default-src 'none'">"""


def write_page(folder: Path, body: str, head: str = "") -> Path:
    path = folder / "page.html"
    html = (
        f'<!doctype html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
    )
    path.write_text(html, encoding="utf-8")
    return path


def test_a_clean_page_reads_back_has_no_problems_and_screenshots_whole(
    browser: Browser, tmp_path: Path
) -> None:
    head = (
        """<meta http-equiv="Content-Security-Policy" """
        """content="default-src 'none'; style-src 'unsafe-inline'">"""
        "<style>body { min-height: 1500px }</style>"
    )
    page = browser.open(write_page(tmp_path, '<p id="total">1 234</p>', head), 1000, 700)

    assert page.evaluate("document.getElementById('total').textContent") == "1 234"
    assert page.evaluate("innerWidth") == 1000
    assert page.console == []
    png = page.screenshot(tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1000
    assert height == page.evaluate("document.documentElement.scrollHeight") > 700
    page.close()


def test_an_uncaught_exception_is_a_problem(browser: Browser, tmp_path: Path) -> None:
    page = browser.open(write_page(tmp_path, "<script>throw new Error('boom in report')</script>"))

    assert [p for p in page.console if p.startswith("exception: Uncaught Error: boom in report")]
    page.close()


def test_a_content_security_policy_violation_is_a_problem(browser: Browser, tmp_path: Path) -> None:
    page = browser.open(write_page(tmp_path, '<img src="http://example.invalid/x.png">', LOCKED))

    # Blocked by the policy, not merely unreachable: the message names the policy.
    assert [
        p
        for p in page.console
        if "Content Security Policy" in p and "http://example.invalid/x.png" in p
    ], page.console
    page.close()


def test_console_errors_are_problems_but_console_log_is_not(
    browser: Browser, tmp_path: Path
) -> None:
    page = browser.open(
        write_page(tmp_path, "<script>console.log('fine'); console.error('x')</script>")
    )

    assert page.console == ["console.error: x"]
    page.close()


def test_failures_are_raised_not_swallowed(browser: Browser, tmp_path: Path) -> None:
    page = browser.open(write_page(tmp_path, ""))
    with pytest.raises(BrowserError, match="Cannot read properties of null"):
        page.evaluate("null.x")
    assert page.evaluate("Promise.resolve([1, 'a'])") == [1, "a"]
    page.close()
    with pytest.raises(BrowserError, match="ERR_FILE_NOT_FOUND"):
        browser.open(tmp_path / "missing.html")


def test_chromium_ends_and_its_profile_goes_even_when_the_test_fails(browser: Browser) -> None:
    executable = find_chromium()
    assert executable is not None
    with pytest.raises(ZeroDivisionError), Browser(executable) as chromium:
        chromium.open("about:blank")
        profile = chromium.profile
        assert profile.is_dir()
        _ = 1 / 0
    assert chromium._process.poll() is not None
    assert not profile.exists()


def test_chromium_can_be_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTQ_CHROMIUM", "/nowhere/chromium")
    assert find_chromium() == "/nowhere/chromium"
    with pytest.raises(BrowserError, match="not an executable"):
        Browser("/nowhere/chromium")
