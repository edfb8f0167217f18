"""The development PKI, the signing settings, ``flask pki init`` and
``flask documents verify``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask

from app.config import ConfigurationError, Settings
from app.documents import pki
from app.documents.cli import LOOKUP_EXTENSION, register
from tests.conftest import shared_pki
from tests.documents.signing_support import ORGANISATION, add_page_content, make_pdf, sign_all

SIGNING_ENV = ("SIGNING_P12_PATH", "SIGNING_P12_PASSWORD", "SIGNING_CA_PATH", "TSA_URL")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "PII_KEY", *SIGNING_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> pki.PkiPaths:
    return pki.create_development_pki(tmp_path_factory.mktemp("pki"), ORGANISATION)


# --- the development PKI ----------------------------------------------------------------


def _p12(paths: pki.PkiPaths) -> pkcs12.PKCS12KeyAndCertificates:
    return pkcs12.load_pkcs12(paths.p12.read_bytes(), paths.passphrase.read_bytes())


def test_the_development_ca_and_organisation_certificate(dev_pki: pki.PkiPaths) -> None:
    bundle = _p12(dev_pki)
    assert bundle.cert is not None and bundle.key is not None
    cert = bundle.cert.certificate
    ca = x509.load_pem_x509_certificate(dev_pki.ca_pem.read_bytes())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == pki.DEV_CA_NAME
    assert "not for production" in pki.DEV_CA_NAME
    subject = {a.oid: a.value for a in cert.subject}
    assert subject == {
        NameOID.COMMON_NAME: ORGANISATION,
        NameOID.ORGANIZATION_NAME: ORGANISATION,
        NameOID.COUNTRY_NAME: "CN",
    }
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(bundle.key, rsa.RSAPrivateKey) and bundle.key.key_size == 3072
    assert [c.certificate for c in bundle.additional_certs] == [ca]
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365
    ca_years = (ca.not_valid_after_utc - ca.not_valid_before_utc).days / 365
    assert (round(years), round(ca_years)) == (3, 10)


def test_the_key_and_passphrase_are_readable_by_the_owner_only(dev_pki: pki.PkiPaths) -> None:
    assert dev_pki.p12.stat().st_mode & 0o077 == 0
    assert dev_pki.passphrase.stat().st_mode & 0o077 == 0
    assert len(dev_pki.passphrase.read_text()) >= 32
    assert not list(dev_pki.directory.glob(".*.tmp"))


def test_creating_it_again_changes_nothing_unless_forced(tmp_path: Path) -> None:
    first = pki.create_development_pki(tmp_path, "甲调解中心")
    before = {p: p.read_bytes() for p in (first.ca_pem, first.p12, first.passphrase)}
    pki.create_development_pki(tmp_path, "乙调解中心")
    assert {p: p.read_bytes() for p in before} == before
    pki.create_development_pki(tmp_path, "乙调解中心", force=True)
    assert all(p.read_bytes() != data for p, data in before.items())


def test_a_wrong_passphrase_or_a_bad_ca_file_is_a_clear_error(
    dev_pki: pki.PkiPaths, tmp_path: Path
) -> None:
    with pytest.raises(pki.PkiError, match="cannot load the signing key"):
        pki.load_signer(dev_pki.p12, "wrong")
    assert pki.load_signer(dev_pki.p12, None).signing_cert.subject.native["common_name"] == (
        ORGANISATION
    )
    garbage = tmp_path / "ca.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(pki.PkiError):
        pki.load_trust_roots(garbage)
    with pytest.raises(pki.PkiError, match="cannot read"):
        pki.load_trust_roots(tmp_path / "missing.pem")
    with pytest.raises(pki.PkiError, match="SIGNING_P12_PASSWORD"):
        pki.load_signer(tmp_path / "elsewhere.p12", None)


def test_trust_roots_load_every_certificate_in_the_bundle(
    dev_pki: pki.PkiPaths, tmp_path: Path
) -> None:
    other = pki.create_development_pki(tmp_path / "other", ORGANISATION)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(dev_pki.ca_pem.read_bytes() + other.ca_pem.read_bytes())
    roots = pki.load_trust_roots(bundle)
    assert len(roots) == 2
    assert roots[0].subject.native["common_name"] == pki.DEV_CA_NAME


# --- settings ---------------------------------------------------------------------------


def test_development_settings_point_at_instance_pki(tmp_path: Path) -> None:
    settings = Settings.from_env(instance_path=tmp_path)
    assert settings.signing_p12_path == tmp_path / "pki" / "organisation.p12"
    assert settings.signing_ca_path == tmp_path / "pki" / "ca.pem"
    assert settings.signing_p12_password is None
    assert settings.tsa_url is None
    paths = pki.create_development_pki(tmp_path / "pki", ORGANISATION)
    again = Settings.from_env(instance_path=tmp_path)
    assert again.signing_p12_password == paths.passphrase.read_text()
    assert again.signing_p12_password not in repr(again)


def test_signing_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIGNING_P12_PATH", str(tmp_path / "org.p12"))
    monkeypatch.setenv("SIGNING_P12_PASSWORD", "s3cret")
    monkeypatch.setenv("SIGNING_CA_PATH", str(tmp_path / "roots.pem"))
    monkeypatch.setenv("TSA_URL", "http://tsa.example/rfc3161")
    settings = Settings.from_env(instance_path=tmp_path)
    assert settings.signing_p12_path == tmp_path / "org.p12"
    assert settings.signing_p12_password == "s3cret"
    assert settings.signing_ca_path == tmp_path / "roots.pem"
    assert settings.tsa_url == "http://tsa.example/rfc3161"


def _production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/concord")
    monkeypatch.setenv("PII_KEY", "k" * 44)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "needs SIGNING_P12_PATH, SIGNING_P12_PASSWORD in the environment"),
        ({"SIGNING_P12_PATH": "{p12}"}, "needs SIGNING_P12_PASSWORD in"),
        ({"SIGNING_P12_PASSWORD": "x"}, "needs SIGNING_P12_PATH in"),
        ({"SIGNING_P12_PATH": "/nonexistent.p12", "SIGNING_P12_PASSWORD": "x"}, "not a readable"),
    ],
)
def test_production_refuses_to_start_without_a_signing_certificate(
    monkeypatch: pytest.MonkeyPatch,
    dev_pki: pki.PkiPaths,
    env: dict[str, str],
    message: str,
) -> None:
    _production(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(p12=dev_pki.p12))
    with pytest.raises(ConfigurationError, match=message) as raised:
        Settings.from_env()
    assert "PKCS#12" in str(raised.value) or "not a readable" in message


def test_production_starts_with_a_signing_certificate(
    monkeypatch: pytest.MonkeyPatch, dev_pki: pki.PkiPaths
) -> None:
    _production(monkeypatch)
    monkeypatch.setenv("SIGNING_P12_PATH", str(dev_pki.p12))
    monkeypatch.setenv("SIGNING_P12_PASSWORD", "from-the-vault")
    settings = Settings.from_env()
    assert settings.signing_p12_path == dev_pki.p12
    assert settings.signing_p12_password == "from-the-vault"  # never the dev sidecar file


# --- flask pki init / flask documents verify --------------------------------------------


@pytest.fixture
def cli_app(app: Flask) -> Flask:
    """The test app, signing with the run's shared development PKI (tests/conftest.py),
    without the "did we issue it" lookup: these tests are about the signatures."""
    if "documents" not in app.cli.commands:  # in case app/cli.py does not register them
        register(app)
    app.extensions.pop(LOOKUP_EXTENSION, None)
    return app


def _use_instance_pki(app: Flask, instance_path: Path) -> Flask:
    """Point the app at the default signing paths in its instance folder (not created yet)."""
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"],
        signing_p12_path=instance_path / "pki" / "organisation.p12",
        signing_p12_password=None,
        signing_ca_path=instance_path / "pki" / "ca.pem",
    )
    return app


@pytest.fixture
def fresh_app(cli_app: Flask, instance_path: Path) -> Flask:
    return _use_instance_pki(cli_app, instance_path)


def _invoke(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def test_pki_init_creates_the_configured_files_once(fresh_app: Flask) -> None:
    settings = fresh_app.config["SETTINGS"]
    assert not settings.signing_p12_path.exists()
    first = _invoke(fresh_app, "pki", "init")
    assert first.exit_code == 0, first.output
    assert "created" in first.output and str(settings.signing_p12_path) in first.output
    assert settings.signing_ca_path.is_file() and settings.signing_p12_path.is_file()
    before = settings.signing_p12_path.read_bytes()
    second = _invoke(fresh_app, "pki", "init", "--organisation", "别的名字")
    assert second.exit_code == 0
    assert "already present; nothing changed" in second.output
    assert settings.signing_p12_path.read_bytes() == before
    # The key loads with the passphrase file even though settings were read before it existed.
    assert pki.load_signer(settings.signing_p12_path, settings.signing_p12_password)


def test_pki_init_refuses_paths_it_would_not_write(fresh_app: Flask, tmp_path: Path) -> None:
    settings = fresh_app.config["SETTINGS"]
    fresh_app.config["SETTINGS"] = dataclasses.replace(
        settings, signing_ca_path=tmp_path / "elsewhere.pem"
    )
    result = _invoke(fresh_app, "pki", "init")
    assert result.exit_code == 1
    assert "point SIGNING_P12_PATH and SIGNING_CA_PATH there" in result.output
    assert not settings.signing_p12_path.exists()


def test_pki_init_is_refused_in_production(fresh_app: Flask) -> None:
    settings = fresh_app.config["SETTINGS"]
    fresh_app.config["SETTINGS"] = dataclasses.replace(settings, app_env="production")
    result = _invoke(fresh_app, "pki", "init")
    assert result.exit_code == 1
    assert "refused in production" in result.output
    assert not settings.signing_p12_path.exists()


@pytest.fixture(scope="session")
def issued_pdf() -> bytes:
    """An agreement signed with the run's organisation certificate (the one every test
    app is configured with), signed once per session: the tests only read it."""
    paths = shared_pki()
    signer = pki.load_signer(paths["p12"], paths["passphrase"].read_text().strip())
    return sign_all(make_pdf(), signer)[-1]


@pytest.fixture
def issued(cli_app: Flask, tmp_path: Path, issued_pdf: bytes) -> Path:
    """An agreement signed with the app's configured organisation certificate."""
    settings = cli_app.config["SETTINGS"]
    assert Path(settings.signing_p12_path) == shared_pki()["p12"]
    path = tmp_path / "agreement.pdf"
    path.write_bytes(issued_pdf)
    return path


def test_verify_accepts_our_document_with_exit_code_0(cli_app: Flask, issued: Path) -> None:
    result = _invoke(cli_app, "documents", "verify", str(issued))
    assert result.exit_code == 0, result.output
    assert "ACCEPTED" in result.output
    assert "signer=债务人 王䶮" in result.output
    assert result.output.count(" ok ") == 4


def test_verify_refuses_a_document_from_another_installation(
    cli_app: Flask, issued: Path, instance_path: Path
) -> None:
    fresh_app = _use_instance_pki(cli_app, instance_path)
    assert _invoke(fresh_app, "pki", "init").exit_code == 0  # a different CA
    result = _invoke(fresh_app, "documents", "verify", str(issued))
    assert result.exit_code == 1
    assert "REJECTED untrusted" in result.output


@pytest.mark.parametrize(
    ("alter", "problem"),
    [
        (add_page_content, "modified_after_signing"),
        (lambda d: d + b"\n%tail\n", "not_covering_whole_file"),
        (lambda d: b"<html></html>", "not_pdf"),
        (lambda d: make_pdf(attach=False), "unsigned"),
    ],
    ids=["update", "appended", "html", "unsigned"],
)
def test_verify_refuses_with_exit_code_1(
    cli_app: Flask,
    issued: Path,
    tmp_path: Path,
    alter,
    problem: str,  # type: ignore[no-untyped-def]
) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(alter(issued.read_bytes()))
    result = _invoke(cli_app, "documents", "verify", str(bad))
    assert result.exit_code == 1
    assert f"REJECTED {problem}" in result.output


def test_verify_asks_the_lookup_whether_we_issued_the_file(cli_app: Flask, issued: Path) -> None:
    import hashlib

    ours = hashlib.sha256(issued.read_bytes()).hexdigest()
    cli_app.extensions[LOOKUP_EXTENSION] = lambda sha: (
        {"case": "HZ-2026-0001"} if sha == ours else None
    )
    found = _invoke(cli_app, "documents", "verify", str(issued))
    assert found.exit_code == 0
    assert "case: HZ-2026-0001" in found.output
    cli_app.extensions[LOOKUP_EXTENSION] = lambda sha: None
    unknown = _invoke(cli_app, "documents", "verify", str(issued))
    assert unknown.exit_code == 1
    assert "did not issue" in unknown.output


def test_verify_without_trust_roots_is_a_clear_error(
    cli_app: Flask, issued: Path, instance_path: Path
) -> None:
    fresh_app = _use_instance_pki(cli_app, instance_path)
    result = _invoke(fresh_app, "documents", "verify", str(issued))
    assert result.exit_code == 1
    assert "cannot read the trust roots" in result.output


def test_the_signer_parses_its_private_key_once(
    dev_pki: pki.PkiPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyhanko.sign.signers import pdf_cms

    from app.documents.signing import certify
    from app.documents.verification import verify_pdf

    signer = pki.load_signer(dev_pki.p12, None)

    def parse_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the key is parsed again for every signature (~85 ms each)")

    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", parse_again)
    signed = certify(make_pdf(attach=False), signer=signer, fields=[], title="t")
    assert verify_pdf(signed, pki.load_trust_roots(dev_pki.ca_pem)).accepted
