"""How many signed-in docket pages a real server serves, against a bare endpoint.

gunicorn with the repository's ``gunicorn.conf.py``, 2 workers, on loopback,
``APP_ENV=production``, the demo's data (``flask seed-demo``) in SQLite. The demo's first
mediator signs in once; then the same bounded load (``wrk``, ``CONNECTIONS`` connections
for ``DURATION_S`` seconds) asks for ``GET /docket`` with their session cookie, and for
``GET /healthz`` (no session, no database, no template): the server's ceiling on this
machine. Each is run twice, in turn, so a burst of other work on a shared machine hits
both alike. ``docket_rps_ratio`` = docket requests per second / bare requests per second.
``account_rps_ratio``: the same for the mediator's account page, a signed-in page with no
docket (the layout, three forms, the declared conflicts): what an ordinary page of the
portal reaches, beside the docket. It is not the stack's ceiling: measured once on this
machine, a signed-in route answering a plain "ok" served as many requests as the bare
endpoint, and one rendering the layout alone about 0.4 of it (the layout: navigation by
permission, the unread-notification count, the language switch).

``wrk`` comes from Debian (``apt-get install wrk``); without it, a load generator of
threads over ``http.client`` stands in (slower: its own Python competes for the cores,
so the bare figure is lower and the ratio flatters the docket; the figures say which).
"""

from __future__ import annotations

import http.client
import re
import shutil
import sqlite3
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from bench.flood import Client, _start
from tests.conftest import make_settings

DURATION_S = 8
CONNECTIONS = 8
ROUNDS = 2
MEDIATOR = "mediator1@demo.concord"


def _seed_demo(folder: Path) -> str:
    from app.demo.seed import DEMO_PASSWORD, seed

    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    with app.app_context():
        upgrade()
        seed()
        db.engine.dispose()
    with sqlite3.connect(folder / "bench.db") as conn:  # readers never wait for a writer
        conn.execute("PRAGMA journal_mode=WAL")
    return DEMO_PASSWORD


def _wrk(port: int, path: str, cookie: str | None) -> float:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    assert "Non-2xx" not in out, out  # every answer a page, never a refusal or an error
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def _threads(port: int, path: str, cookie: str | None) -> float:
    done = [0]
    lock = threading.Lock()
    stop = time.monotonic() + DURATION_S

    def run() -> None:
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200, response.status
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=run) for _ in range(CONNECTIONS)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - start)


def bench_throughput(folder: Path) -> dict[str, float]:
    password = _seed_demo(folder)
    server, port = _start(folder, caps=True)
    try:
        mediator = Client(port)
        token = quote(mediator.token("/login"))
        status, _ = mediator.send(
            "POST",
            "/login",
            f"csrf_token={token}&identifier={quote(MEDIATOR)}&password={quote(password)}",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, status
        status, html = mediator.send("GET", "/docket")
        assert status == 200 and "/cases/" in html, status  # the demo mediator's cases
        cookie = "; ".join(f"{k}={v}" for k, v in mediator.cookies.items())
        load = _wrk if shutil.which("wrk") else _threads
        docket, bare, account = [], [], []
        for _ in range(ROUNDS):
            bare.append(load(port, "/healthz", None))
            docket.append(load(port, "/docket", cookie))
            account.append(load(port, "/account/", cookie))
    finally:
        server.terminate()
        server.wait(timeout=60)
    docket_rps, bare_rps = statistics.mean(docket), statistics.mean(bare)
    account_rps = statistics.mean(account)
    return {
        "docket_rps": round(docket_rps, 1),
        "bare_rps": round(bare_rps, 1),
        "docket_rps_ratio": round(docket_rps / bare_rps, 3),
        "docket_rps_by_wrk": 1.0 if load is _wrk else 0.0,
        # An ordinary signed-in page beside the docket: the same mediator's account page
        # (the layout, the session and its user, its forms; no docket) in the same run.
        "account_rps": round(account_rps, 1),
        "account_rps_ratio": round(account_rps / bare_rps, 3),
    }


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench_throughput(Path(tmp)), indent=2))
