"""visa views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("visa", __name__)
