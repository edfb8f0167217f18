"""Personal data searched on the docket (a GET form) never reaches a log: gunicorn's access
and error logs through the repository's ``gunicorn.conf.py``, and the development server's
request log, redact the query strings of the docket (app/core/redaction.py)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest

from app.config import PROJECT_ROOT
from app.core.redaction import redact
from app.extensions import db
from app.models.users import Role
from app.web.logs import redact_dev_server_log
from tests.conftest import shared_pki
from tests.factories import PASSWORD, make_user

CANARY = "13987654321"


def test_redact_strips_the_query_of_docket_urls_only() -> None:
    line = f'"GET /docket?q={CANARY}&page=2 HTTP/1.1" 200 "https://x.cn/docket?q={CANARY}"'
    assert CANARY not in redact(line)
    assert redact(line).count("/docket?[redacted]") == 2
    assert redact("GET /login?next=/docket HTTP/1.1") == "GET /login?next=/docket HTTP/1.1"


def test_the_development_server_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_dev_server_log()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" %s %s', f"GET /docket?q={CANARY}", 200, 10)
    assert caplog.records and CANARY not in caplog.text
    assert "/docket?[redacted]" in caplog.text


class _Client:
    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        return self.send("GET", path, None, headers)

    def send(
        self, method: str, path: str, body: str | None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, text


def _port_of(log: Path, server: subprocess.Popen[bytes]) -> int:
    for _ in range(600):
        text = log.read_text() if log.exists() else ""
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if match and "Booting worker" in text:
            return int(match[1])
        assert server.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError("gunicorn did not start: " + log.read_text())


def _lines_of(log: Path, count: int) -> str:
    for _ in range(200):
        text = log.read_text() if log.exists() else ""
        if len(text.splitlines()) >= count:
            return text
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} lines in {log}")


@pytest.fixture
def gunicorn(app: object, instance_path: Path, database_url: str) -> Iterator[tuple[int, Path]]:
    """The production server: gunicorn with the repository's configuration, logging to
    files under the instance folder."""
    pki = shared_pki()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PII_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=",
        "SIGNING_P12_PATH": str(pki["p12"]),
        "SIGNING_P12_PASSWORD": pki["passphrase"].read_text().strip(),
        "SIGNING_CA_PATH": str(pki["ca"]),
    }
    logs = instance_path / "logs"
    logs.mkdir()
    error_log = logs / "error.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        str(PROJECT_ROOT / "gunicorn.conf.py"),
        "--workers",
        "1",
        "--bind",
        "127.0.0.1:0",
        "--access-logfile",
        str(logs / "access.log"),
        "--error-logfile",
        str(error_log),
    ]
    with (logs / "stdout.log").open("wb") as out:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
        try:
            yield _port_of(error_log, server), logs
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.commits
def test_a_phone_number_searched_on_the_docket_never_reaches_a_log(
    gunicorn: tuple[int, Path], instance_path: Path
) -> None:
    mediator = make_user(Role.MEDIATOR)
    db.session.commit()
    port, logs = gunicorn
    client = _Client(port)
    _, page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = (
        f"csrf_token={quote(token)}&identifier={quote(mediator.email)}&password={quote(PASSWORD)}"
    )
    status, _ = client.send(
        "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 302
    search = f"/docket?q={CANARY}&sort=deadline"
    # A whole number in the address is sent away at once (303 to the docket without it).
    assert client.get(search)[0] == 303
    # The page opened next carries the search in its Referer.
    referer = {"Referer": f"http://127.0.0.1:{port}{search}"}
    assert client.get("/verify", referer)[0] == 200
    assert client.get(f"/docket/?q={CANARY}", referer)[0] in (200, 308, 404)
    access = _lines_of(logs / "access.log", 5)  # written just after each response
    assert "/docket?[redacted]" in access  # the lines were written, redacted
    for path in instance_path.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
