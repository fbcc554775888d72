"""confapp: run cluster development conferences end to end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import CONFIGS
from config import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error pages, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Development is only ever chosen on purpose: by CONFAPP_ENV, or by whoever calls
    # create_app("development") (the `confapp` command, the demo, the tests).
    chosen = config_name or os.environ.get("CONFAPP_ENV")
    config_name = chosen or "development"
    app.config.from_object(CONFIGS[config_name])
    app.config.from_prefixed_env("CONFAPP")
    if overrides:
        app.config.update(overrides)
    _refuse_development_key(app, chosen_on_purpose=bool(chosen))
    _finalise_config(app)

    from confapp import wiring

    wiring.register_extensions(app)
    wiring.register_blueprints(app)
    wiring.register_errorhandlers(app)
    wiring.register_template_helpers(app)
    wiring.register_security_headers(app)
    wiring.register_input_guards(app)
    wiring.register_commands(app)
    wiring.register_static_files(app)
    wiring.register_sessions(app)
    return app


def _refuse_development_key(app: Flask, *, chosen_on_purpose: bool) -> None:
    """Never serve with the key published in config.py unless development was chosen: with
    it anyone can forge sessions (an administrator's) and badge tokens."""
    if app.config.get("SECRET_KEY") != DEVELOPMENT_SECRET_KEY or chosen_on_purpose:
        return
    raise RuntimeError(
        "confapp refuses to start with the development secret key, which is published in "
        "config.py: anyone could forge sessions and badge tokens with it. In production set "
        "CONFAPP_ENV=production and CONFAPP_SECRET_KEY to a long random value, e.g. "
        "CONFAPP_SECRET_KEY=\"$(python -c 'import secrets; print(secrets.token_urlsafe(48))')\". "
        "For local development set CONFAPP_ENV=development (`confapp demo` does)."
    )


def _finalise_config(app: Flask) -> None:
    """Resolve derived settings: database URL, production secret."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'confapp.db'}"
    # Accept the common postgres:// spelling and pick the psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        # A file cannot drop the connection the way a server can: no ping before each use.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config.get("PRODUCTION") and not app.config.get("SECRET_KEY"):
        raise RuntimeError("CONFAPP_SECRET_KEY must be set in production")
    _finalise_base_url(app)


def _finalise_base_url(app: Flask) -> None:
    """Normalise BASE_URL; say (never stop) when production runs without one."""
    from confapp.urls import normalise_base_url

    configured = app.config.get("BASE_URL")
    app.config["BASE_URL_CONFIGURED"] = bool(configured)
    app.config["BASE_URL"] = normalise_base_url(configured)
    if not configured and app.config.get("PRODUCTION"):
        app.logger.warning(
            "CONFAPP_BASE_URL is not set: links in e-mails, calendar feeds and PDFs will "
            "point to %s. Set it to the address delegates use, e.g. https://conf.example.org.",
            app.config["BASE_URL"],
        )
