"""registration views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("registration", __name__)


@bp.route("/events/<slug>/register", methods=['GET', 'POST'])
def register(slug=None):
    """Placeholder until the feature lands."""
    return "registration.register"


@bp.route("/events/<slug>/my-registration", methods=['GET'])
def mine(slug=None):
    """Placeholder until the feature lands."""
    return "registration.mine"


@bp.route("/events/<slug>/my-registration/edit", methods=['GET', 'POST'])
def edit(slug=None):
    """Placeholder until the feature lands."""
    return "registration.edit"


@bp.route("/events/<slug>/my-registration/cancel", methods=['POST'])
def cancel(slug=None):
    """Placeholder until the feature lands."""
    return "registration.cancel"


@bp.route("/events/<slug>/manage/registrations", methods=['GET'])
def manage_list(slug=None):
    """Placeholder until the feature lands."""
    return "registration.manage_list"


@bp.route("/events/<slug>/manage/registrations/<int:reg_id>", methods=['GET'])
def manage_detail(slug=None, reg_id=None):
    """Placeholder until the feature lands."""
    return "registration.manage_detail"


@bp.route("/events/<slug>/manage/registrations/new", methods=['GET', 'POST'])
def manage_add(slug=None):
    """Placeholder until the feature lands."""
    return "registration.manage_add"


@bp.route("/events/<slug>/manage/registrations/bulk", methods=['POST'])
def manage_bulk(slug=None):
    """Placeholder until the feature lands."""
    return "registration.manage_bulk"


@bp.route("/events/<slug>/manage/registrations.csv", methods=['GET'])
def export_csv(slug=None):
    """Placeholder until the feature lands."""
    return "registration.export_csv"


@bp.route("/events/<slug>/manage/registrations.xlsx", methods=['GET'])
def export_xlsx(slug=None):
    """Placeholder until the feature lands."""
    return "registration.export_xlsx"


@bp.route("/events/<slug>/manage/registrations/import", methods=['GET', 'POST'])
def import_csv(slug=None):
    """Placeholder until the feature lands."""
    return "registration.import_csv"
