"""Peak memory of a 20 MB evidence upload, measured in a real server process.

The server runs in a forked child (werkzeug's threaded server, as in development); the
parent signs in over HTTP and streams a multipart body from disk. The child's peak RSS is
reset just before the upload (/proc/<pid>/clear_refs) and read just after (VmHWM).
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models.users import Role
from app.rules.cases import CaseState
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_case, make_user


def _serve(folder: Path, port_file: Path) -> None:
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port_file.write_text(str(server.server_port))
    server.serve_forever()


class _Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
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

    def token(self, path: str) -> str:
        _, html = self.request("GET", path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, path
        return match.group(1)


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _multipart(path: Path, token: str, size: int) -> tuple[str, int]:
    boundary = "concordbench"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\ncontract\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    with path.open("wb") as out:
        out.write(head + b"%PDF-1.4\n")
        chunk = os.urandom(1024 * 1024)
        written = 9
        while written < size:
            piece = chunk[: min(len(chunk), size - written)]
            out.write(piece)
            written += len(piece)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return boundary, path.stat().st_size


def bench_upload(folder: Path, size: int = 20 * 1024 * 1024 - 64 * 1024) -> dict[str, float]:
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context():
        upgrade()
        creditor = make_user(Role.CREDITOR)
        case = make_case(creditor=creditor, state=CaseState.DRAFT)
        email, case_id = creditor.email, case.id
        db.engine.dispose()
    port_file = folder / "port"
    child = multiprocessing.get_context("fork").Process(target=_serve, args=(folder, port_file))
    child.start()
    try:
        while not port_file.exists() or not port_file.read_text():
            time.sleep(0.05)
        client = _Client(int(port_file.read_text()))
        token = client.token("/login")
        client.request(
            "POST",
            "/login",
            f"csrf_token={token}&identifier={email}&password={PASSWORD.replace(' ', '+')}",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        token = client.token(f"/cases/{case_id}")
        with tempfile.TemporaryDirectory() as tmp:
            boundary, length = _multipart(Path(tmp) / "body", token, size)
            Path(f"/proc/{child.pid}/clear_refs").write_text("5")  # reset the peak RSS
            before = _kib(child.pid, "VmRSS")
            with (Path(tmp) / "body").open("rb") as body:
                status, _ = client.request(
                    "POST",
                    f"/cases/{case_id}/evidence",
                    body,
                    {
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                        "Content-Length": str(length),
                    },
                )
            peak = _kib(child.pid, "VmHWM")
        assert status == 302, status
        return {"upload_20mb_rss_growth_mb": round((peak - before) / 1024, 2)}
    finally:
        child.terminate()
        child.join()
