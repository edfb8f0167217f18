"""Settings come from the environment; production refuses to start half-configured."""

from __future__ import annotations

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
