"""``flask`` commands: demo data, audit verification, the signing certificate and
document verification."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup

from app import anchor, audit
from app.api import docs as api_docs
from app.api import idempotency as api_idempotency
from app.documents import cli as documents_cli
from app.documents.issued import lookup_issued


def register_cli(app: Flask) -> None:
    audit_cli = AppGroup("audit", help="The tamper-evident audit log.")

    @audit_cli.command("verify")
    def audit_verify() -> None:
        """Recompute every hash and check the chain against the signed checkpoints; exit 1
        and name the first broken event, or what the checkpoints find missing."""
        report = audit.verify_chain()
        anchors = anchor.verify_anchors()
        if report.intact:
            click.echo(f"intact: {report.events} events, head {report.head_hash}")
        else:
            click.echo(
                f"BROKEN at event id {report.broken_id}: {report.reason} "
                f"(after {report.events - 1} good events)",
                err=True,
            )
        for problem in anchors.problems:
            click.echo(f"CHECKPOINTS: {problem}", err=True)
        if not report.intact or not anchors.ok:
            raise SystemExit(1)
        latest = anchors.latest
        if latest is None:
            click.echo("no checkpoint yet: the log's last events are not anchored")
        else:
            click.echo(
                f"anchored: {anchors.checkpoints} signed checkpoints; the latest, "
                f"{latest.describe()}, holds at event {latest.events}"
            )

    @audit_cli.command("checkpoint")
    def audit_checkpoint() -> None:
        """Sign and store a checkpoint of the log's head now (the worker does it hourly)."""
        checkpoint = anchor.take_checkpoint("manual")
        appended = anchor.append_missing_lines()
        click.echo(
            f"checkpoint #{checkpoint.seq}: {checkpoint.events} events, "
            f"head {checkpoint.head_hash}"
            + (f" ({appended} missing line(s) appended to the file)" if appended else "")
        )

    app.cli.add_command(audit_cli)

    api_cli = AppGroup("api", help="The REST API (/api/v1).")

    @api_cli.command("openapi")
    def api_openapi() -> None:
        """Print the OpenAPI document (commit it as docs/openapi.json after a change)."""
        click.echo(api_docs.openapi_text(), nl=False)

    @api_cli.command("prune-keys")
    @click.option(
        "--hours",
        default=int(api_idempotency.KEEP_KEYS.total_seconds() // 3600),
        show_default=True,
        help="Keep keys this recent.",
    )
    def api_prune_keys(hours: int) -> None:
        """Forget the Idempotency-Keys (and their stored answers) older than --hours."""
        click.echo(f"{api_idempotency.prune(timedelta(hours=hours))} keys forgotten.")

    app.cli.add_command(api_cli)
    documents_cli.register(app)
    # `flask documents verify` passes only files this platform issued (by SHA-256).
    app.extensions[documents_cli.LOOKUP_EXTENSION] = _issued_facts

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo organisations and accounts (running it again changes nothing)."""
        # The demo seeder is not part of the running application: it loads only here.
        from app.demo.seed import DEMO_PASSWORD, seed

        accounts, created, notes = seed()
        click.echo("Demo data " + ("created." if created else "already present; nothing changed."))
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for role, name, login in accounts:
            click.echo(f"  {role:<9} {login:<28} {name}")
        for line in notes:
            click.echo(line)


def _issued_facts(sha256: str) -> dict[str, object] | None:

    facts = lookup_issued(sha256)
    if facts is None:
        return None
    signers = ", ".join(
        f"{s['role']} {s['name']} {s['signed_at']:%Y-%m-%d %H:%M}Z" for s in facts.signers
    )
    return {
        "document": f"{facts.kind.value} version {facts.version} ({facts.stage})",
        "case": facts.case_reference,
        "issued at": facts.issued_at.isoformat(timespec="seconds"),
        "signed by": signers or "-",
        "status": "in force" if facts.in_force else ("superseded" if facts.superseded else "-"),
    }
