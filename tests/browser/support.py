"""Where the browser tests find Chromium, and what happens when they cannot.

Chromium comes from Debian (``/usr/bin/chromium``), never from Playwright's own download.
Where it (or the playwright package) is missing, the browser tests are skipped on a
developer's machine and fail in CI (``CI=true``), so a CI machine without a browser cannot
pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = (
    "Chromium not installed: run `sudo apt-get install chromium fonts-noto-cjk` "
    "to run the browser tests"
)
PLAYWRIGHT_MISSING = "Playwright not installed: run `make setup-test` to run the browser tests"


def unavailable(message: str, detail: str, *, module_level: bool = False) -> NoReturn:
    """Skip, or in CI (``CI=true``) fail: a CI run must never pass without its browser."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run in CI. {message} ({detail})", pytrace=False)
    pytest.skip(f"{message} ({detail})", allow_module_level=module_level)
