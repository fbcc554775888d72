"""events views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    """List of published events."""
    return "confapp"
