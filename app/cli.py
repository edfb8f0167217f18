"""``flask`` commands: demo data, audit verification."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app import audit


def register_cli(app: Flask) -> None:
    audit_cli = AppGroup("audit", help="The tamper-evident audit log.")

    @audit_cli.command("verify")
    def audit_verify() -> None:
        """Recompute every hash; exit 1 and name the first broken event if any."""
        report = audit.verify_chain()
        if report.intact:
            click.echo(f"intact: {report.events} events, head {report.head_hash}")
            return
        click.echo(
            f"BROKEN at event id {report.broken_id}: {report.reason} "
            f"(after {report.events - 1} good events)",
            err=True,
        )
        raise SystemExit(1)

    app.cli.add_command(audit_cli)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo organisations and accounts (running it again changes nothing)."""
        from app.services.demo import DEMO_PASSWORD, seed

        accounts, created, notes = seed()
        click.echo("Demo data " + ("created." if created else "already present; nothing changed."))
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for role, name, login in accounts:
            click.echo(f"  {role:<9} {login:<28} {name}")
        for line in notes:
            click.echo(line)
