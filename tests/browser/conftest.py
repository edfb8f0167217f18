"""Browser fixtures: the test app served on a real port, and a real Chromium driving it."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    PLAYWRIGHT_MISSING,
    AxeWatch,
    unavailable,
)

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        unavailable(CHROMIUM_MISSING, f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        unavailable(PLAYWRIGHT_MISSING, str(err))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _buffered(app: Flask) -> Any:
    """The app with each response read whole and its iterable closed before anything is sent.

    Werkzeug's development server skips the response's ``close()`` when the browser drops
    the connection mid-response (a page navigating away while a static file streams), and
    the open file then surfaces as an unraisable ResourceWarning in a later test."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's app (and so its own migrated database) on a free local port."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    # A fresh context: requests must never see the test's own app context (and its ``g``),
    # even on Pythons whose threads inherit the starting thread's context.
    thread = threading.Thread(
        target=contextvars.Context().run,
        args=(server.serve_forever, 0.05),  # a short poll interval: shutdown is quick
        name="live-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        # A request still being answered (a page the browser left mid-load) holds a
        # database connection: it finishes before the app's engine is disposed, or its
        # connection is dropped open and surfaces as an unraisable ResourceWarning in a
        # later test (seen once on PostgreSQL).
        for request_thread in threading.enumerate():
            if request_thread.name.endswith("(process_request_thread)"):
                request_thread.join(timeout=10)


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, its pages relative to the live server.

    Every page it shows is checked with axe-core; a violation fails the test (at teardown,
    with the list of violations)."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    # A wait is for a page to answer, not a speed check: on CI's two loaded cores a click
    # that signs a PDF (PAdES) or builds the court package on PostgreSQL has taken over 10 s.
    context.set_default_timeout(30_000)
    from playwright.sync_api import expect  # installed: the chromium fixture checked

    expect.set_options(timeout=30_000)  # Playwright's assertions wait 5 s by default
    tab = context.new_page()
    axe = AxeWatch().attach(tab)
    try:
        yield tab
        report = axe.finish(tab)
        if report:
            pytest.fail(report, pytrace=False)
    finally:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
