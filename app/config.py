"""Typed settings, read once from the environment.

Every knob an operator may turn lives here, with its environment variable name and
default. Production (``APP_ENV=production``) refuses to start without a secret key, a database
URL, a PII key and the organisation's signing certificate; development generates its
secrets once and keeps them in ``instance/`` (``flask pki init`` makes a development
signing certificate in ``instance/pki/``).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not describe a startable application."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    app_env: str
    instance_path: Path
    secret_key: str
    database_url: str
    redis_url: str
    # Run background tasks inline, in the caller (tests; HUEY_IMMEDIATE=1).
    queue_immediate: bool
    storage_path: Path
    max_upload_mb: int
    timezone: str
    default_locale: str
    mail_backend: str
    mail_host: str
    mail_port: int
    mail_sender: str
    sms_backend: str
    login_max_failures: int
    login_window_minutes: int
    login_ip_max_failures: int
    login_global_max_failures: int
    session_hours: int
    argon2_time_cost: int
    argon2_memory_kib: int
    pii_key: str
    invitation_days: int
    public_url: str
    # The organisation's PKCS#12 (key + certificate + chain) used for every PDF signature.
    signing_p12_path: Path
    signing_p12_password: str | None = field(repr=False)
    # PEM bundle of the roots /verify trusts (the CA that issued the organisation's
    # certificate, and the time-stamping authority's root when TSA_URL is set).
    signing_ca_path: Path
    tsa_url: str | None
    # /verify's own upload limit (a court package with its evidence exceeds max_upload_mb).
    verify_max_mb: int
    # Requests per address (a `limits` string such as "10/minute"; empty: no limit), and
    # how many password hashes and PDF verifications may run at once on this host (0: no
    # cap). See app/web/limits.py.
    login_rate_limit: str
    verify_rate_limit: str
    # Requests per API token (/api/v1, app/api/limits.py), a `limits` string; empty: none.
    api_rate_limit: str
    password_hash_slots: int
    # Least time a password slot is held: at most slots × 1000 / this hashes a second.
    password_hash_min_ms: int
    verify_slots: int
    # Least time a verify slot is held: at most slots × 1000 / this verifications a second.
    verify_min_ms: int
    # How long a request waits for a free slot before it is answered "busy".
    busy_wait_ms: int
    # Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix).
    trusted_proxies: int
    # A render or package build not finished this long after it was asked for is taken as
    # lost (a killed worker) and asked for again, at most this many attempts in all.
    render_timeout_minutes: int = 10
    render_max_attempts: int = 3
    # Seconds a client (Retry-After) or a background job waits after a full disk or a
    # database that refuses writes.
    unavailable_retry_seconds: int = 60
    # Where stored files live (app/core/storage): "local" (STORAGE_PATH) or "s3", an
    # S3-compatible bucket shared by every web server and worker.
    storage_backend: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = field(default="", repr=False)
    # SSE-KMS with this key; empty: SSE-S3 (AES256). Every object is encrypted at rest.
    s3_kms_key_id: str = ""
    # "path" for MinIO and other servers without virtual-host buckets; "auto" otherwise.
    s3_addressing_style: str = "auto"
    # Webhooks (app.webhooks) go to HTTPS addresses only; plain HTTP to this machine
    # (127.0.0.1, ::1, localhost) is allowed in development and tests
    # (WEBHOOK_HTTP_LOOPBACK=1), never in production.
    webhook_http_loopback: bool = False
    # The video-meeting service's base URL: a video session's link is this plus a random
    # room id per session (no SDK is embedded; the parties open the link).
    video_meeting_base_url: str = "https://meet.jit.si"
    # Bulk import of cases (app/cases/imports.py): rows of a sheet, its size and its ZIP of
    # evidence (size, files, unpacked size, compression ratio of a member).
    import_max_rows: int = 10_000
    import_max_sheet_mb: int = 50
    import_max_zip_mb: int = 500
    import_max_zip_files: int = 20_000
    import_max_unzipped_mb: int = 2048
    import_max_ratio: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def max_content_length(self) -> int:
        # Room for the multipart envelope and the other form fields around one file.
        return self.max_upload_mb * 1024 * 1024 + 1024 * 1024

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        app_env = overrides.pop("app_env", None) or _env("APP_ENV", "development")
        instance = Path(
            overrides.pop("instance_path", None)
            or _env("INSTANCE_PATH")
            or PROJECT_ROOT / "instance"
        )
        secret_key = overrides.pop("secret_key", None) or _env("SECRET_KEY")
        database_url = overrides.pop("database_url", None) or _env("DATABASE_URL")
        pii_key = overrides.pop("pii_key", None) or _env("PII_KEY")
        if app_env == "production":
            required = {"SECRET_KEY": secret_key, "DATABASE_URL": database_url, "PII_KEY": pii_key}
            missing = [name for name, value in required.items() if not value]
            if missing:
                raise ConfigurationError(
                    "APP_ENV=production needs " + ", ".join(missing) + " in the environment"
                )
        else:
            instance.mkdir(parents=True, exist_ok=True)
            secret_key = secret_key or _dev_secret(
                instance, "secret_key", lambda: secrets.token_hex(32)
            )
            pii_key = pii_key or _dev_secret(instance, "pii_key", _new_fernet_key)
            database_url = database_url or f"sqlite:///{instance / 'concord.db'}"
        values: dict[str, Any] = {
            "app_env": app_env,
            "instance_path": instance,
            "secret_key": secret_key,
            "database_url": _normalise_db_url(database_url),
            "redis_url": _env("REDIS_URL"),
            "queue_immediate": _env("HUEY_IMMEDIATE") == "1",
            "storage_path": Path(_env("STORAGE_PATH") or instance / "storage"),
            "max_upload_mb": _env_int("MAX_UPLOAD_MB", 20),
            "timezone": _env("TIMEZONE", "Asia/Shanghai"),
            "default_locale": _env("DEFAULT_LOCALE", "zh_Hans_CN"),
            "mail_backend": _env("MAIL_BACKEND", "file"),
            "mail_host": _env("MAIL_HOST", "127.0.0.1"),
            "mail_port": _env_int("MAIL_PORT", 25),
            "mail_sender": _env("MAIL_SENDER", "Concord <noreply@concord.invalid>"),
            "sms_backend": _env("SMS_BACKEND", "file"),
            "login_max_failures": _env_int("LOGIN_MAX_FAILURES", 5),
            "login_window_minutes": _env_int("LOGIN_WINDOW_MINUTES", 15),
            # Failed sign-ins from one address before it waits (per window).
            "login_ip_max_failures": _env_int("LOGIN_IP_MAX_FAILURES", 10),
            # Failed sign-ins from all addresses (per window) before every account with a
            # failed try asks for a second factor: bounds a spread-out attack's argon2 work.
            "login_global_max_failures": _env_int("LOGIN_GLOBAL_MAX_FAILURES", 100),
            "session_hours": _env_int("SESSION_HOURS", 12),
            # argon2id cost (RFC 9106 second recommended option by default).
            "argon2_time_cost": _env_int("ARGON2_TIME_COST", 3),
            "argon2_memory_kib": _env_int("ARGON2_MEMORY_KIB", 65536),
            "pii_key": pii_key,
            "invitation_days": _env_int("INVITATION_DAYS", 14),
            "public_url": _env("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
            "render_timeout_minutes": _env_int("RENDER_TIMEOUT_MINUTES", 10),
            "render_max_attempts": _env_int("RENDER_MAX_ATTEMPTS", 3),
            "unavailable_retry_seconds": _env_int("UNAVAILABLE_RETRY_SECONDS", 60),
            "webhook_http_loopback": _webhook_http_loopback(app_env),
            "video_meeting_base_url": _env("VIDEO_MEETING_BASE_URL", "https://meet.jit.si").rstrip(
                "/"
            ),
            **_signing_settings(app_env, instance, overrides),
            **_limit_settings(),
            **_storage_settings(),
        }
        values.update(overrides)
        return cls(**values)

    def engine_options(self) -> dict[str, Any]:
        """A dead connection is noticed before use; a PostgreSQL server that does not answer
        fails a connection within 5 s (libpq's connect_timeout), so /readyz answers 503
        instead of hanging past the balancer's probe timeout."""
        options: dict[str, Any] = {"pool_pre_ping": True}
        if self.database_url.startswith("postgresql"):
            options["connect_args"] = {"connect_timeout": 5}
            options["pool_timeout"] = 10
        return options

    def flask_config(self) -> dict[str, Any]:
        # Production is served over HTTPS only: the __Host- prefix makes browsers refuse the
        # cookie unless it is Secure, has Path=/ and no Domain (no subdomain can plant one).
        prefix = "__Host-" if self.is_production else ""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "SESSION_COOKIE_NAME": prefix + "concord_session",
            "SESSION_COOKIE_PATH": "/",
            "REMEMBER_COOKIE_NAME": prefix + "concord_remember",
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "LOCALE_COOKIE_NAME": prefix + "concord_lang",
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
            "SETTINGS": self,
            **self.extra,
        }


def _signing_settings(app_env: str, instance: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """SIGNING_P12_PATH, SIGNING_P12_PASSWORD, SIGNING_CA_PATH and TSA_URL.

    Production needs the PKCS#12 file (issued by a licensed CA) and its password from the
    environment. Elsewhere the defaults point at ``instance/pki/``, where ``flask pki init``
    writes a development CA, certificate and passphrase file.
    """
    p12 = str(overrides.pop("signing_p12_path", None) or _env("SIGNING_P12_PATH"))
    password = overrides.pop("signing_p12_password", None) or _env("SIGNING_P12_PASSWORD")
    if app_env == "production":
        _require_production_signing(p12, password)
    p12_path = Path(p12) if p12 else instance / "pki" / "organisation.p12"
    if not password:
        # Written by `flask pki init`; absent until then (signing then fails clearly).
        sidecar = p12_path.parent / "passphrase"
        password = sidecar.read_text().strip() if sidecar.is_file() else ""
    ca = overrides.pop("signing_ca_path", None) or _env("SIGNING_CA_PATH")
    return {
        "signing_p12_path": p12_path,
        "signing_p12_password": password or None,
        "signing_ca_path": Path(ca) if ca else instance / "pki" / "ca.pem",
        "tsa_url": overrides.pop("tsa_url", None) or _env("TSA_URL") or None,
    }


def _limit_settings() -> dict[str, Any]:
    """The bounds on sign-ins and /verify (app/web/limits.py). By default each CPU-heavy
    resource may use half the cores of the host at most, so a flood of one leaves the other
    half to everyone else."""
    half = max(1, (os.cpu_count() or 2) // 2)
    return {
        "verify_max_mb": _env_int("VERIFY_MAX_MB", 40),
        "login_rate_limit": _env("LOGIN_RATE_LIMIT", "10/minute"),
        "verify_rate_limit": _env("VERIFY_RATE_LIMIT", "6/minute"),
        "api_rate_limit": _env("API_RATE_LIMIT", "120/minute"),
        "password_hash_slots": _env_int("PASSWORD_HASH_SLOTS", half),
        "password_hash_min_ms": _env_int("PASSWORD_HASH_MIN_MS", 500),
        "verify_slots": _env_int("VERIFY_SLOTS", half),
        "verify_min_ms": _env_int("VERIFY_MIN_MS", 1000),
        "busy_wait_ms": _env_int("BUSY_WAIT_MS", 1000),
        "trusted_proxies": _env_int("TRUSTED_PROXIES", 0),
        "import_max_rows": _env_int("IMPORT_MAX_ROWS", 10_000),
        "import_max_sheet_mb": _env_int("IMPORT_MAX_SHEET_MB", 50),
        "import_max_zip_mb": _env_int("IMPORT_MAX_ZIP_MB", 500),
        "import_max_zip_files": _env_int("IMPORT_MAX_ZIP_FILES", 20_000),
        "import_max_unzipped_mb": _env_int("IMPORT_MAX_UNZIPPED_MB", 2048),
        "import_max_ratio": _env_int("IMPORT_MAX_RATIO", 100),
    }


def _storage_settings() -> dict[str, Any]:
    """STORAGE_BACKEND and the S3 settings (app/core/storage/s3.py). Without S3 keys, boto3
    looks for credentials itself (AWS_* environment, instance role)."""
    backend = _env("STORAGE_BACKEND", "local").lower()
    if backend not in ("local", "s3"):
        raise ConfigurationError(f"STORAGE_BACKEND must be local or s3, got {backend!r}")
    bucket = _env("S3_BUCKET")
    if backend == "s3" and not bucket:
        raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET")
    return {
        "storage_backend": backend,
        "s3_bucket": bucket,
        "s3_prefix": _env("S3_PREFIX"),
        "s3_endpoint_url": _env("S3_ENDPOINT_URL"),
        "s3_region": _env("S3_REGION"),
        "s3_access_key_id": _env("S3_ACCESS_KEY_ID"),
        "s3_secret_access_key": _env("S3_SECRET_ACCESS_KEY"),
        "s3_kms_key_id": _env("S3_KMS_KEY_ID"),
        "s3_addressing_style": _env("S3_ADDRESSING_STYLE", "auto"),
    }


def _require_production_signing(p12: str, password: str) -> None:
    missing = [
        name
        for name, value in (("SIGNING_P12_PATH", p12), ("SIGNING_P12_PASSWORD", password))
        if not value
    ]
    if missing:
        raise ConfigurationError(
            "APP_ENV=production needs "
            + ", ".join(missing)
            + " in the environment: the path of the organisation's PKCS#12 signing "
            "certificate (key, certificate and chain, issued by a licensed CA) and its "
            "password. `flask pki init` makes a development certificate only."
        )
    if not Path(p12).is_file():
        raise ConfigurationError(f"SIGNING_P12_PATH={p12} is not a readable file")


def _dev_secret(instance: Path, name: str, make: Callable[[], str]) -> str:
    """Generate a development secret once and keep it in ``instance/``, so sessions and
    encrypted data survive restarts."""
    path = instance / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the driver we ship; accept the common spellings operators paste.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _webhook_http_loopback(app_env: str) -> bool:
    raw = _env("WEBHOOK_HTTP_LOOPBACK", "0" if app_env == "production" else "1")
    if raw == "1" and app_env == "production":
        raise ConfigurationError("WEBHOOK_HTTP_LOOPBACK=1 is not allowed with APP_ENV=production")
    return raw == "1"
