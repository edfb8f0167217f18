"""A supplementary agreement on a case with a guarantor and a co-borrower: everyone who
signed the agreement signs the change (民法典 Art. 543; a guarantor's signature is the
written consent Art. 695 asks for), each in their own field, after a clause of their own;
they are asked to, on their to-do list and by a notice; the mediator signs last; nobody
else may sign or read it, and the guarantor does not negotiate the new terms."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.agreements.common import AgreementRefused
from app.core import clock
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import OutboundMessage
from app.models.restructuring import SupplementaryStatus
from app.models.users import Role, User
from app.restructuring import drafting
from app.todo.debtor import debtor_todo
from app.todo.mediator import mediator_todo
from tests import restructuring_support as support
from tests.factories import PASSWORD, make_case_party, make_user
from tests.helpers import Browser

PARTIES = (
    # role, guarantee kind, name, ID number, email
    ("guarantor", "joint", "赵保证", "110101198001011232", "guarantor@example.com"),
    ("co_borrower", None, "孙共借", "440305199002154566", "coborrower@example.com"),
)


@pytest.fixture
def world(app: Flask):
    """A case being performed, part paid, whose agreement a joint guarantor and a
    co-borrower signed beside the debtor (how they join and sign the agreement:
    tests/integration/agreements/test_guarantors.py)."""
    who, case, agreement = support.partly_paid_case()
    for role, kind, name, number, email in PARTIES:
        user = make_user(Role.DEBTOR, name=name, email=email)
        make_case_party(case, role, kind, name, number, who["mediator"], user, email=email)
        who[role] = user
    return who, case, agreement


def _browser(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    return browser


def _drafted(who, case):
    support.accepted_request(who, case, count=6)
    supplement = drafting.draft_supplementary(who["mediator"], case)
    db.session.refresh(supplement)
    assert supplement.status == SupplementaryStatus.SIGNING, supplement.render_error
    return supplement


def test_every_party_to_the_agreement_signs_the_change_the_mediator_last(app: Flask, world) -> None:
    who, case, agreement = world
    supplement = _drafted(who, case)
    guarantor, co_borrower = who["guarantor"], who["co_borrower"]
    # Each is told, as the debtor is, that there is something to sign.
    for email in ("guarantor@example.com", "coborrower@example.com"):
        assert db.session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.address == email,
                OutboundMessage.template == "supplementary_ready",
            )
        )
    # Their to-do list asks for it and links to the signing page (and, until they give
    # it, for their ID copy: the application for judicial confirmation is not filed yet).
    sign_url = f"/cases/{case.id}/supplementary/{supplement.version}/sign"
    for user in (guarantor, co_borrower):
        with app.test_request_context():
            items = debtor_todo(user, clock.today())
        assert [i.kind for i in items] == ["sign_supplementary", "id_copy"]
        assert items[0].url == sign_url
    page = _browser(app, guarantor).get(f"/cases/{case.id}")
    html = page.get_data(as_text=True)
    assert sign_url in html and "保证人 赵保证" in html  # the supplement's signature rows

    support.sign_supplement(case, supplement, who["debtor"], typed_name=who["debtor"].name)
    support.sign_supplement(case, supplement, who["creditor"], typed_name=who["creditor"].name)
    # The mediator's list says whom the supplementary agreement still waits for.
    with app.test_request_context():
        waiting = [
            i
            for i in mediator_todo(who["mediator"], clock.today())
            if i.reference == case.reference
        ]
    assert [i.kind for i in waiting] == ["supplement_signatures"]
    assert "赵保证、孙共借" in waiting[0].text and "补充协议等待" in waiting[0].text
    with pytest.raises(AgreementRefused) as refused:
        support.sign_supplement(case, supplement, who["mediator"], typed_name="王调解")
    assert refused.value.code == "parties_first"  # the guarantor and co-borrower have not
    support.sign_supplement(case, supplement, guarantor, typed_name="赵保证")
    assert supplement.status == SupplementaryStatus.SIGNING
    with app.test_request_context():
        # signed: nothing left to sign
        assert [i.kind for i in debtor_todo(guarantor, clock.today())] == ["id_copy"]
    support.sign_supplement(case, supplement, co_borrower, typed_name="孙共借")
    assert supplement.status == SupplementaryStatus.SIGNING  # the mediator still signs
    with app.test_request_context():
        mine = [
            i
            for i in mediator_todo(who["mediator"], clock.today())
            if i.reference == case.reference
        ]
    assert [i.kind for i in mine] == ["sign_supplementary"]  # now their own signature
    support.sign_supplement(case, supplement, who["mediator"], typed_name="王调解")
    assert supplement.status == SupplementaryStatus.IN_FORCE
    assert db.session.scalar(
        select(OutboundMessage).where(
            OutboundMessage.address == "guarantor@example.com",
            OutboundMessage.template == "supplementary_in_force",
        )
    )

    data = documents.read_pdf(supplement.current_sha256 or "")
    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    assert len(report.signatures) == 6  # the organisation's certification and five signers
    reader = PdfReader(io.BytesIO(data))
    fields = reader.get_fields() or {}
    parties = {p.role: p for p in case.extra_parties}
    for party in parties.values():
        assert fields[f"sig-{party.signer_role}"].get("/V") is not None  # their own field
    flat = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
    for phrase in (
        "第六条保证人、共同借款人的同意",
        "保证人赵保证已知悉本补充协议的全部内容，书面同意原协议履行方式的上述变更",
        "按原协议约定的保证方式（连带责任保证）",
        "第六百九十五条",
        "共同借款人孙共借同意本补充协议对原协议履行方式的变更",
        "第五百一十八条",
        "第七条原协议其他条款的效力",
        "第八条生效",
        "各方当事人在平等、自愿、合法的基础上",
        "本补充协议经债务人签名、债权人签章、保证人赵保证签名、共同借款人孙共借签名、"
        "调解员签名并加盖调解组织印章后生效",
        "本补充协议一式五份，债权人、债务人、保证人赵保证、共同借款人孙共借各执一份",
        "保证人（签名）",
        "共同借款人（签名）",
    ):
        assert phrase in flat, phrase
    issued = documents.lookup_issued(supplement.current_sha256 or "")
    assert issued is not None and issued.in_force
    assert {s["role"] for s in issued.signers} == {
        "debtor",
        "creditor",
        "mediator",
        *(p.signer_role for p in parties.values()),
    }


def test_the_guarantor_signs_but_does_not_negotiate_and_outsiders_see_nothing(
    app: Flask, world
) -> None:
    who, case, _ = world
    supplement = _drafted(who, case)
    guarantor = _browser(app, who["guarantor"])
    # The debtor asks for and answers a restructuring; a guarantor only signs the result.
    for path in ("restructuring/new", "restructuring/counter"):
        assert guarantor.get(f"/cases/{case.id}/{path}").status_code in (403, 404)
    pdf = f"/cases/{case.id}/supplementary/{supplement.version}.pdf"
    sign = f"/cases/{case.id}/supplementary/{supplement.version}/sign"
    assert guarantor.get(pdf).status_code == 200
    assert guarantor.get(sign).status_code == 200
    # Another debtor, another creditor organisation, a mediator of another organisation.
    for outsider in (who["other_debtor"], who["other_creditor"], who["foreign_mediator"]):
        browser = _browser(app, outsider)
        assert browser.get(pdf).status_code == 404
        assert browser.get(sign).status_code == 404
    # A guarantor of another case is an outsider here too.
    stranger = make_user(Role.DEBTOR, name="钱路人")
    assert _browser(app, stranger).get(sign).status_code == 404


def test_without_additional_parties_the_articles_and_signers_are_as_before(app: Flask) -> None:
    who, case, _ = support.partly_paid_case()
    supplement = support.supplement_in_force(who, case, count=6)
    data = documents.read_pdf(supplement.current_sha256 or "")
    flat = re.sub(
        r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    )
    assert "第六条原协议其他条款的效力" in flat and "第七条生效" in flat
    assert "保证人" not in flat and "第八条" not in flat
    assert "双方当事人在平等、自愿、合法的基础上" in flat
    assert "本补充协议经债务人签名、债权人签章、调解员签名并加盖调解组织印章后生效" in flat


def test_the_guarantor_and_the_co_borrower_are_told_of_a_breach(
    app: Flask, world, frozen_clock
) -> None:
    """Both answer for the debt (民法典 Arts. 518, 688; the enforcement application names
    them): a breach is told to them as to the debtor, under the same contact rules."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from app.repayments.common import performance_of
    from app.repayments.watch import watch_repayments

    _, case, _ = world
    performance = performance_of(case, clock.today())
    assert performance is not None
    last = performance.plan.instalments[-1].grace_ends + timedelta(days=1)
    frozen_clock.move_to(datetime.combine(last, time(10), tzinfo=ZoneInfo("Asia/Shanghai")))
    assert watch_repayments() == 1
    for email in ("guarantor@example.com", "coborrower@example.com"):
        notice = db.session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.address == email,
                OutboundMessage.template.startswith("case_breach"),
            )
        )
        assert notice is not None and notice.is_debtor  # quiet hours and caps apply


def test_the_guarantor_and_the_co_borrower_are_told_when_the_debt_is_paid(
    app: Flask, world
) -> None:
    """Performance ends the debt and the guarantee with it (民法典 Art. 557): they learn
    that their liability is over."""
    from app.repayments.payments import record_payment
    from tests.repayment_support import entry

    who, case, _ = world
    assert record_payment(who["creditor"], case, entry(str(support.REMAINING), "TX-ALL")).performed
    for email in ("guarantor@example.com", "coborrower@example.com"):
        assert db.session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.address == email, OutboundMessage.template == "case_performed"
            )
        )


def test_the_guarantor_sees_where_the_repayment_stands_but_not_the_debtors_receipts(
    app: Flask, world
) -> None:
    """Told of a breach, they find the plan and the payments on the case page; the
    debtor's transfer receipt (their bank details) stays the debtor's (PIPL Art. 6)."""
    from app.repayments.payments import Proof, report_payment
    from tests.package_support import png
    from tests.repayment_support import entry

    who, case, _ = world
    reported = report_payment(
        who["debtor"], case, entry("500.00", "RPT-G"), Proof(io.BytesIO(png(seed=9)), "回单.png")
    ).payment
    receipt = f"/cases/{case.id}/payments/{reported.id}/proof"
    guarantor = _browser(app, who["guarantor"])
    page = guarantor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="repayment"' in page and "RPT-G" in page and receipt not in page
    assert guarantor.get(receipt).status_code == 404
    debtor = _browser(app, who["debtor"])
    assert receipt in debtor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert debtor.get(receipt).status_code == 200
    # A debtor of another case sees neither.
    other = _browser(app, make_user(Role.DEBTOR))
    assert other.get(f"/cases/{case.id}").status_code == 404
    assert other.get(receipt).status_code == 404
