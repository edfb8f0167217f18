"""The judicial-confirmation package (issue 6 "The package", BRIEF §5.1) read back from the
real PDF: every section, the full identity number only here, every attachment byte for
byte, the organisation's certification with one empty field per party, a changed evidence
file refused by name, and the ZIP with its manifest of hashes."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from datetime import date
from typing import Any

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pypdf import PdfReader
from sqlalchemy import select, update

from app import audit
from app.audit import AuditAction
from app.cases.timeline import timeline_for
from app.confirmation.acknowledgements import run_checks
from app.confirmation.common import PACKAGE_OBJECT_TYPES
from app.confirmation.downloads import record_download
from app.confirmation.errors import PackageError
from app.confirmation.package import build as service
from app.confirmation.package.archive import package_zip
from app.confirmation.package.integrity import attachments_of, check_evidence_integrity
from app.core import clock
from app.core.storage import blob_store
from app.documents import issued as documents
from app.documents.signing import sign_field
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import AuditEvent, IssuedDocument
from app.models.agreements import DocumentKind
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.evidence import EvidenceCategory
from app.models.negotiation import Thread
from app.negotiation import threads
from tests import agreement_support as support
from tests import package_support as ps
from tests.worlds import Snapshot, Worlds, restore

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
SECTION_HEADINGS = (
    "司法确认申请书",
    "调解协议书",
    "调解组织主持调解的证明",
    "当事人身份和资格证明",
    "证据目录",
    "送达地址确认书",
    "承诺书",
    "电子签名验证报告",
)


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _build(who: dict[str, Any], *, consent: bool = True, **case_kw: Any) -> ps.Built:
    case, agreement = ps.agreement_in_force(who, **case_kw)
    if consent:
        ps.give_e_service_consent(case, who["debtor"])
    evidence = ps.standard_evidence(who, case)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    return ps.Built(case, agreement, package, evidence)


@pytest.fixture(scope="session")
def built_world(worlds: Worlds) -> Snapshot:
    """One built package per session: the tests that use it only read it."""
    return worlds.capture("built-package", lambda: _build(support.people()).ids())


@pytest.fixture
def built(app: Flask, built_world: Snapshot) -> ps.Built:
    return ps.Built.load(restore(built_world))


def _pdf(built: ps.Built) -> bytes:
    return documents.read_pdf(built.package.current_sha256 or "")


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _squeezed(data: bytes) -> str:
    """The text without white space: headings are letter-spaced."""
    return "".join(_text(data).split())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_section_of_brief_5_1_is_in_the_package(built: ps.Built) -> None:
    text = _squeezed(_pdf(built))
    missing = [h for h in SECTION_HEADINGS if h not in text]
    assert missing == []
    assert "致：北京市朝阳区人民法院" in text
    assert "请求人民法院确认申请人于" in text and "主持调解达成的调解协议有效" in text
    for heading in ("申请书", "主持调解的证明", "身份", "证据", "验证报告"):
        assert heading in text
    # The commitment letters and the address confirmations say how they are signed.
    assert text.count("本方以在司法确认申请书上所作的同一电子签名签署本文件") == 4
    assert "利息、费用计算表" in text and "¥24,000.00" in text  # agreed total


def test_the_full_id_number_is_printed_in_the_package_and_nowhere_else(built: ps.Built) -> None:
    pdf = _pdf(built)
    text = _squeezed(pdf)
    assert FULL_ID in text
    agreement = documents.read_pdf(built.agreement.current_sha256 or "")
    agreement_text = _squeezed(agreement)
    assert FULL_ID not in agreement_text and MASKED_ID in agreement_text
    # The copy of the agreement's text inside the package keeps the agreement's masking.
    assert MASKED_ID in text


def test_every_attachment_is_byte_identical_to_what_was_stored(built: ps.Built) -> None:
    embedded = attachments_of(_pdf(built))
    reference = built.case.reference
    expected = {f"01-agreement-{reference}-v1.pdf"} | {
        f"{n + 1:02d}-evidence-{e.category.value}-{e.id}.{ext}"
        for n, (e, ext) in enumerate(zip(built.evidence, ("pdf", "png", "pdf"), strict=True), 1)
    }
    assert set(embedded) == expected  # a hostile description embeds nothing else
    store = blob_store()
    for n, evidence in enumerate(built.evidence, start=1):
        name = next(k for k in embedded if k.startswith(f"{n + 1:02d}-"))
        on_disk = store.path_for(evidence.sha256).read_bytes()
        assert _sha(embedded[name]) == evidence.sha256 == _sha(on_disk)
    agreement = embedded[f"01-agreement-{reference}-v1.pdf"]
    assert _sha(agreement) == built.agreement.current_sha256
    report = verify_pdf(agreement, documents.trust_roots())
    assert report.accepted, report.problem
    assert len(report.signatures) == 4  # certification, debtor, creditor, mediator
    assert "".join(ps.HOSTILE.split()) in _squeezed(_pdf(built))  # printed, never obeyed


def test_the_package_is_certified_registered_and_has_one_field_per_party(built: ps.Built) -> None:
    pdf = _pdf(built)
    assert built.package.base_sha256 == built.package.current_sha256 == _sha(pdf)
    report = verify_pdf(pdf, documents.trust_roots())
    assert report.accepted, report.problem
    assert [s.is_certification for s in report.signatures] == [True]
    fields = {
        name: value for name, value, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)))
    }
    assert set(fields) == {"organisation", "sig-creditor", "sig-debtor"}
    assert fields["sig-creditor"] is None and fields["sig-debtor"] is None  # empty, to sign
    issued = db.session.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == _sha(pdf)))
    assert issued is not None
    assert (issued.kind, issued.stage, issued.version) == (DocumentKind.PACKAGE, "certified", 1)
    assert issued.case_id == built.case.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case:package:render"))
    assert event is not None and event.data["sha256"] == _sha(pdf)
    assert set(event.data["files"]) == set(attachments_of(pdf))


def test_both_parties_can_sign_their_fields_and_the_package_still_verifies(
    built: ps.Built,
) -> None:
    pdf = _pdf(built)
    for field, name in (("sig-debtor", "债务人 吉䶮"), ("sig-creditor", "债权人 测试银行")):
        pdf = sign_field(
            pdf,
            field_name=field,
            signer=documents.organisation_signer(),
            signer_name=name,
            reason="签署司法确认申请书",
            stamp_lines=[name, "签署时间 2026年11月28日 20:15"],
        )
    report = verify_pdf(pdf, documents.trust_roots())
    assert report.accepted, report.problem
    assert [s.field_name for s in report.signatures] == [
        "organisation",
        "sig-debtor",
        "sig-creditor",
    ]
    original = attachments_of(_pdf(built))
    assert attachments_of(pdf) == original


@pytest.mark.parametrize("damage", ["rewritten", "deleted"])
def test_an_evidence_file_changed_on_disk_stops_the_package_and_is_named(
    who: dict[str, Any], damage: str
) -> None:
    case, agreement = ps.agreement_in_force(who)
    evidence = ps.standard_evidence(who, case)
    path = blob_store().path_for(evidence[1].sha256)
    path.chmod(0o640)  # the store leaves blobs read-only (0440)
    if damage == "rewritten":
        path.write_bytes(ps.png(seed=7))
    else:
        path.unlink()
    with pytest.raises(PackageError) as refused:
        check_evidence_integrity(case)
    assert refused.value.code == "evidence_changed"
    assert refused.value.detail == "银行流水.png"
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.FAILED
    assert package.render_error == "evidence_changed: 银行流水.png"
    assert package.current_sha256 is None
    kinds = set(db.session.scalars(select(IssuedDocument.kind)))
    assert DocumentKind.PACKAGE not in kinds
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case:package:fail"))
    assert failed is not None and failed.data["detail"] == "银行流水.png"


def test_a_package_is_not_built_before_the_agreement_is_in_force(who: dict[str, Any]) -> None:
    case = support.settled_case(who, count=3)
    agreement = support.draft(case, who)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.FAILED
    assert package.render_error == "agreement_not_in_force"


def test_the_zip_holds_the_same_files_with_their_hashes_and_is_deterministic(
    built: ps.Built,
) -> None:
    first = package_zip(built.package)
    assert package_zip(built.package) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["name"]: f for f in manifest["files"]}
    files = set(archive.namelist()) - {"manifest.json", "MANIFEST.txt"}
    assert set(listed) == files and len(files) == 1 + 1 + len(built.evidence)
    for name in files:
        data = archive.read(name)
        assert (_sha(data), len(data)) == (listed[name]["sha256"], listed[name]["size"])
        assert listed[name]["sha256"] in archive.read("MANIFEST.txt").decode()
    assert manifest["package_pdf"]["sha256"] == built.package.current_sha256
    stored = {e.sha256 for e in built.evidence} | {built.agreement.current_sha256}
    assert stored <= {f["sha256"] for f in manifest["files"]}
    released = clock.local(built.package.released_at).timetuple()[:6]
    stamp = (*released[:5], released[5] - released[5] % 2)  # DOS time: 2-second steps
    assert {i.date_time for i in archive.infolist()} == {stamp}


def test_the_proof_of_presiding_tells_the_story_without_private_words(
    who: dict[str, Any],
) -> None:
    case = support.settled_case(who, count=3)
    threads.post_message(who["debtor"], case, Thread.CAUCUS_DEBTOR, "我的底线是八千元整")
    threads.post_message(who["mediator"], case, Thread.JOINT, "请双方核对还款计划")
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    text = _squeezed(documents.read_pdf(package.current_sha256 or ""))
    assert "底线" not in text and "核对还款计划" not in text
    for event in ("提出还款方案", "调解员拟定调解协议", "债务人签署调解协议", "调解协议生效"):
        assert event in text
    number = who["mediator"].appointment_number
    assert f"本组织聘任的调解员王调解（聘任证书编号{number}）主持调解" in text
    assert "未同意（以上述送达地址邮寄或直接送达）" in text  # no e-service consent given


def test_the_proof_of_presiding_prints_the_mediators_appointment(built: ps.Built) -> None:
    """人民调解法 Arts. 13-14: the committee appoints its mediators; the proof that the
    organisation presided (民诉法解释 Art. 354) names the appointment with the mediator."""
    mediator = built.case.mediator
    assert mediator is not None and mediator.appointed_on is not None
    text = _squeezed(_pdf(built))
    proof = text[text.index("调解组织主持调解的证明", text.index("第三部分")) :]
    day = mediator.appointed_on
    assert f"调解员聘任证书编号{mediator.appointment_number}" in proof
    assert f"{day.year}年{day.month}月{day.day}日，{mediator.appointed_by}" in proof
    # the agreement's own mediator line carries it too (its copy is section 2)
    assert f"调解员聘任聘任证书编号{mediator.appointment_number}" in text


def test_without_an_appointment_record_the_proof_says_so_and_the_check_warns(
    who: dict[str, Any],
) -> None:
    """人民调解法 Arts. 13-14; 民诉法解释 Art. 356: a warning, not a block."""
    who["mediator"].appointment_number = None
    who["mediator"].appointed_on = None
    db.session.commit()
    case, agreement = ps.agreement_in_force(who)
    findings = run_checks(case, None)
    missing = [f for f in findings if f.code == "confirm.mediator_appointment_missing"]
    assert [f.severity.value for f in missing] == ["warn"]
    assert "人民调解法》第十三条、第十四条" in missing[0].source
    ps.give_e_service_consent(case, who["debtor"])
    ps.standard_evidence(who, case)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    text = _squeezed(documents.read_pdf(package.current_sha256 or ""))
    assert "调解员聘任记录（未登记）" in text
    assert "由调解员王调解主持调解" in text


def test_an_assignees_package_shows_the_assignment_chain_and_the_notice(
    who: dict[str, Any],
) -> None:
    case, agreement = ps.agreement_in_force(
        who,
        is_assignee=True,
        original_lender="原始小额贷款有限公司",
        assignment_date=date(2025, 1, 10),
        debtor_notified=True,
    )
    creditor = who["creditor"]
    ps.add_file(creditor, case, ps.minimal_pdf(b"a"), "转让协议.pdf", EvidenceCategory.ASSIGNMENT)
    ps.add_file(creditor, case, ps.minimal_pdf(b"n"), "转让通知.pdf", EvidenceCategory.NOTICE)
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    text = _squeezed(documents.read_pdf(package.current_sha256 or ""))
    assert "债权转让" in text and "原始小额贷款有限公司" in text
    assert "2025年1月10日" in text and "已通知" in text
    assert "转让协议.pdf" in text and "转让通知.pdf" in text


def test_package_events_say_confirmation_package_and_the_old_spelling_is_still_read(
    built: ps.Built,
) -> None:
    """The worker used to audit the package as ``package`` (render, fail), everything else
    as ``confirmation_package``. Old rows are never rewritten; every event written now
    says ``confirmation_package``, and the readers find the old rows too."""
    case, package = built.case, built.package
    debtor, mediator = case.debtor_user, case.mediator
    assert debtor is not None and mediator is not None
    old = audit.record(  # a row as the worker wrote it before
        AuditAction.CASE_PACKAGE_RENDER,
        actor=None,
        object_type="package",
        object_id=package.id,
        case_id=case.id,
        data={"number": package.number},
    )
    db.session.commit()
    record_download(debtor, case, package, package.current_sha256 or "", "pdf")
    second = ps.released_package(case, built.agreement, mediator, number=2)
    service.mark_failed(second.id, "field_missing", "sig-debtor")

    written = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.id > old.id)
    ).all()
    assert {e.action for e in written} == {"case:package:download", "case:package:fail"}
    render = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:package:render", AuditEvent.id < old.id)
    ).one()  # written by the build of the fixture
    assert {e.object_type for e in [*written, render]} == {"confirmation_package"}

    by_object = db.session.scalars(
        select(AuditEvent.id).where(
            AuditEvent.object_type.in_(PACKAGE_OBJECT_TYPES),
            AuditEvent.object_id == str(package.id),
        )
    ).all()
    assert {old.id, render.id} <= set(by_object)
    story = [e.action for e in timeline_for(case, mediator)]
    assert story.count("case:package:render") == 2  # the old row and the new one
    assert audit.verify_chain().intact


def test_the_embedded_files_are_read_without_the_test_only_pdf_library(
    built: ps.Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pypdf is a test dependency only (pyproject.toml): the ZIP download reads the files
    embedded in the package with pyHanko, which the server has."""
    pdf = _pdf(built)
    expected = {name: files[0] for name, files in PdfReader(io.BytesIO(pdf)).attachments.items()}
    assert len(expected) == 1 + len(built.evidence)
    monkeypatch.setitem(sys.modules, "pypdf", None)  # `import pypdf` now fails
    assert attachments_of(pdf) == expected
    archive = zipfile.ZipFile(io.BytesIO(package_zip(built.package)))
    assert set(expected) <= set(archive.namelist())


def test_a_build_that_loses_the_race_to_a_newer_release_keeps_nothing(
    who: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, agreement = ps.agreement_in_force(who)
    package = ps.released_package(case, agreement, who["mediator"])

    def assemble_while_released_again(*args: Any) -> tuple[bytes, dict[str, str]]:
        # Meanwhile a new release supersedes this package: its row moves on.
        moved = (
            update(ConfirmationPackage)
            .where(ConfirmationPackage.id == package.id)
            .values(lock_version=ConfirmationPackage.lock_version + 1)
        )
        db.session.execute(moved.execution_options(synchronize_session=False))
        return ps.minimal_pdf(), {}

    monkeypatch.setattr(service, "_assemble", assemble_while_released_again)
    service.build_package(package.id)  # no error: the newer release wins
    db.session.expire_all()
    assert package.status != PackageStatus.SIGNING and package.current_sha256 is None
    rendered = select(AuditEvent).where(AuditEvent.action == "case:package:render")
    assert db.session.scalar(rendered) is None
    assert DocumentKind.PACKAGE not in set(db.session.scalars(select(IssuedDocument.kind)))


def test_the_power_of_attorney_is_summarised_in_the_package(built: ps.Built) -> None:
    """CPL Art. 62: the court reads who gave which powers to whom, for how long."""
    text = _squeezed(_pdf(built))
    section = text.split("授权委托书及代理人身份证明", 1)[1].split("身份证明文件", 1)[0]
    agent = built.case.created_by.name
    assert f"委托人{built.case.creditor_org.name}" in section
    assert f"受托人{agent}" in section and "受托人身份法务专员" in section
    for power in ("代为参加调解", "代为签署调解协议", "代为申请司法确认", "代为签收法律文书"):
        assert power in section
    assert "特别授权有" in section and "授权期限" in section and "签署日期" in section
    assert "调解及司法确认事项办结之日" in section  # the support's period has no end
