"""The parties sign the released package as they signed the agreement: re-authenticated,
on the exact file they saw, into their own field; both signatures make it ready to file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.confirmation import release as confirmation
from app.confirmation.release import ConfirmationError
from app.core import clock
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.agreements import SignatureMethod
from app.models.audit import AuditEvent
from app.models.confirmation import PackageSignature, PackageStatus
from app.models.invitations import OneTimeCode
from app.models.notifications import OutboundMessage
from app.signing.flow import MarkInvalid
from app.signing.reauth import ReauthError
from tests.agreement_support import last_code
from tests.confirmation_support import given, in_force_case, sign_as, signing_package


@pytest.fixture
def signing(app: Any) -> tuple[dict[str, Any], Any, Any]:
    who, case, agreement = in_force_case()
    return who, case, signing_package(case, agreement, who["mediator"])


def test_both_parties_sign_and_the_package_is_ready(signing: Any) -> None:
    who, case, package = signing
    base = package.base_sha256

    sign_as(who["debtor"], case, package, typed_name=who["debtor"].name)  # 𠮷: not in the font
    assert package.status == PackageStatus.SIGNING
    assert confirmation.package_signed_roles(package) == {"debtor"}
    sign_as(who["creditor"], case, package, typed_name=who["creditor"].name)

    assert package.status == PackageStatus.READY
    rows = db.session.scalars(select(PackageSignature).order_by(PackageSignature.id)).all()
    assert [(r.role, r.document_sha256 != r.result_sha256) for r in rows] == [
        ("debtor", True),
        ("creditor", True),
    ]
    assert rows[0].document_sha256 == base and rows[1].document_sha256 == rows[0].result_sha256
    report = verify_pdf(documents.read_pdf(package.current_sha256), documents.trust_roots())
    assert report.accepted, report.problem
    assert [s.field_name for s in report.signatures if not s.is_certification] == [
        "sig-debtor",
        "sig-creditor",
    ]
    # The notices' delivery records (contact:sent) come after each commit: leave them out.
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(~AuditEvent.action.startswith("contact:"))
            .order_by(AuditEvent.id)
        )
    )
    assert actions[-2:] == ["case:confirmation:sign", "case:confirmation:ready"]
    ready = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.template == "package_ready")
    ).all()
    assert {m.recipient_key for m in ready} >= {
        f"debtor:{case.id}",
        f"user:{who['creditor'].id}",
        f"user:{who['mediator'].id}",
    }
    assert all("¥" not in m.body and case.reference in m.body for m in ready)


def test_the_mediator_and_strangers_do_not_sign_the_package(signing: Any) -> None:
    who, case, package = signing
    for user in (who["mediator"], who["other_debtor"], who["other_creditor"]):
        with pytest.raises(ConfirmationError) as refused:
            confirmation.send_package_code(user, case, package, None)
        assert refused.value.code == "not_a_signer"
        assert not confirmation.may_sign_package(user, case, package)
    assert confirmation.may_sign_package(who["debtor"], case, package)


@pytest.mark.parametrize(
    ("over", "kind", "code"),
    [
        ({"seen_sha256": "a" * 64}, ConfirmationError, "document_changed"),
        ({"version": 2}, ConfirmationError, "superseded"),
        # The mark is judged as on the agreement's page (app.signing.flow).
        ({"typed_name": "  "}, MarkInvalid, "name_required"),
        (
            {"method": SignatureMethod.DRAWN, "typed_name": None, "drawn_png": b"GIF89a"},
            MarkInvalid,
            "drawing_invalid",
        ),
    ],
)
def test_a_signature_is_refused(
    signing: Any, over: dict[str, Any], kind: type[Exception], code: str
) -> None:
    who, case, package = signing
    confirmation.send_package_code(who["debtor"], case, package, None)
    submitted = given(package, last_code(who["debtor"]), **over)
    with pytest.raises(kind) as refused:
        confirmation.sign_package(who["debtor"], case, package, submitted)
    assert refused.value.code == code  # type: ignore[attr-defined]
    assert db.session.scalar(select(PackageSignature)) is None


def test_a_wrong_code_is_refused_and_signing_twice_too(signing: Any, frozen_clock) -> None:
    who, case, package = signing
    confirmation.send_package_code(who["debtor"], case, package, None)
    with pytest.raises(ReauthError):
        confirmation.sign_package(who["debtor"], case, package, given(package, "000000"))
    db.session.expire_all()
    purpose = f"sign:package:{package.id}"
    tries = db.session.scalars(
        select(OneTimeCode.attempts).where(OneTimeCode.purpose == purpose)
    ).all()
    assert tries == [1]  # the wrong try stays counted: retrying cannot reset it
    frozen_clock.move_to(clock.now() + timedelta(seconds=61))  # one code a minute
    sign_as(who["debtor"], case, package)
    with pytest.raises(ConfirmationError) as refused:
        confirmation.send_package_code(who["debtor"], case, package, None)
    assert refused.value.code == "already_signed"


def test_a_code_for_one_package_does_not_sign_another(signing: Any) -> None:
    """The purpose names the package: a code sent for the agreement cannot sign it."""
    from app.signing import reauth

    who, case, package = signing
    reauth.send_code(who["debtor"], case, "sign:agreement:1")
    db.session.commit()
    with pytest.raises(ReauthError) as refused:
        confirmation.sign_package(
            who["debtor"], case, package, given(package, last_code(who["debtor"]))
        )
    assert refused.value.code == "no_code"


def test_a_superseded_package_cannot_be_signed(signing: Any) -> None:
    who, case, package = signing
    package.status = PackageStatus.SUPERSEDED
    db.session.commit()
    with pytest.raises(ConfirmationError) as refused:
        confirmation.send_package_code(who["debtor"], case, package, None)
    assert refused.value.code == "superseded"
