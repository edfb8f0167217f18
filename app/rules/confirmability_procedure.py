"""Confirmability pre-checks on the procedure (CPL Art. 205; 民诉法解释 Arts. 354, 355):
an agreement in force and signed by all, filed within the 30-day window, at a competent
court, with every document and about a matter a court may confirm."""

from __future__ import annotations

from datetime import date

from app.rules.claims import Finding
from app.rules.confirmability_facts import (
    DOCUMENT_NAMES,
    EXCLUDED_SUBJECT_MATTER,
    REQUIRED_DOCUMENTS,
    REQUIRED_SIGNERS,
    SOURCE_CALENDAR,
    SOURCE_COURT,
    SOURCE_DOCUMENTS,
    SOURCE_EXCLUDED,
    SOURCE_IN_FORCE,
    SOURCE_MEDIATOR,
    SOURCE_WINDOW,
    ConfirmabilityFacts,
    block,
    date_zh,
    days_en,
    warn,
)
from app.rules.proposals import Side

_ROLE_NAMES = {
    Side.DEBTOR: ("债务人", "the debtor"),
    Side.CREDITOR: ("债权人", "the creditor"),
    Side.MEDIATOR: ("调解员", "the mediator"),
}


def check_agreement(facts: ConfirmabilityFacts) -> list[Finding]:
    """The agreement takes effect when the parties and the mediator have signed and the
    seal is on it (人民调解法 Art. 29); only an agreement in force can be confirmed, on
    the joint application of both parties (CPL Art. 205; 人民调解法 Art. 33)."""
    findings: list[Finding] = []
    if not facts.agreement_in_force:
        findings.append(
            block(
                "confirm.not_in_force",
                "调解协议尚未生效，不能申请司法确认。协议经各方当事人签名、调解员签名"
                "并加盖调解组织印章后生效。",
                "The agreement is not in force yet, so it cannot be confirmed. It takes effect "
                "once every party and the mediator have signed and the organisation's seal "
                "is on it.",
                SOURCE_IN_FORCE,
            )
        )
    missing = [_ROLE_NAMES[r] for r in REQUIRED_SIGNERS if r not in facts.signed_roles]
    # Every guarantor and co-borrower signs too (人民调解法 Art. 29: each party signs).
    missing += [(who, who) for role, who in facts.extra_signers if role not in facts.signed_roles]
    if missing:
        zh = "、".join(names[0] for names in missing)
        en = ", ".join(names[1] for names in missing)
        findings.append(
            block(
                "confirm.signature_missing",
                f"调解协议缺少签名：{zh}。债务人、债权人和调解员都签名后才能申请司法确认。",
                f"The agreement has not been signed by {en}. The debtor, the creditor and the "
                "mediator must all sign before the agreement can go to court.",
                SOURCE_IN_FORCE,
            )
        )
    return findings


def check_window(facts: ConfirmabilityFacts, warn_days: int) -> list[Finding]:
    """Apply within 30 days of the agreement taking effect, counted from the next day; a
    period ending on a holiday ends on the next working day (CPL Arts. 205, 85; 人民调解法
    Art. 33). ``window_end`` itself is still on time: block only after it, warn from
    ``warn_days`` before it. No window before the agreement is in force, which
    ``confirm.not_in_force`` already blocks."""
    if facts.window_end is None:
        if facts.agreement_in_force:
            raise ValueError("window_end is required once the agreement is in force")
        return []
    end, days_left = facts.window_end, (facts.window_end - facts.today).days
    findings: list[Finding] = []
    if days_left < 0:
        late = -days_left
        findings.append(
            block(
                "confirm.window_passed",
                f"申请司法确认的三十日期间已于{date_zh(end)}届满，已超过{late}天，法院不予受理。"
                "双方可以重新调解达成新的协议，或者向法院起诉。",
                f"The 30 days to apply ended on {end.isoformat()}, {days_en(late)} ago; the "
                "court will not accept the application. The parties may mediate a new "
                "agreement or sue.",
                SOURCE_WINDOW,
            )
        )
    elif days_left <= warn_days:
        zh_left = "今天是最后一天" if days_left == 0 else f"还剩{days_left}天"
        en_left = "today is the last day" if days_left == 0 else f"{days_en(days_left)} left"
        findings.append(
            warn(
                "confirm.window_closing",
                f"申请司法确认的期间将于{date_zh(end)}届满，{zh_left}。请尽快提交申请。",
                f"The period to apply for confirmation ends on {end.isoformat()} ({en_left}). "
                "File the application soon.",
                SOURCE_WINDOW,
            )
        )
    if not facts.window_certain:
        findings += _window_uncertain(end)
    return findings


def _window_uncertain(end: date) -> list[Finding]:
    """The holiday calendar of ``end``'s year is not published yet (CPL Art. 85)."""
    return [
        warn(
            "confirm.window_uncertain",
            f"{end.year}年的法定节假日安排尚未确定，期间届满日{date_zh(end)}是按已知日历推算的，"
            "请核对国务院公布的放假安排。",
            f"The public holidays of {end.year} are not known yet, so the last day, "
            f"{end.isoformat()}, is an estimate. Check it against the State Council's "
            "holiday notice.",
            SOURCE_CALENDAR,
        )
    ]


def check_court(facts: ConfirmabilityFacts) -> list[Finding]:
    """Only a competent court may hear the application: the basic-level court where a
    party is domiciled, where the subject matter is, where the organisation is, or the
    inviting court, and the intermediate court above it where the amount is within
    intermediate first-instance jurisdiction (CPL Art. 205; 法发〔2021〕27号; the list is
    computed by :mod:`app.rules.court_levels`); another court refuses it (民诉法解释
    Art. 355(2))."""
    court = (facts.chosen_court or "").strip()
    if not court:
        return [
            block(
                "confirm.court_missing",
                "尚未选择受理申请的法院。请从有管辖权的法院中选择一个。",
                "No court has been chosen. Pick one of the competent courts.",
                SOURCE_COURT,
            )
        ]
    competent = [c.strip() for c in facts.competent_courts]
    if court in competent:
        return []
    zh = "、".join(competent) or "无"
    en = ", ".join(competent) or "none"
    return [
        block(
            "confirm.court_not_competent",
            f"所选的{court}对本案没有管辖权，法院不予受理。有管辖权的法院：{zh}。",
            f"{court} is not competent for this application and would refuse it. "
            f"Competent courts: {en}.",
            SOURCE_COURT,
        )
    ]


def check_documents(facts: ConfirmabilityFacts) -> list[Finding]:
    """The court needs the application, the agreement, the proof that the organisation
    presided, identity details and the evidence (民诉法解释 Art. 354). One
    finding per missing document, in package order."""
    return [
        block(
            "confirm.document_missing",
            f"申请材料缺少{DOCUMENT_NAMES[doc][0]}，请补充后再提交。",
            f"The package lacks {DOCUMENT_NAMES[doc][1]}. Add it before filing.",
            SOURCE_DOCUMENTS,
        )
        for doc in REQUIRED_DOCUMENTS
        if doc not in facts.documents_present
    ]


def check_subject_matter(facts: ConfirmabilityFacts) -> list[Finding]:
    """A court does not confirm agreements on marriage, parentage, adoption or other
    status relations, nor on the ownership of real rights or IP (民诉法解释 Art. 355)."""
    excluded = EXCLUDED_SUBJECT_MATTER.get(facts.subject_matter)
    if excluded is None:
        return []
    return [
        block(
            "confirm.excluded_subject_matter",
            f"调解协议涉及{excluded[0]}，不属于司法确认的范围，法院不予受理。",
            f"The agreement concerns {excluded[1]}, which a court does not confirm in "
            "this procedure.",
            SOURCE_EXCLUDED,
        )
    ]


def check_mediator(facts: ConfirmabilityFacts) -> list[Finding]:
    """The proof that the organisation presided (民诉法解释 Art. 354) names the mediator,
    whom the committee appoints or engages (人民调解法 Arts. 13-14). No appointment on
    record is a warning, not a block: the law makes no appointment record a condition of
    acceptance (民诉法解释 Art. 355 lists those), but the court may ask for the proof
    and have the application supplemented (Art. 356)."""
    if facts.mediator_appointed:
        return []
    return [
        warn(
            "confirm.mediator_appointment_missing",
            "主持调解的调解员没有登记聘任记录（聘任证书编号、聘任日期、聘任单位），"
            "调解组织主持调解的证明将无法载明。法院可能要求补充调解员的聘任证明，"
            "请由调解组织管理员在“法院和调解员”页面登记。",
            "The presiding mediator has no appointment record (certificate number, date, "
            "appointing body), so the proof that the organisation presided cannot state it. "
            "The court may ask for the mediator's appointment; the organisation's "
            "administrator can enter it on the Courts and mediators page.",
            SOURCE_MEDIATOR,
        )
    ]
