"""The `confapp` console script: Flask's CLI group bound to create_app()."""

from __future__ import annotations

from flask.cli import FlaskGroup

from confapp import create_app


def main() -> None:
    """Entry point of the `confapp` command."""
    FlaskGroup(create_app=create_app, help="confapp: cluster development conferences.")()
