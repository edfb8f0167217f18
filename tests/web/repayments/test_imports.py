"""Statement import over HTTP: upload, the per-row report on the page and as CSV, the
template, the status page of a file left to the worker, refusals of a file that is no
statement; and only the organisation's creditor users reach any of it."""

from __future__ import annotations

import csv
import io
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.payment_imports import PaymentImport
from app.models.repayments import RepaymentPayment
from app.models.users import User
from app.repayments import imports
from tests.factories import PASSWORD
from tests.helpers import Browser
from tests.repayment_support import performing_case, statement

URL = "/payments/imports"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    who, case, _ = performing_case()
    return {"who": who, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _upload(browser: Browser, data: bytes, name: str = "statement.csv") -> Any:
    return browser.upload(URL, {"statement": (data, name)}, page=URL)


def _good(case: Any) -> bytes:
    day = today().isoformat()
    return statement(
        (case.reference, "1000.00", day, "bank_transfer", "W-1"),
        (case.reference, "-5", day, "", "W-2"),
        ("HZ-2026-999999", "100", day, "", "W-3"),
    )


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_creditor_uploads_a_statement_and_reads_the_report(
    app: Flask, world: dict[str, Any]
) -> None:
    browser = _as(app, world["who"]["creditor"])
    page = browser.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "案件编号" in html and "case_reference" in html and "银行流水号" in html
    response = _upload(browser, _good(world["case"]))
    assert response.status_code == 302
    report_page = browser.get(response.headers["Location"])
    assert report_page.status_code == 200 and "Refresh" not in report_page.headers
    html = report_page.get_data(as_text=True)
    assert 'class="row-applied"' in html and html.count('class="row-refused"') == 2
    assert "金额必须大于零" in html  # the refusal in the reader's language (Chinese default)
    assert "count-processed" not in html
    assert "贵机构没有此编号的案件" in html
    assert _count(RepaymentPayment) == 1


def test_the_report_downloads_as_csv_in_the_readers_language_and_is_audited(
    app: Flask, world: dict[str, Any]
) -> None:
    browser = _as(app, world["who"]["creditor"])
    _upload(browser, _good(world["case"]))
    upload = db.session.scalars(select(PaymentImport)).one()
    response = browser.get(f"{URL}/{upload.id}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 4
    assert rows[1][:6] == ["2", world["case"].reference, "1000.00", today().isoformat(),
                           "bank_transfer", "W-1"]  # fmt: skip
    assert rows[1][6] == "已入账" and rows[1][7] == ""
    assert rows[2][6] == "未入账" and rows[2][7] == "金额必须大于零。"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "payment_import:report:download")
        )
        == 1
    )


def test_the_report_in_english_for_an_english_reader(app: Flask, world: dict[str, Any]) -> None:
    world["who"]["creditor"].locale = "en"
    db.session.commit()
    browser = _as(app, world["who"]["creditor"])
    _upload(browser, _good(world["case"]))
    upload = db.session.scalars(select(PaymentImport)).one()
    text = browser.get(f"{URL}/{upload.id}/report.csv").get_data().decode("utf-8")
    assert "There is no case of your organisation with this reference." in text
    assert text.splitlines()[0].endswith(",Result,Reason")


def test_uploading_the_same_file_twice_applies_it_once(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["creditor"])
    data = _good(world["case"])
    _upload(browser, data)
    second = _upload(browser, data)
    html = browser.get(second.headers["Location"]).get_data(as_text=True)
    assert 'class="row-duplicate"' in html and "此前已入账" in html
    assert _count(RepaymentPayment) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n\x00\x01",
        b"case,amount\nHZ-2026-000001,1\n",
        b'case_reference,amount,paid_on,channel,reference\n"HZ,1,2,3,4\n',
        "案件编号,金额,付款日期,支付方式,银行流水号\n".encode("gbk"),
    ],
)
def test_a_file_that_is_no_statement_comes_back_with_the_reason(
    app: Flask, world: dict[str, Any], data: bytes
) -> None:
    browser = _as(app, world["who"]["creditor"])
    response = _upload(browser, data, "x.pdf")
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert _count(PaymentImport) == 0


def test_no_file_chosen_comes_back_with_the_reason(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["creditor"])
    response = browser.submit(URL, {}, page=URL)
    assert response.status_code == 422
    assert "请选择要导入的 CSV 文件" in response.get_data(as_text=True)


def test_a_large_file_shows_a_status_page_that_refreshes(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "INLINE_ROWS", 1)
    browser = _as(app, world["who"]["creditor"])
    with mock.patch("app.core.jobs.enqueue"):  # the worker has not started yet
        response = _upload(browser, _good(world["case"]))
    page = browser.get(response.headers["Location"])
    assert page.status_code == 200 and page.headers["Refresh"] == "3"
    html = page.get_data(as_text=True)
    assert "等待开始" in html
    assert 'class="count-processed">0<' in html
    assert _count(RepaymentPayment) == 0


def test_the_template_downloads_with_its_header(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["who"]["creditor"])
    response = browser.get(f"{URL}/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8").removeprefix("\ufeff")
    assert text.splitlines()[0] == "案件编号,金额,付款日期,支付方式,银行流水号"


def test_the_creditor_home_links_to_the_import(app: Flask, world: dict[str, Any]) -> None:
    html = _as(app, world["who"]["creditor"]).get("/creditor").get_data(as_text=True)
    assert f'href="{URL}"' in html


def test_only_the_organisations_creditors_reach_an_import(
    app: Flask, world: dict[str, Any]
) -> None:
    who = world["who"]
    _upload(_as(app, who["creditor"]), _good(world["case"]))
    upload = db.session.scalars(select(PaymentImport)).one()
    pages = [f"{URL}/{upload.id}", f"{URL}/{upload.id}/report.csv"]
    colleague = _as(app, who["creditor_colleague"])
    assert all(colleague.get(url).status_code == 200 for url in pages)
    # Another organisation's creditor: not found, and its own list does not show it.
    other = _as(app, who["other_creditor"])
    assert [other.get(url).status_code for url in pages] == [404, 404]
    assert "statement.csv" not in other.get(URL).get_data(as_text=True)
    # Other roles: refused on every route, the upload included, and nothing changes.
    before = (_count(PaymentImport), _count(RepaymentPayment))
    for role in ("debtor", "mediator", "admin"):
        browser = _as(app, who[role])
        for url in (URL, f"{URL}/template.csv", *pages):
            assert browser.get(url).status_code == 403, (role, url)
        refused = browser.upload(URL, {"statement": (_good(world["case"]), "s.csv")}, page="/")
        assert refused.status_code == 403, role
    assert (_count(PaymentImport), _count(RepaymentPayment)) == before
    # Signed out: to the sign-in page.
    anonymous = Browser(app.test_client())
    assert anonymous.get(URL).status_code == 302
    assert "/login" in anonymous.get(pages[0]).headers["Location"]


def test_another_organisations_creditor_cannot_apply_to_this_case(
    app: Flask, world: dict[str, Any]
) -> None:
    other = _as(app, world["who"]["other_creditor"])
    response = _upload(other, _good(world["case"]))
    html = other.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count('class="row-refused"') == 3
    assert "贵机构没有此编号的案件" in html
    assert _count(RepaymentPayment) == 0


def test_a_long_report_shows_its_first_lines_and_points_to_the_download(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.repayments import import_views

    monkeypatch.setattr(import_views, "PAGE_ROWS", 2)
    browser = _as(app, world["who"]["creditor"])
    response = _upload(browser, _good(world["case"]))
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count('<tr class="row-') == 2
    assert "另有 1 行见可下载的报告" in html
