"""gunicorn settings for production (``gunicorn --workers 4 --bind 127.0.0.1:8000``, run
from this folder, reads this file by itself).

Access and error logs go through :class:`RedactingLogger`: the query strings of the docket
and its search (names, phone numbers) are replaced with ``[redacted]`` everywhere in a log
line, the request line as well as the ``Referer`` of the page opened next
(``app/core/redaction.py`` lists the paths).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from gunicorn.glogging import Logger

# Loaded by path: importing the ``app`` package would build the settings in the master.
_spec = importlib.util.spec_from_file_location(
    "concord_redaction", Path(__file__).resolve().parent / "app" / "core" / "redaction.py"
)
assert _spec and _spec.loader
_redaction = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_redaction)

wsgi_app = "wsgi:app"
accesslog = "-"  # stdout; --access-logfile FILE to write a file instead


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _redaction.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _redaction.redact(a) if isinstance(a, str) else a for a in record.args
            )
        return True


class RedactingLogger(Logger):
    def setup(self, cfg):  # noqa: ANN001, ANN201 (gunicorn's signature)
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(_RedactFilter())

    def atoms(self, resp, req, environ, request_time):  # noqa: ANN001, ANN201
        atoms = super().atoms(resp, req, environ, request_time)
        if _redaction.is_redacted_path(atoms.get("U", "")) and atoms.get("q"):
            atoms["q"] = _redaction.MARK
        return {k: _redaction.redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger
