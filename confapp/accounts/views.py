"""accounts views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=['GET', 'POST'])
def login():
    """Placeholder until the feature lands."""
    return "accounts.login"


@bp.route("/logout", methods=['POST'])
def logout():
    """Placeholder until the feature lands."""
    return "accounts.logout"


@bp.route("/account", methods=['GET'])
def account():
    """Placeholder until the feature lands."""
    return "accounts.account"


@bp.route("/verify/<token>", methods=['GET'])
def verify(token=None):
    """Placeholder until the feature lands."""
    return "accounts.verify"


@bp.route("/account/verify/resend", methods=['POST'])
def resend_verification():
    """Placeholder until the feature lands."""
    return "accounts.resend_verification"


@bp.route("/reset-password", methods=['GET', 'POST'])
def reset_request():
    """Placeholder until the feature lands."""
    return "accounts.reset_request"


@bp.route("/reset-password/<token>", methods=['GET', 'POST'])
def reset(token=None):
    """Placeholder until the feature lands."""
    return "accounts.reset"
