"""The `confapp` console script: Flask's CLI group bound to create_app()."""

from __future__ import annotations

import os

from flask.cli import FlaskGroup

from confapp import create_app


def _cli_app():
    # The command line is a developer's and operator's tool: without CONFAPP_ENV it is
    # development (the demo runs from here); a WSGI server calling create_app() is not.
    return create_app(os.environ.get("CONFAPP_ENV") or "development")


def main() -> None:
    """Entry point of the `confapp` command."""
    FlaskGroup(create_app=_cli_app, help="confapp: cluster development conferences.")()
