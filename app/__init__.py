"""Application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_login import current_user

from app.config import PROJECT_ROOT, Settings
from app.core import pii
from app.extensions import babel, csrf, db, login_manager, migrate

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")
LOCALE_COOKIE = "concord_lang"


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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _init_login(app)

    from app import models  # noqa: F401  (register every model with the metadata)
    from app.web import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return str(current_user.locale)
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    # Concord serves mainland China: Chinese unless the person chose otherwise.
    return "zh_Hans_CN"


def _init_login(app: Flask) -> None:
    from app.accounts.auth import load_session_user

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
