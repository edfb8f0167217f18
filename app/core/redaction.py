"""Query strings that carry personal data are never written to a log.

The docket's search is a GET form (bookmarkable), so a debtor's name or phone number is in
its query string; so is the ``Referer`` of the next page opened from it. Every log line
(gunicorn's access log through ``gunicorn.conf.py``, the development server's through
:mod:`app.web.logs`) passes through :func:`redact`, which replaces the query string of any
URL on these paths with ``[redacted]``.

Plain standard library: ``gunicorn.conf.py`` loads this file by its path, without importing
the application.
"""

from __future__ import annotations

import re

# Paths whose query strings may carry names, phone numbers or ID numbers.
REDACTED_PATHS = ("/docket",)
MARK = "[redacted]"

_URL_QUERY = re.compile(
    r"(?P<path>(?:" + "|".join(re.escape(p) for p in REDACTED_PATHS) + r")(?:/[^\s?\"']*)?)"
    r"\?[^\s\"']*"
)


def is_redacted_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in REDACTED_PATHS)


def redact(text: str) -> str:
    """``text`` with the query string of every URL on a redacted path replaced."""
    return _URL_QUERY.sub(lambda m: f"{m['path']}?{MARK}", text)
