"""visa views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("visa", __name__)


@bp.route("/events/<slug>/visa-letter", methods=['GET', 'POST'])
def request(slug=None):
    """Placeholder until the feature lands."""
    return "visa.request"


@bp.route("/events/<slug>/visa-letter.pdf", methods=['GET'])
def letter_pdf(slug=None):
    """Placeholder until the feature lands."""
    return "visa.letter_pdf"


@bp.route("/events/<slug>/manage/visa-letters", methods=['GET'])
def manage_list(slug=None):
    """Placeholder until the feature lands."""
    return "visa.manage_list"


@bp.route("/events/<slug>/manage/visa-letters/<int:request_id>", methods=['POST'])
def manage_decide(slug=None, request_id=None):
    """Placeholder until the feature lands."""
    return "visa.manage_decide"
