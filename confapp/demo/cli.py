"""demo commands (being built)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
