"""Signed checkpoints anchor the audit chain's head: removing the log's last events, a
checkpoint, or forging one is found by ``flask audit verify``."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from app import anchor, audit
from app.anchor import journal
from app.core import clock
from app.core.transaction import use_case
from app.extensions import db
from app.models import AuditEvent, IssuedDocument
from app.models.checkpoints import AuditCheckpoint, AuditCheckpointImmutable
from app.rules.hashchain import GENESIS
from app.worker import verify_audit_chain_nightly, write_audit_checkpoint_hourly
from tests import agreement_support as support


def _record(n: int) -> list[AuditEvent]:
    events = [
        audit.record("test:event", actor=None, object_type="thing", object_id=i, data={"i": i})
        for i in range(n)
    ]
    db.session.commit()
    return events


def _cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def _verify(app: Flask) -> Result:
    db.session.expire_all()
    return _cli(app, "audit", "verify")


def _file_lines() -> list[dict[str, str]]:
    path = journal.journal_path()
    return [json.loads(raw) for raw in path.read_text().splitlines() if raw.strip()]


def _write_file_lines(lines: list[dict[str, str]]) -> None:
    encoded = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
    journal.journal_path().write_text(encoded)


def _tamper(sql: str, **params: object) -> None:
    """Change rows behind the application's back, as an attacker with DB access would."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        else:
            for table in ("audit_events", "audit_checkpoints"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        conn.execute(text(sql), params)


# --- writing ----------------------------------------------------------------------------------


def test_a_checkpoint_signs_the_chains_length_and_head(app: Flask) -> None:
    events = _record(3)
    checkpoint = anchor.take_checkpoint()
    payload = json.loads(checkpoint.payload)
    assert (checkpoint.seq, checkpoint.events, checkpoint.head_hash) == (1, 3, events[-1].hash)
    assert payload["events"] == 3 and payload["head"] == events[-1].hash
    assert payload["prev"] == GENESIS and payload["reason"] == anchor.HOURLY
    # The same bytes, signature and certificate reach the file once committed.
    [line] = _file_lines()
    assert line == {
        "payload": checkpoint.payload,
        "signature": checkpoint.signature,
        "cert": checkpoint.certificate,
    }
    second = anchor.take_checkpoint()
    assert second.seq == 2 and json.loads(second.payload)["prev"] != GENESIS
    assert len(_file_lines()) == 2


def test_an_empty_log_can_be_anchored(app: Flask) -> None:
    checkpoint = anchor.take_checkpoint()
    assert (checkpoint.events, checkpoint.head_hash) == (0, GENESIS)
    assert anchor.verify_anchors().ok


def test_a_rolled_back_checkpoint_never_reaches_the_file(app: Flask) -> None:
    @use_case
    def checkpoint_then_fail() -> None:
        anchor.write_checkpoint("test")
        raise RuntimeError("refused")

    _record(1)
    with pytest.raises(RuntimeError):
        checkpoint_then_fail()
    assert not journal.journal_path().exists()
    assert db.session.scalar(select(func.count(AuditCheckpoint.id))) == 0


def test_the_hourly_task_writes_a_checkpoint(app: Flask) -> None:
    events = _record(2)
    seq = write_audit_checkpoint_hourly.call_local()
    row = db.session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == seq))
    assert row is not None and row.reason == anchor.HOURLY
    assert (row.events, row.head_hash) == (2, events[-1].hash)
    assert [json.loads(line["payload"])["seq"] for line in _file_lines()] == [seq]
    assert write_audit_checkpoint_hourly.call_local() == seq + 1


def test_the_hourly_task_is_scheduled_every_hour() -> None:
    validate = write_audit_checkpoint_hourly.s().validate_datetime
    assert all(validate(datetime(2026, 12, 1, hour, 0)) for hour in range(24))
    assert not validate(datetime(2026, 12, 1, 10, 30))


def test_the_hourly_task_puts_a_lost_line_back_into_the_file(app: Flask) -> None:
    _record(1)
    anchor.take_checkpoint()
    journal.journal_path().unlink()  # as if the process had stopped before appending
    assert not anchor.verify_anchors().ok
    write_audit_checkpoint_hourly.call_local()
    assert [json.loads(line["payload"])["seq"] for line in _file_lines()] == [2, 1]
    assert anchor.verify_anchors().ok


def test_issuing_a_pdf_writes_a_checkpoint(app: Flask) -> None:
    who = support.people()
    case = support.settled_case(who)
    before = db.session.scalar(select(func.count(AuditCheckpoint.id)))
    agreement = support.draft(case, who)
    sha = agreement.current_sha256
    assert db.session.scalar(select(IssuedDocument.id).where(IssuedDocument.sha256 == sha))
    row = db.session.scalar(
        select(AuditCheckpoint).where(AuditCheckpoint.reason == anchor.document_reason(sha))
    )
    assert row is not None and row.seq == before + 1
    # The head as it stood when the PDF was stored (the render event follows it).
    render = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "case:agreement:render")
    )
    assert render is not None and render.prev_hash == row.head_hash
    assert any(line["payload"] == row.payload for line in _file_lines())
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"checkpoint #{row.seq}" in result.output


# --- verifying --------------------------------------------------------------------------------


def test_an_untouched_anchored_chain_passes(app: Flask) -> None:
    events = _record(3)
    anchor.take_checkpoint()
    _record(2)  # events after the latest checkpoint are fine
    result = _verify(app)
    assert result.exit_code == 0, result.output
    head = audit.head_hash()
    assert f"intact: 5 events, head {head}" in result.output
    assert "anchored: 1 signed checkpoints" in result.output and "at event 3" in result.output
    assert events[-1].hash == anchor.verify_anchors().latest.head  # type: ignore[union-attr]


def test_a_chain_without_checkpoints_passes_and_says_it_is_not_anchored(app: Flask) -> None:
    _record(2)
    result = _verify(app)
    assert result.exit_code == 0
    assert "no checkpoint yet" in result.output


@pytest.mark.commits
def test_removing_the_logs_last_events_fails_and_names_the_missing_range(app: Flask) -> None:
    events = _record(6)
    anchor.take_checkpoint()
    assert _verify(app).exit_code == 0
    _tamper("DELETE FROM audit_events WHERE id > :id", id=events[3].id)
    assert audit.verify_chain().intact  # the chain alone cannot tell
    result = _verify(app)
    assert result.exit_code == 1
    assert "intact: 4 events" in result.output  # the chain itself still links
    assert "the audit log is shorter than checkpoint #1" in result.output
    assert "anchors 6 events, the log has 4; events 5–6 are missing" in result.output
    assert f"after event id {events[3].id}" in result.output
    assert verify_audit_chain_nightly.call_local() is False


@pytest.mark.commits
def test_removing_the_last_events_and_the_checkpoint_from_the_table_fails(app: Flask) -> None:
    events = _record(4)
    anchor.take_checkpoint()
    _tamper("DELETE FROM audit_events WHERE id > :id", id=events[1].id)
    _tamper("DELETE FROM audit_checkpoints")
    result = _verify(app)
    assert result.exit_code == 1
    assert "is in the file but not in the table" in result.output
    assert "events 3–4 are missing" in result.output


@pytest.mark.commits
def test_the_tables_latest_checkpoint_removed_but_still_in_the_file_fails(app: Flask) -> None:
    _record(2)
    anchor.take_checkpoint()
    _record(1)
    latest = anchor.take_checkpoint()
    _tamper("DELETE FROM audit_checkpoints WHERE seq = :seq", seq=latest.seq)
    result = _verify(app)
    assert result.exit_code == 1
    assert "checkpoint #2 of" in result.output and "not in the table" in result.output


@pytest.mark.commits
def test_a_rewritten_event_under_a_checkpoint_fails(app: Flask) -> None:
    """Replace the last events with a new, perfectly linked tail: the checkpoint's head is
    not the event at its position any more."""
    events = _record(3)
    anchor.take_checkpoint()
    _tamper("DELETE FROM audit_events WHERE id = :id", id=events[2].id)
    db.session.expire_all()
    _record(1)  # a new third event, linked to the second
    result = _verify(app)
    assert result.exit_code == 1
    assert "names head" in result.output and "the log was rewritten" in result.output


@pytest.mark.commits
def test_a_forged_checkpoint_fails_on_its_signature(app: Flask) -> None:
    """Shorten the log, then rewrite the checkpoint to match, in the table and the file:
    without the organisation's key the signature no longer holds."""
    events = _record(4)
    checkpoint = anchor.take_checkpoint()
    payload = json.loads(checkpoint.payload)
    payload.update(events=2, head=events[1].hash)
    forged = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    _tamper("DELETE FROM audit_events WHERE id > :id", id=events[1].id)
    _tamper(
        "UPDATE audit_checkpoints SET payload = :p, events = 2, head_hash = :h",
        p=forged,
        h=events[1].hash,
    )
    [line] = _file_lines()
    _write_file_lines([{**line, "payload": forged}])
    result = _verify(app)
    assert result.exit_code == 1
    assert "checkpoint #1: signature does not verify" in result.output
    assert "does not match the checkpoint" in result.output


def _foreign_key_and_certificate() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试调解中心")])
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now.replace(year=now.year - 1))
        .not_valid_after(now.replace(year=now.year + 1))
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return key, base64.b64encode(der).decode()


@pytest.mark.commits
def test_a_checkpoint_signed_with_another_key_fails(app: Flask) -> None:
    """A forger's own key and certificate (same name) make a valid signature, but the
    certificate is not issued by the trusted root."""
    events = _record(3)
    checkpoint = anchor.take_checkpoint()
    key, cert_b64 = _foreign_key_and_certificate()
    payload = json.loads(checkpoint.payload)
    payload.update(
        events=1,
        head=events[0].hash,
        signer=hashlib.sha256(base64.b64decode(cert_b64)).hexdigest(),
    )
    forged = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    signature = base64.b64encode(key.sign(forged.encode(), PKCS1v15(), hashes.SHA256())).decode()
    _tamper("DELETE FROM audit_events WHERE id > :id", id=events[0].id)
    _tamper(
        "UPDATE audit_checkpoints SET payload = :p, signature = :s, certificate = :c, "
        "events = 1, head_hash = :h",
        p=forged,
        s=signature,
        c=cert_b64,
        h=events[0].hash,
    )
    _write_file_lines([{"payload": forged, "signature": signature, "cert": cert_b64}])
    result = _verify(app)
    assert result.exit_code == 1
    assert "not issued by a trusted root" in result.output


@pytest.mark.commits
def test_a_checkpoint_missing_from_the_file_fails(app: Flask) -> None:
    _record(1)
    anchor.take_checkpoint()
    anchor.take_checkpoint()
    first, _ = _file_lines()
    _write_file_lines([first])
    result = _verify(app)
    assert result.exit_code == 1
    assert "checkpoint #2 is in the table but not in the file" in result.output


@pytest.mark.commits
def test_a_checkpoint_removed_from_both_leaves_a_gap(app: Flask) -> None:
    _record(1)
    for _ in range(3):
        anchor.take_checkpoint()
    _tamper("DELETE FROM audit_checkpoints WHERE seq = 2")
    first, _, third = _file_lines()
    _write_file_lines([first, third])
    result = _verify(app)
    assert result.exit_code == 1
    assert "checkpoint #2 is missing from both the table and the file" in result.output


# --- append-only ------------------------------------------------------------------------------


def test_orm_refuses_to_change_or_remove_a_checkpoint(app: Flask) -> None:
    checkpoint = anchor.take_checkpoint()
    checkpoint.events = 99
    with pytest.raises(AuditCheckpointImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditCheckpointImmutable):
        db.session.execute(delete(AuditCheckpoint))
    with pytest.raises(AuditCheckpointImmutable):
        db.session.execute(update(AuditCheckpoint).values(events=1))
    db.session.rollback()


@pytest.mark.commits
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_checkpoints SET events = 0", "DELETE FROM audit_checkpoints"]
)
def test_database_trigger_refuses_raw_changes(app: Flask, sql: str) -> None:
    anchor.take_checkpoint()
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(sql))
    assert db.session.scalar(select(func.count(AuditCheckpoint.id))) == 1


@pytest.mark.commits
def test_the_cli_writes_a_checkpoint(app: Flask) -> None:
    _record(2)
    result = _cli(app, "audit", "checkpoint")
    assert result.exit_code == 0, result.output
    assert "checkpoint #1: 2 events" in result.output
    assert Path(journal.journal_path()).exists()
    assert _verify(app).exit_code == 0
