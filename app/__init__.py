"""Application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from werkzeug.middleware.proxy_fix import ProxyFix

from app import features, models  # noqa: F401  (models: every table in the metadata)
from app.accounts.auth import load_session_user
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
    register_panels(features.CASE_PANELS)
    register_cli(app)
    redact_dev_server_log()
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


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
