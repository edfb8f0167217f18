"""``flask pki init`` (development signing certificate) and ``flask documents verify FILE``.

``verify`` asks an optional lookup, ``app.extensions["concord_document_lookup"]``, whether
the file's SHA-256 is a document this platform issued: a callable ``sha256 -> dict | None``
(a dict of facts to print, e.g. case, agreement, version; None for "not issued here", which
also makes the exit code 1). Without a lookup only the signatures decide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.documents import pki
from app.documents.verification import MAX_BYTES, SignatureInfo, VerificationReport, verify_pdf

DEFAULT_ORGANISATION = "和衷调解中心(开发)"
LOOKUP_EXTENSION = "concord_document_lookup"

PROBLEM_TEXT = {
    "too_large": f"file larger than {MAX_BYTES // (1024 * 1024)} MB",
    "not_pdf": "not a PDF file",
    "malformed": "damaged or unreadable PDF",
    "unsigned": "the PDF carries no signature",
    "signature_invalid": "a signature does not match the document (altered or damaged)",
    "untrusted": "a signature is not from a certificate this platform trusts",
    "modified_after_signing": "the document was changed after it was signed",
    "not_covering_whole_file": "data was added after the last signature",
}

pki_cli = AppGroup("pki", help="The organisation's signing certificate.")
documents_cli = AppGroup("documents", help="Signed PDF documents.")


def register(app: Flask) -> None:
    app.cli.add_command(pki_cli)
    app.cli.add_command(documents_cli)


@pki_cli.command("init")
@click.option("--organisation", default=DEFAULT_ORGANISATION, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing development PKI.")
def pki_init(organisation: str, force: bool) -> None:
    """Create a development CA and organisation certificate (never in production)."""
    settings = current_app.config["SETTINGS"]
    if settings.is_production:
        raise click.ClickException(
            "refused in production: sign with a certificate from a licensed CA "
            "(SIGNING_P12_PATH, SIGNING_P12_PASSWORD, SIGNING_CA_PATH)"
        )
    expected = pki.PkiPaths.in_directory(Path(settings.signing_p12_path).parent)
    if (expected.p12, expected.ca_pem) != (
        Path(settings.signing_p12_path),
        Path(settings.signing_ca_path),
    ):
        raise click.ClickException(
            f"pki init writes {expected.p12} and {expected.ca_pem}; "
            "point SIGNING_P12_PATH and SIGNING_CA_PATH there (or unset them)"
        )
    existed = expected.complete()
    paths = pki.create_development_pki(expected.directory, organisation, force=force)
    if existed and not force:
        click.echo("Development PKI already present; nothing changed.")
    else:
        click.echo(f"Development PKI created for {organisation} (not for production).")
    click.echo(f"  CA certificate:       {paths.ca_pem}")
    click.echo(f"  organisation p12:     {paths.p12}")
    click.echo(f"  p12 passphrase file:  {paths.passphrase}")


@documents_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def documents_verify(file: Path) -> None:
    """Exit 0 only for a genuine, unaltered document signed by this platform."""
    settings = current_app.config["SETTINGS"]
    try:
        roots = pki.load_trust_roots(Path(settings.signing_ca_path))
    except pki.PkiError as exc:
        raise click.ClickException(str(exc)) from exc
    with file.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)  # enough to know it is too large
    report = verify_pdf(data, roots)
    _echo_report(file, report)
    issued = _echo_lookup(report.sha256, current_app.extensions.get(LOOKUP_EXTENSION))
    if not (report.accepted and issued):
        raise SystemExit(1)


def _echo_report(file: Path, report: VerificationReport) -> None:
    click.echo(f"file:     {file}")
    # A too-large file is read only up to the limit: its hash would not be the file's.
    click.echo(f"sha256:   {'-' if report.problem == 'too_large' else report.sha256}")
    if report.accepted:
        click.echo("result:   ACCEPTED (every signature intact, valid and trusted)")
    else:
        problem = report.problem or "unknown"
        click.echo(f"result:   REJECTED {problem}: {PROBLEM_TEXT.get(problem, problem)}")
    for number, sig in enumerate(report.signatures, start=1):
        click.echo(_signature_line(number, sig))


def _signature_line(number: int, sig: SignatureInfo) -> str:
    kind = "certification" if sig.is_certification else "approval"
    when = sig.signing_time.isoformat() if sig.signing_time else "?"
    stamped = f", timestamp {sig.timestamp_time.isoformat()}" if sig.timestamp_time else ""
    verdict = "ok" if sig.bottom_line else "FAILED"
    return (
        f"  #{number} {verdict} {kind} field={sig.field_name} signer={sig.signer_name} "
        f"signed {when}{stamped}; reason={sig.reason or '-'}; "
        f"intact={sig.intact} valid={sig.valid} trusted={sig.trusted} "
        f"coverage={sig.coverage} modifications={sig.modification_level}; "
        f"certificate {sig.certificate_subject}"
    )


def _echo_lookup(sha256: str, lookup: Callable[[str], Mapping[str, Any] | None] | None) -> bool:
    """Print what the platform knows about this exact file; False if it never issued it."""
    if lookup is None:
        return True
    facts = lookup(sha256)
    if facts is None:
        click.echo("issued:   NO, this platform did not issue this exact file")
        return False
    click.echo("issued:   yes, by this platform")
    for key, value in facts.items():
        click.echo(f"  {key}: {value}")
    return True
