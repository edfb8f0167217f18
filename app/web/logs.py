"""The development server's request log (werkzeug) with personal query strings redacted
(:mod:`app.core.redaction`); gunicorn's access log does the same in ``gunicorn.conf.py``.
The application itself logs no request lines."""

from __future__ import annotations

import logging

from app.core.redaction import redact


class RedactQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = RedactQueryStrings()


def redact_dev_server_log() -> None:
    """Attach the filter to werkzeug's logger (once)."""
    logger = logging.getLogger("werkzeug")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
