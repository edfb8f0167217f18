"""GET /docket on PostgreSQL at a million cases, for a mediator and for the admin.

Run by ``make bench`` when ``BENCH_DATABASE_URL`` names a PostgreSQL database
(``postgresql+psycopg://127.0.0.1:5432/docket1m``); ``BENCH_CASES`` sets the size
(1,000,000 by default). The database is kept between runs: seeding is skipped when it
already holds the cases (seeding a million rows takes minutes; measuring, seconds). The
shape is :func:`bench.__main__.seed_cases`' (one organisation, 20 mediators, an admin,
5 creditors, the same mix of states), written by one ``INSERT ... SELECT
generate_series`` instead of ORM batches, then ``VACUUM ANALYZE``.

Each variant of the page is measured at ``BENCH_CASES`` on PostgreSQL
(``docket_pg_1m_<variant>_<role>_ms``), at 1,000 cases on PostgreSQL (a database of their
own, ``<name>_1k``: ``docket_pg_1k_...``) and at 1,000 on SQLite as the rest of the bench
(``docket_1k_...``); medians of 15, the three sizes interleaved request by request. Page
200 is reached as a person does, by the "next" links (keyset cursors), never by an offset.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from html import unescape
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.core import pii
from app.extensions import db
from app.models.cases import Case, DocketCount
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.pinyin import name_pinyin
from tests.conftest import IsolatedClient, make_settings
from tests.factories import PASSWORD, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser

REPEAT = 15
DEEP_PAGE = 200
# What each variant asks for: the query string of GET /docket (page 200 is followed).
VARIANTS: dict[str, str] = {
    "default": "",
    "state": "?state=invited",
    "amount": "?sort=amount",
    "deadline": "?sort=deadline",
    "within7": "?deadline_within=7",
    "name": "?q=王伟",
    "reference": "?q={reference}",
    "page200": "",
}
_NEXT = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"


def _pg_app(folder: Path, url: str) -> Flask:
    app = create_app(make_settings(folder, url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    return app


def _seed_sql(n: int) -> tuple[User, User]:
    """The bench's organisation, in one statement per table (see the module's docstring)."""
    org = make_mediation_org()
    mediators = [make_user(Role.MEDIATOR, mediation_org=org) for _ in range(20)]
    admin = make_user(Role.ADMIN, mediation_org=org)
    creditors = [make_creditor_org(licence_type=LicenceType.BANK) for _ in range(5)]
    db.session.flush()  # one transaction: a failed seeding leaves nothing behind
    # A name is a surname and two different given characters; its pinyin is built from
    # each character's (what name_pinyin gives for these unambiguous ones).
    syllable = {c: name_pinyin(c).split(" ")[0] for c in _SURNAMES + _GIVEN}
    params = {
        "n": n,
        "mediators": [m.id for m in mediators],
        "creditors": [c.id for c in creditors],
        "org": org.id,
        "created_by": mediators[0].id,
        "surnames": list(_SURNAMES),
        "given": list(_GIVEN),
        "sp": [syllable[c] for c in _SURNAMES],
        "gp": [syllable[c] for c in _GIVEN],
        "id_number": pii.encrypt("110101198001010000"),  # never read by the docket
        "address": "北京市朝阳区某街道某小区 1 号楼 2 单元 301 室",
    }
    db.session.execute(text("SELECT setseed(0.15)"))
    db.session.execute(
        text(
            """
            INSERT INTO cases (state, version, creditor_org_id, created_by_id,
                mediation_org_id, mediator_id, debtor_name, debtor_name_pinyin,
                debtor_id_type, debtor_id_number, debtor_id_masked, debtor_phone,
                debtor_address, lender_kind, contract_number, contract_date,
                principal_lent, annual_rate, term_months, outstanding_principal, interest,
                penalty, fees, is_assignee, claim_total, overdue_since, created_at,
                last_activity_at, next_deadline)
            SELECT s.state, 1, p.cr[1 + s.i % 5], :created_by, :org,
                CASE WHEN s.state = 'draft' THEN NULL ELSE p.me[1 + s.i % 20] END,
                p.su[s.sn] || p.gi[s.g1] || p.gi[s.g2],
                p.sp[s.sn] || p.gp[s.g1] || p.gp[s.g2] || ' ' || left(p.sp[s.sn], 1)
                    || left(p.gp[s.g1], 1) || left(p.gp[s.g2], 1),
                'resident_id', :id_number,
                '1101' || lpad((s.i % 100)::text, 2, '0') || '********'
                    || lpad((s.i % 1000)::text, 3, '0') || 'X',
                '139' || lpad(s.i::text, 8, '0'), :address, 'bank',
                'HT-2024-' || lpad(s.i::text, 7, '0'), date '2024-01-01' + s.i % 365,
                s.principal, 12.0, 24, s.principal, 0, 0, 0, false, s.principal,
                date '2025-01-01' + s.i % 300, now() - interval '400 days',
                now() - make_interval(mins => s.minutes),
                CASE WHEN s.state NOT IN ('draft', 'closed_not_mediated') AND s.r < 0.8
                     THEN current_date + s.days END
            FROM (SELECT CAST(:creditors AS int[]) AS cr, CAST(:mediators AS int[]) AS me,
                         CAST(:surnames AS text[]) AS su, CAST(:given AS text[]) AS gi,
                         CAST(:sp AS text[]) AS sp, CAST(:gp AS text[]) AS gp) AS p,
            (
                SELECT i,
                    CASE WHEN w < 5 THEN 'draft' WHEN w < 25 THEN 'submitted'
                         WHEN w < 50 THEN 'invited' WHEN w < 85 THEN 'negotiating'
                         ELSE 'closed_not_mediated' END AS state,
                    1 + floor(random() * 20)::int AS sn, g1,
                    1 + (g1 + floor(random() * 25)::int) % 26 AS g2,
                    round((2000 + random() * 798000)::numeric, 2) AS principal,
                    floor(random() * 525600)::int AS minutes,
                    random() AS r, floor(random() * 70)::int - 10 AS days
                FROM (SELECT i, floor(random() * 100)::int AS w,
                             1 + floor(random() * 26)::int AS g1
                      FROM generate_series(0, :n - 1) AS i) AS base
            ) AS s
            """
        ),
        params,
    )
    db.session.commit()
    return mediators[0], admin


def _seeded(n: int) -> tuple[User, User] | None:
    """The mediator and admin of an organisation already holding ``n`` cases, if any."""
    found = db.session.execute(  # the counters (migration 0033): no pass over the cases
        select(DocketCount.owner_id, func.sum(DocketCount.n))
        .where(DocketCount.scope == "org")
        .group_by(DocketCount.owner_id)
    ).all()
    for org_id, count in found:
        if count >= n:
            staff = db.session.scalars(
                select(User).where(User.mediation_org_id == org_id).order_by(User.id)
            ).all()
            mediator = next(u for u in staff if u.role == Role.MEDIATOR)
            admin = next(u for u in staff if u.role == Role.ADMIN)
            return mediator, admin
    return None


def _vacuum(url: str) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def prepare_pg(folder: Path, url: str, n: int) -> tuple[Flask, int, int]:
    """The migrated app on ``url`` and the ids of its mediator and admin, seeded if need be."""
    app = _pg_app(folder, url)
    with app.app_context():
        found = _seeded(n)
        if found is None:
            start = time.perf_counter()
            found = _seed_sql(n)
            _vacuum(url)
            print(f"seeded {n} cases in {time.perf_counter() - start:.0f} s")
        mediator, admin = found
        return app, mediator.id, admin.id


def _next_url(html: str) -> str | None:
    match = _NEXT.search(html)
    return unescape(match[1] or match[2]) if match else None


def _deep_url(browser: Browser, pages: int) -> str:
    """Page ``pages`` of the default docket (or its last page, if it has fewer), reached by
    following "next" links."""
    url = "/docket"
    for _ in range(pages - 1):
        response = browser.get(url)
        assert response.status_code == 200
        found = _next_url(response.get_data(as_text=True))
        if found is None:
            break
        url = found
    return url


def _variant_urls(browser: Browser, reference: str) -> dict[str, str]:
    urls = {k: "/docket" + v.format(reference=reference) for k, v in VARIANTS.items()}
    urls["page200"] = _deep_url(browser, DEEP_PAGE)
    return urls


def _measure(sites: dict[str, tuple[Browser, dict[str, str]]]) -> dict[str, float]:
    """Median milliseconds of each variant at each site (``<size>_<variant>_<role>``). The
    sizes are interleaved, request by request, so that a burst of other work on a shared
    machine hits the 1k and the 1M figures alike (the ratio between them is the target)."""
    variants = next(iter(sites.values()))[1]
    out = {}
    for name in variants:
        for browser, urls in sites.values():
            assert browser.get(urls[name]).status_code == 200, urls[name]
            for _ in range(2):
                browser.get(urls[name])
        samples: dict[str, list[float]] = {site: [] for site in sites}
        for _ in range(REPEAT):
            for site, (browser, urls) in sites.items():
                start = time.perf_counter()
                browser.get(urls[name])
                samples[site].append((time.perf_counter() - start) * 1000)
        for site, values in samples.items():
            size, role = site.split(":")
            out[f"docket_{size}_{name}_{role}_ms"] = round(statistics.median(values), 2)
    return out


def _sites(
    app: Flask, users: dict[str, int], tag: str
) -> dict[str, tuple[Browser, dict[str, str]]]:
    """Each role signed in to ``app``, with the address of every variant of its docket."""
    sites = {}
    with app.app_context():
        for role, user_id in users.items():
            user = db.session.get(User, user_id)
            case_id = db.session.scalar(
                select(func.max(Case.id)).where(
                    Case.mediator_id == user.id
                    if role == "mediator"
                    else Case.mediation_org_id == user.mediation_org_id
                )
            )
            reference = db.session.get(Case, case_id).reference
            browser = Browser(app.test_client())
            assert browser.login(user.email, PASSWORD).status_code == 302
            sites[f"{tag}:{role}"] = (browser, _variant_urls(browser, reference))
    return sites


def _database_1k(url: str) -> str:
    """``url``'s server, database ``<name>_1k``, created when missing."""
    parsed = make_url(url)
    name = f"{parsed.database}_1k"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def bench_docket_pg(folder: Path) -> dict[str, float]:
    """Every variant at 1,000 cases (SQLite) and at BENCH_CASES (PostgreSQL); nothing when
    BENCH_DATABASE_URL is not set."""
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        return {}
    from bench.__main__ import fresh_app, seed_cases

    n = int(os.environ.get("BENCH_CASES", "1000000"))
    tag = "pg_1m" if n == 1_000_000 else f"pg_{n}"
    small = folder / "sqlite_1k"
    small.mkdir()
    app_1k = fresh_app(small)
    with app_1k.app_context():
        mediator, admin = seed_cases(1_000)
        users_1k = {"mediator": mediator.id, "admin": admin.id}
    sites = _sites(app_1k, users_1k, "1k")
    # The same 1,000 on PostgreSQL too (a database of their own beside BENCH_DATABASE_URL's,
    # named "<its name>_1k"): the engine alike, only the size differs.
    apps = [app_1k]
    for size, sized_url, sized_tag in ((1_000, _database_1k(url), "pg_1k"), (n, url, tag)):
        sub = folder / sized_tag
        sub.mkdir()
        app_pg, mediator_id, admin_id = prepare_pg(sub, sized_url, size)
        apps.append(app_pg)
        sites.update(_sites(app_pg, {"mediator": mediator_id, "admin": admin_id}, sized_tag))
    results: dict[str, float] = {}
    for role in ("mediator", "admin"):  # each role's three sizes measured together
        results.update(_measure({k: v for k, v in sites.items() if k.endswith(f":{role}")}))
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    print(f"docket on {make_url(url).database}: {n} cases")
    return results


def _main() -> None:
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench_docket_pg(Path(tmp)), indent=2, sort_keys=True))


if __name__ == "__main__":
    _main()
