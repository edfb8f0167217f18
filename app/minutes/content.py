"""What a mediation record (调解笔录) prints, as plain data for
``templates/documents/mediation_record.html``: the session (time, place or means, the
mediator), who took part, what each side said, what was agreed and what was not, and the
signature blocks. What people typed is printed as data, never inside fixed sentences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core import clock
from app.models.cases import Case
from app.models.minutes import MediationRecord
from app.rules.citations import cite
from app.rules.contact_log import ContactChannel

DOCUMENT_TITLE = "调解笔录"
CHANNEL_ZH = {
    ContactChannel.PHONE: "电话调解",
    ContactChannel.VIDEO: "视频调解",
    ContactChannel.IN_PERSON: "现场调解",
}
NO_TEXT = "（无）"
CONFIRM_TEXT = (
    "以上笔录已经各方当事人核对（已向当事人宣读或由当事人阅读），"
    "确认与调解时所述一致，各方签名确认。"
)
CITATION = f"依据{cite('mediation_law.27')}，本笔录归入调解案卷。"


def _cn_time(value: datetime) -> str:
    local = clock.local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def session_time(record: MediationRecord) -> str:
    """2026年12月4日 10:00至11:30, or across midnight with both days."""
    start, end = clock.local(record.started_at), clock.local(record.ended_at)
    if start.date() == end.date():
        return f"{_cn_time(record.started_at)}至{end:%H:%M}"
    return f"{_cn_time(record.started_at)}至{_cn_time(record.ended_at)}"


def record_context(case: Case, record: MediationRecord) -> dict[str, Any]:
    org = case.mediation_org
    mediator = case.mediator.name if case.mediator else ""
    channel = record.contact.channel if record.contact else None
    return {
        "document_title": DOCUMENT_TITLE,
        "reference": case.reference,
        "org": {
            "name": org.name,
            "registration_number": org.registration_number,
            "address": org.address,
            "phone": org.phone,
        },
        "session": [
            {"label": "案由", "value": "借款合同纠纷"},
            {"label": "调解时间", "value": session_time(record)},
            {"label": "调解方式", "value": CHANNEL_ZH.get(channel, "调解") if channel else "调解"},
            {"label": "调解地点", "value": record.place},
            {"label": "调解员", "value": mediator},
            *_recording_row(record),
        ],
        "parties": [
            {"label": "申请人（债权人）", "value": case.creditor_org.name},
            {"label": "被申请人（债务人）", "value": case.debtor_name or ""},
        ],
        "participants": [dict(p) for p in record.participants],
        "creditor_statement": _paragraphs(record.creditor_statement),
        "debtor_statement": _paragraphs(record.debtor_statement),
        "agreed": _paragraphs(record.agreed),
        "not_agreed": _paragraphs(record.not_agreed),
        "confirm_text": CONFIRM_TEXT,
        "citation": CITATION,
        "version_text": (
            f"本笔录为案号 {case.reference} 第{record.version}版，"
            f"制作于{_cn_time(record.updated_at)}。"
        ),
        "signatures": [
            {
                "role": "creditor",
                "caption": "债权人（签名或盖章）",
                "name": case.creditor_org.name,
                "anchor": "sig-creditor",
            },
            {
                "role": "debtor",
                "caption": "债务人（签名）",
                "name": case.debtor_name or "",
                "anchor": "sig-debtor",
            },
            {
                "role": "mediator",
                "caption": "调解员（签名）",
                "name": mediator,
                "anchor": "sig-mediator",
            },
        ],
    }


def _recording_row(record: MediationRecord) -> list[dict[str, str]]:
    """Whether the session was recorded: asked at its start (PIPL Arts. 13–14), the
    recording kept on the contact row, named by its SHA-256 so that the record points to
    the exact file. Nothing when the question was not asked."""
    contact = record.contact
    if contact is None or contact.recording_consent is None:
        return []
    if contact.recording_consent is False:
        value = "当事人不同意录音录像，未录音录像"
    elif contact.recording_sha256:
        value = f"经当事人同意录音录像，录音文件 SHA-256：{contact.recording_sha256}"
    else:
        value = "经当事人同意录音录像"
    return [{"label": "录音录像", "value": value}]


def _paragraphs(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines or [NO_TEXT]
