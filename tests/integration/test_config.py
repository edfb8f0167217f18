"""Settings come from the environment; production refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT, ConfigurationError, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "APP_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "PII_KEY",
        "INSTANCE_PATH",
        "MAX_UPLOAD_MB",
        "SIGNING_P12_PATH",
        "SIGNING_P12_PASSWORD",
        "SIGNING_CA_PATH",
        "TSA_URL",
        "STORAGE_BACKEND",
        "S3_BUCKET",
        "S3_PREFIX",
        "S3_ENDPOINT_URL",
        "S3_KMS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY, DATABASE_URL, PII_KEY"),
        ({"SECRET_KEY": "s" * 32, "PII_KEY": "k"}, "needs DATABASE_URL in"),
        ({"DATABASE_URL": "postgresql://db/concord", "PII_KEY": "k"}, "needs SECRET_KEY in"),
        ({"DATABASE_URL": "postgresql://db/concord", "SECRET_KEY": "s"}, "needs PII_KEY in"),
    ],
)
def test_production_refuses_to_start_without_secret_and_database(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=missing):
        Settings.from_env()


def test_production_with_both_starts_with_secure_cookies(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    p12 = tmp_path / "org.p12"
    p12.write_bytes(b"x")
    monkeypatch.setenv("SIGNING_P12_PATH", str(p12))
    monkeypatch.setenv("SIGNING_P12_PASSWORD", "p")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgres://db.internal/concord")
    monkeypatch.setenv("PII_KEY", "k" * 44)
    settings = Settings.from_env()
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings.database_url == "postgresql+psycopg://db.internal/concord"


def test_gunicorn_entry_point_fails_loudly_in_production_without_config(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env={"APP_ENV": "production", "PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "APP_ENV=production needs SECRET_KEY, DATABASE_URL, PII_KEY" in result.stderr


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env(instance_path=tmp_path)
    second = Settings.from_env(instance_path=tmp_path)
    assert len(first.secret_key) == 64
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'concord.db'}"
    assert first.flask_config()["SESSION_COOKIE_SECURE"] is False


def test_upload_limit_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAX_UPLOAD_MB", "5")
    settings = Settings.from_env(instance_path=tmp_path)
    assert settings.max_upload_mb == 5
    assert settings.flask_config()["MAX_CONTENT_LENGTH"] == 6 * 1024 * 1024


def test_a_malformed_number_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAX_UPLOAD_MB", "twenty")
    with pytest.raises(ConfigurationError, match="MAX_UPLOAD_MB must be an integer"):
        Settings.from_env(instance_path=tmp_path)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["PORT=5055"], {}, "http://127.0.0.1:5055"),
        (["HOST=0.0.0.0", "PORT=8080"], {}, "http://127.0.0.1:8080"),
        ([], {}, "http://127.0.0.1:5000"),
        (["PORT=5055"], {"PUBLIC_URL": "https://concord.example"}, "https://concord.example"),
    ],
)
def test_make_run_gives_the_portal_its_own_port_as_public_url(
    args: list[str], env: dict[str, str], expected: str
) -> None:
    """Invitation links follow ``make run PORT=…``: the Makefile exports PUBLIC_URL to the
    commands it runs (the seeder printing the demo's link, the portal), unless it is set."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_URL", "HOST", "PORT")}
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "show-url: ; @echo $$PUBLIC_URL"]
        + ["show-url", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == expected


def test_files_are_stored_locally_unless_s3_is_chosen(tmp_path: Path) -> None:
    settings = Settings.from_env(instance_path=tmp_path)
    assert settings.storage_backend == "local"
    assert settings.storage_path == tmp_path / "storage"


def test_the_s3_store_is_read_from_the_environment_and_keeps_its_secret_out_of_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "STORAGE_BACKEND": "S3",
        "S3_BUCKET": "concord-files",
        "S3_PREFIX": "prod/",
        "S3_ENDPOINT_URL": "https://oss-cn-beijing.aliyuncs.com",
        "S3_KMS_KEY_ID": "alias/concord",
        "S3_SECRET_ACCESS_KEY": "very-secret",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(instance_path=tmp_path)
    assert (settings.storage_backend, settings.s3_bucket, settings.s3_prefix) == (
        "s3",
        "concord-files",
        "prod/",
    )
    assert settings.s3_endpoint_url == "https://oss-cn-beijing.aliyuncs.com"
    assert settings.s3_kms_key_id == "alias/concord"
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs S3_BUCKET"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND must be local or s3"),
    ],
)
def test_a_half_configured_store_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(instance_path=tmp_path)


def test_webhooks_over_plain_http_on_loopback_are_for_development_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert Settings.from_env(app_env="development").webhook_http_loopback is True
    monkeypatch.setenv("WEBHOOK_HTTP_LOOPBACK", "0")
    assert Settings.from_env(app_env="development").webhook_http_loopback is False
    p12 = tmp_path / "org.p12"
    p12.write_bytes(b"x")
    for name, value in {
        "SIGNING_P12_PATH": str(p12),
        "SIGNING_P12_PASSWORD": "p",
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "DATABASE_URL": "postgres://db.internal/concord",
        "PII_KEY": "k" * 44,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WEBHOOK_HTTP_LOOPBACK")
    assert Settings.from_env().webhook_http_loopback is False
    monkeypatch.setenv("WEBHOOK_HTTP_LOOPBACK", "1")
    with pytest.raises(ConfigurationError, match="WEBHOOK_HTTP_LOOPBACK"):
        Settings.from_env()
