"""The `confapp` console script: Flask's CLI group bound to create_app()."""

from __future__ import annotations

import os

from flask.cli import FlaskGroup

from confapp import create_app


def _cli_app():
    # The command line is a developer's and operator's tool: without CONFAPP_ENV it is
    # development (the demo runs from here); a WSGI server calling create_app() is not.
    return create_app(os.environ.get("CONFAPP_ENV") or "development")


class ConfappGroup(FlaskGroup):
    """Flask's group without the scan of installed packages for plugin commands: every
    confapp command is registered by the app itself, and the scan (reading the metadata
    of every installed distribution, then importing Flask-Limiter's inspection commands)
    was a tenth of each command's start-up."""

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


def main() -> None:
    """Entry point of the `confapp` command."""
    ConfappGroup(create_app=_cli_app, help="confapp: cluster development conferences.")()
