"""The confirmed mediation records (调解笔录) in the judicial-confirmation package: the
proof that the organisation presided over the sessions (人民调解法 Art. 27; 民诉法解释
Art. 354), each embedded byte for byte as the sealed, signed file after the creditor's
papers and listed in section 3 with its session, size and SHA-256.

The package names the record it embedded (by its id in the attachment's name), and the
archive checks each embedded file against that record's confirmed file."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from app.confirmation.errors import PackageError
from app.confirmation.package.report import short_size_text, size_text
from app.documents import issued as documents
from app.extensions import db
from app.minutes.common import confirmed_records
from app.minutes.content import CHANNEL_ZH, session_time
from app.models.cases import Case
from app.models.minutes import MediationRecord, RecordStatus

RECORD_NAME = re.compile(r"(\d+)-record-(\d+)-v(\d+)\.pdf")


def record_filename(number: int, record: MediationRecord) -> str:
    """``09-record-4-v2.pdf``: order in the package, the record's id and version."""
    return f"{number:02d}-record-{record.id}-v{record.version}.pdf"


def record_title(record: MediationRecord) -> str:
    return f"调解笔录（{session_time(record)}，{CHANNEL_ZH.get(record.contact.channel, '调解')}）"


def read_record(record: MediationRecord) -> bytes:
    """The confirmed file, checked against its hash on record."""
    sha = record.current_sha256 or ""
    try:
        data = documents.read_pdf(sha)
    except (OSError, ValueError):
        raise PackageError("evidence_changed", detail=record_title(record)) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise PackageError("evidence_changed", detail=record_title(record))
    return data


def check_records_integrity(case: Case) -> None:
    """Every confirmed record the package will embed is still intact in the store."""
    for record in confirmed_records(case):
        read_record(record)


def record_rows(records: list[MediationRecord], start: int) -> list[dict[str, Any]]:
    """Section 3's list of the session records."""
    rows = []
    for n, r in enumerate(records, start=start):
        size = len(read_record(r))
        rows.append(
            {
                "title": record_title(r),
                "time": session_time(r),
                "means": CHANNEL_ZH.get(r.contact.channel, "调解"),
                "place": r.place,
                "confirmed_at": r.confirmed_at,
                "filename": record_filename(n, r),
                "sha256": r.current_sha256,
                "size": size_text(size),
                "short_size": short_size_text(size),
            }
        )
    return rows


def checked_record_entry(name: str, data: bytes, case: Case) -> tuple[str, bytes] | None:
    """For the archive: the title of an embedded record, checked against the record its
    name refers to; None when ``name`` is not a record's."""
    match = RECORD_NAME.fullmatch(name)
    if match is None:
        return None
    record = db.session.get(MediationRecord, int(match.group(2)))
    if record is None or record.case_id != case.id or record.status != RecordStatus.CONFIRMED:
        raise PackageError("unknown_attachment", detail=name)
    if hashlib.sha256(data).hexdigest() != record.current_sha256:
        raise PackageError("evidence_changed", detail=record_title(record))
    return record_title(record), data
