"""Liaison: a secure network for authorities cooperating in criminal matters."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application; ``overrides`` (tests) win over the configuration class."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(Path(os.environ.get("LIAISON_INSTANCE_DIR", ROOT / "instance"))),
    )
    config_name = config_name or os.environ.get("LIAISON_ENV", "development")
    app.config.from_object(CONFIGS[config_name]())
    if overrides:
        app.config.update(overrides)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_extensions(app)
    _register_blueprints(app)

    from forum import cli
    from forum import errors
    from forum.security import access
    from forum.security import headers

    errors.init_app(app)
    headers.init_app(app)
    access.init_app(app)
    cli.init_app(app)
    _init_templates(app)
    return app


def include_in_migrations(name, type_, parent_names) -> bool:
    """Autogenerate and the drift check leave out tables the models do not describe."""
    from forum.discussions.search import is_search_table

    return not (type_ == "table" and name and is_search_table(name))


def _init_extensions(app: Flask) -> None:
    from forum.auth.sessions import current_auth_session
    from forum.auth.sessions import load_user_for_request
    from forum.extensions import babel
    from forum.extensions import csrf
    from forum.extensions import db
    from forum.extensions import limiter
    from forum.extensions import login_manager
    from forum.extensions import migrate
    from forum.extensions import socketio
    from forum.i18n import select_locale

    db.init_app(app)
    from forum import sqlite

    with app.app_context():
        sqlite.install(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_name=include_in_migrations,
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "forum" / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    # Sessions are server-side records bound to a token (forum.auth.sessions); Flask-Login's
    # own "session protection" (a hash of address and browser on every request) adds nothing.
    login_manager.session_protection = None
    login_manager.request_loader(load_user_for_request)
    from forum.chat.realtime import socketio_options

    # Message queue (REDIS_URL) with a raised pool size, allowed origin BASE_URL, async mode.
    socketio.init_app(app, **socketio_options(app))
    # The session record is loaded before the access guard runs (both are before_request).
    app.before_request(lambda: current_auth_session() and None)


def _register_blueprints(app: Flask) -> None:
    from forum.admin import bp as admin_bp
    from forum.auth import account_bp
    from forum.auth import bp as auth_bp
    from forum.chat import bp as chat_bp
    from forum.directory import bp as directory_bp
    from forum.discussions import bp as discussions_bp
    from forum.discussions import search_bp
    from forum.main import bp as main_bp
    from forum.membership import bp as membership_bp
    from forum.moderation import bp as moderation_bp

    for blueprint in (
        main_bp,
        auth_bp,
        account_bp,
        directory_bp,
        discussions_bp,
        search_bp,
        chat_bp,
        moderation_bp,
        membership_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)


def _init_templates(app: Flask) -> None:
    from flask_babel import get_locale

    from forum.moderation.forms import ROLE_LABELS

    @app.context_processor
    def inject_globals():
        return {"role_labels": ROLE_LABELS, "get_locale": get_locale}

    from forum.fragments import site_header

    app.jinja_env.globals["site_header"] = site_header

    from forum.i18n import date_formatter
    from forum.i18n import install_template_gettext
    from forum.i18n import medium_datetime

    # Both produce what Flask-Babel's own would, for less: see forum/i18n.py.
    install_template_gettext(app)
    app.jinja_env.filters["datetime"] = medium_datetime
    app.jinja_env.globals["date_formatter"] = date_formatter
