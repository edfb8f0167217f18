"""Smoke test of an installed Concord: every module imports, and every page and download of
the demo answers without a server error, through a real gunicorn server.

Run with the interpreter of a virtualenv where the project was installed WITHOUT its test
extras (``pip install .``): what the application imports at runtime must then be there.
Uses the standard library only, for the same reason. ``make smoke`` does all of it::

    python tools/smoke.py            # exit 0: all good; 1: what failed is printed

Each demo account signs in and follows every same-site link from its home page
(breadth-first, GET only, never signing out), so pages, PDFs and the court package ZIP are
all fetched; any 5xx answer, any import error, or no PDF/ZIP at all fails the run.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, deque
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACCOUNTS = [
    "admin@demo.concord",
    "mediator1@demo.concord",
    "mediator2@demo.concord",
    "bank@demo.concord",
    "lender@demo.concord",
    *[f"debtor{n}@demo.concord" for n in range(1, 12)],
    "guarantor@demo.concord",  # a guarantor signs in as a debtor does (app.cases.parties)
]
PASSWORD = "concord-demo-2026"
MAX_PAGES_PER_ACCOUNT = 400
# Links that change state on GET would be a bug of their own; these only leave or loop.
SKIP = re.compile(r"^/(logout|static/)")


def import_everything() -> list[str]:
    """Import every module of ``app`` (the tree the server runs) with nothing but the
    installed runtime dependencies; return the failures."""
    sys.path.insert(0, str(ROOT))
    import app

    failures = []
    for module in pkgutil.walk_packages(app.__path__, "app."):
        try:
            importlib.import_module(module.name)
        except Exception as exc:
            failures.append(f"import {module.name}: {type(exc).__name__}: {exc}")
    return failures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True)


class Visitor:
    """One signed-in person following links."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get_content_type(), exc.read()

    def sign_in(self, identifier: str) -> None:
        _, _, page = self.fetch("/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on /login")
        status, _, page = self.fetch(
            "/login",
            {"csrf_token": token[1].decode(), "identifier": identifier, "password": PASSWORD},
        )
        if status != 200 or b'name="password"' in page:
            raise RuntimeError(f"{identifier} could not sign in (HTTP {status})")


def crawl(base: str, identifier: str, seen_kinds: Counter[str]) -> list[str]:
    visitor = Visitor(base)
    visitor.sign_in(identifier)
    failures = []
    queue, seen = deque(["/"]), {"/"}
    fetched = 0
    while queue and fetched < MAX_PAGES_PER_ACCOUNT:
        path = queue.popleft()
        status, kind, body = visitor.fetch(path)
        fetched += 1
        seen_kinds[kind] += 1
        if status >= 500:
            failures.append(f"{identifier}: GET {path} -> {status}")
            continue
        if kind != "text/html":
            continue
        for href in re.findall(rb'href="([^"#]+)', body):
            url = urllib.parse.urlsplit(href.decode().replace("&amp;", "&"))
            if url.scheme or url.netloc or not url.path.startswith("/"):
                continue
            link = url.path + (f"?{url.query}" if url.query else "")
            if SKIP.match(link) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    print(f"  {identifier}: {fetched} URLs")
    return failures


def main() -> int:
    failures = import_everything()
    print(f"imported every module of app/ ({len(failures)} failures)")
    instance = Path(tempfile.mkdtemp(prefix="concord-smoke-"))
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "FLASK_APP": "wsgi",
        "APP_ENV": "development",
        # Every demo account signs in from this one address within a minute, more than
        # the per-address limit allows a person (10/minute): the limit has its own tests
        # (tests/web/test_limits.py); here it would only stop the walk.
        "LOGIN_RATE_LIMIT": "100/minute",
    }
    env.pop("DATABASE_URL", None)
    server = None
    try:
        _flask(env, "db", "upgrade")
        _flask(env, "pki", "init", "--organisation", "北京市朝阳区金融纠纷人民调解委员会")
        _flask(env, "seed-demo")
        port = _free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/login", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        kinds: Counter[str] = Counter()
        for identifier in ACCOUNTS:
            failures += crawl(base, identifier, kinds)
        print("content types fetched:", dict(kinds))
        for needed in ("application/pdf", "application/zip"):
            if not kinds[needed]:
                failures.append(f"no {needed} download was reached from any page")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(instance, ignore_errors=True)
    for failure in failures:
        print("FAIL", failure)
    print("smoke: OK" if not failures else f"smoke: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
