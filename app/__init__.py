"""Application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from werkzeug.middleware.proxy_fix import ProxyFix

from app import features, models  # noqa: F401  (models: every table in the metadata)
from app.accounts.auth import load_session_user
from app.api import docs as api_docs
from app.api import init_api
from app.api.cases import blp as api_cases
from app.api.imports import blp as api_imports
from app.api.performance import blp as api_performance
from app.api.webhooks import blp as api_webhooks
from app.cases.panels import register_panels
from app.cli import register_cli
from app.config import PROJECT_ROOT, Settings
from app.core import clock, pii
from app.core.locale import select_locale
from app.extensions import babel, csrf, db, login_manager, migrate
from app.web import register_web
from app.web.limits import init_limits
from app.web.logs import redact_dev_server_log


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.flask_config())
    app.config.update(config)
    pii.configure(settings.pii_key)
    clock.configure(settings.timezone)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    init_limits(app)  # before CSRF: a refused request is refused before its form is read
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _init_login(app)

    register_web(app)
    for blueprint in features.BLUEPRINTS:
        app.register_blueprint(blueprint)
    # /api/v1: bearer tokens, CSRF exempt, one OpenAPI document (app/api).
    init_api(app, (api_cases, api_performance, api_imports, api_webhooks))
    app.register_blueprint(api_docs.bp)
    register_panels(features.CASE_PANELS)
    register_cli(app)
    redact_dev_server_log()
    trust_proxies(app, settings.trusted_proxies)
    return app


def trust_proxies(app: Flask, n: int) -> None:
    """Behind ``n`` reverse proxies (``TRUSTED_PROXIES``), take the client's address, scheme
    and host from the last ``n`` entries of ``X-Forwarded-For``/``-Proto``/``-Host`` (werkzeug
    ``ProxyFix``): every sign-in and signature then records the signer's own address
    (电子签名法 Art. 13), not the proxy's. With 0 the headers are ignored: anyone could
    forge them."""
    if n > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(token: str) -> Any:
        user = load_session_user(token)
        if user is None:
            # A revoked or expired token: forget it so the cookie stops being replayed.
            session.pop("_user_id", None)
        return user
