"""Does a flood of sign-ins or of /verify uploads starve a signed-in mediator?

A real production server: gunicorn with the repository's ``gunicorn.conf.py``, 2 workers,
on loopback, ``APP_ENV=production`` with the default argon2 cost, against a migrated
SQLite database with a docket-sized organisation (``seed_cases``). ``TRUSTED_PROXIES=1``
so the flood can come from many addresses (a random ``X-Forwarded-For`` per request, from
the documentation ranges), as a botnet's would: the per-address rate limits do not stop
it, the host-wide slots must.

In one run: a signed-in mediator's ``GET /docket`` p95 unloaded, then under a sign-in flood
(8 threads of wrong passwords for unknown accounts, in a process of their own), then under
a /verify flood (4 threads posting a certified PDF signed three times). Each phase is
bounded: ``SAMPLES`` docket requests or ``PHASE_S`` seconds, whichever comes first. The
flood clients ignore ``Retry-After``, as an attacker would.

``*_docket_p95_ratio`` = p95 under the flood / p95 unloaded. ``bench_flood(caps=False)``
(``python -m bench.flood --uncapped``) measures the same with every bound switched off.

The figures move with whatever else runs on the machine (a busier machine raises the
unloaded p95 more than the flooded one). Measured once on this 2-vCPU machine: a loop of
argon2id hashes (64 MiB, 4 lanes) pinned to one vCPU, in a process of its own with no HTTP
at all, raised the docket's p95 about ×3 (the vCPUs share caches and memory bandwidth,
likely one physical core), so on a quiet machine the sign-in ratio stays above 2 while
any hashing runs.
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask_migrate import upgrade

from app import create_app
from app.config import PROJECT_ROOT
from app.documents.pki import load_signer
from app.extensions import db
from tests.conftest import make_settings, shared_pki
from tests.documents.signing_support import make_pdf, sign_all
from tests.factories import PASSWORD

SAMPLES = 200
PHASE_S = 25.0
LOGIN_THREADS = 8
VERIFY_THREADS = 4
CASES = 5_000
SECRET = "bench-secret-key-not-for-production"
PII_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE="


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
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
        _, html = self.send("GET", path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, path
        return match.group(1)


def _address(rng: random.Random) -> str:
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"


def _login_flood(port: int, stop: Any, thread_no: int) -> None:
    rng = random.Random(thread_no)
    client = Client(port)
    token = quote(client.token("/login"))
    while not stop.is_set():
        who = f"nobody{rng.randrange(10**9)}%40example.com"
        body = f"csrf_token={token}&identifier={who}&password=wrong"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": _address(rng),
        }
        try:
            client.send("POST", "/login", body, headers)
        except OSError:
            time.sleep(0.01)


def _verify_flood(port: int, stop: Any, thread_no: int, pdf: bytes) -> None:
    rng = random.Random(100 + thread_no)
    client = Client(port)
    token = client.token("/verify")
    boundary = "concordflood"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    while not stop.is_set():
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Forwarded-For": _address(rng),
        }
        try:
            client.send("POST", "/verify", body, headers)
        except OSError:
            time.sleep(0.01)


def _flood(kind: str, port: int, stop: Any, pdf: bytes) -> None:
    """The flood's own process: its threads must not share the measuring client's GIL."""
    if kind == "login":
        targets = [(_login_flood, (port, stop, i)) for i in range(LOGIN_THREADS)]
    else:
        targets = [(_verify_flood, (port, stop, i, pdf)) for i in range(VERIFY_THREADS)]
    threads = [threading.Thread(target=fn, args=args) for fn, args in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _docket_p95(client: Client) -> tuple[float, int]:
    samples: list[float] = []
    deadline = time.monotonic() + PHASE_S
    while len(samples) < SAMPLES and time.monotonic() < deadline:
        start = time.perf_counter()
        status, _ = client.send("GET", "/docket")
        samples.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        time.sleep(0.05)  # a person clicking, not a loop
    return _p95(samples), len(samples)


def _seed(folder: Path) -> tuple[str, bytes]:
    from bench.__main__ import seed_cases

    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context():
        upgrade()
        mediator, _admin = seed_cases(CASES)
        email = mediator.email
        db.engine.dispose()
    # Production runs PostgreSQL, where a reader never waits for a writer; WAL gives the
    # SQLite file the same (in its default journal mode, the flood's failed-attempt rows
    # would lock the mediator's reads out while each commits).
    with sqlite3.connect(folder / "bench.db") as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    pki = shared_pki()
    signer = load_signer(pki["p12"], pki["passphrase"].read_text().strip())
    pdf = sign_all(make_pdf(attach=False), signer)[-1]
    return email, pdf


def _server_env(folder: Path, caps: bool) -> dict[str, str]:
    pki = shared_pki()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "SECRET_KEY": SECRET,
        "PII_KEY": PII_KEY,
        "SIGNING_P12_PATH": str(pki["p12"]),
        "SIGNING_P12_PASSWORD": pki["passphrase"].read_text().strip(),
        "SIGNING_CA_PATH": str(pki["ca"]),
        "TRUSTED_PROXIES": "1",
        "REDIS_URL": "",
    }
    if not caps:
        env.update(
            PASSWORD_HASH_SLOTS="0", VERIFY_SLOTS="0", LOGIN_RATE_LIMIT="", VERIFY_RATE_LIMIT=""
        )
    return env


def _start(folder: Path, caps: bool) -> tuple[subprocess.Popen[bytes], int]:
    log = folder / "gunicorn.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--workers",
            "2",
            "--bind",
            "127.0.0.1:0",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(log),
        ],
        cwd=PROJECT_ROOT,
        env=_server_env(folder, caps),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if match and text.count("Booting worker") >= 2:
            return server, int(match[1])
        assert server.poll() is None, text
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _under_flood(kind: str, port: int, mediator: Client, pdf: bytes) -> float:
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    flood = ctx.Process(target=_flood, args=(kind, port, stop, pdf))
    flood.start()
    try:
        time.sleep(2.0)  # the flood reaches its stride
        p95, _ = _docket_p95(mediator)
    finally:
        stop.set()
        flood.join(timeout=90)
        if flood.is_alive():
            flood.terminate()
            flood.join()
    time.sleep(2.0)  # the server drains what the flood left queued
    return p95


def bench_flood(folder: Path, caps: bool = True) -> dict[str, float]:
    email, pdf = _seed(folder)
    server, port = _start(folder, caps)
    try:
        mediator = Client(port)
        token = quote(mediator.token("/login"))
        status, _ = mediator.send(
            "POST",
            "/login",
            f"csrf_token={token}&identifier={quote(email)}&password={quote(PASSWORD)}",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, status
        for _ in range(5):  # warm-up: templates, connections, the planner
            mediator.send("GET", "/docket")
        unloaded, _ = _docket_p95(mediator)
        login = _under_flood("login", port, mediator, pdf)
        unloaded_again, _ = _docket_p95(mediator)
        verify = _under_flood("verify", port, mediator, pdf)
    finally:
        server.terminate()
        server.wait(timeout=60)
    base = statistics.mean([unloaded, unloaded_again])
    suffix = "" if caps else "_uncapped"
    return {
        f"docket_p95_unloaded_ms{suffix}": round(base, 1),
        f"login_flood_docket_p95_ratio{suffix}": round(login / base, 2),
        f"verify_flood_docket_p95_ratio{suffix}": round(verify / base, 2),
    }


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench_flood(Path(tmp), caps="--uncapped" not in sys.argv), indent=2))
