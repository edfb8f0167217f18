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

# Threads, not one request per process: a sign-in or /verify that finds every slot taken
# waits up to BUSY_WAIT_MS for one (app/core/capacity.py) asleep, without CPU, and a
# signed-in person's request is served meanwhile by another thread instead of queueing
# behind the flood. Measured with bench/flood.py (2 workers, a sign-in flood, bounds on, on
# a shared 2-core machine): the docket's p95 rose ×5.9–6.4 with sync workers, ×1.9–4.5 with
# these threads. Keep threads above the concurrent sign-ins one address may open (limit
# connections per address in the proxy).
worker_class = "gthread"
threads = 8
