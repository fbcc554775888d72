"""What the event log's codes mean, in the reader's language: the feature an action belongs
to, who acted (role, and through what), what happened to each object.

Each entry's ``kind`` stays the endpoint's name (``agenda.session_edit``): a stable code
organisers can filter on and quote to support; the page shows its feature translated
beside it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# The part of a kind before the dot (a blueprint), without its "_api" suffix.
FEATURES: dict[str, Any] = {
    "accounts": _l("Accounts"),
    "agenda": _l("Programme"),
    "analytics": _l("Reports"),
    "badges": _l("Badges"),
    "checkin": _l("Check-in"),
    "comms": _l("Announcements"),
    "documents": _l("Documents"),
    "eventlog": _l("Event log"),
    "events": _l("Event"),
    "jobs": _l("Background jobs"),
    "mail": _l("E-mail"),
    "meetings": _l("Networking meetings"),
    "registration": _l("Registrations"),
    "registrations": _l("Registrations"),
    "visa": _l("Visa invitation letters"),
    "visits": _l("Cluster visits"),
}

ROLES: dict[str, Any] = {
    "organiser": _l("organiser"),
    "staff": _l("staff"),
    "admin": _l("site administrator"),
    "signed_in": _l("signed in"),
    "visitor": _l("visitor"),
    "delegate": _l("delegate"),
}

CHANNELS: dict[str, Any] = {
    "web": _l("on the website"),
    "api": _l("through the API"),
    "job": _l("by a background job"),
    "cli": _l("from the command line"),
}

OPERATIONS: dict[str, Any] = {
    "create": _l("added"),
    "update": _l("changed"),
    "delete": _l("removed"),
}

# Details some actions record (which button of a form was used).
DETAILS: dict[str, Any] = {
    "cancel": _l("cancel"),
    "reinstate": _l("reinstate"),
    "delete": _l("delete"),
    "send again": _l("send again"),
    "test": _l("test"),
    "api": _l("through the API"),
    "approve": _l("approve"),
    "reject": _l("reject"),
    "waitlist": _l("waiting list"),
    "issue": _l("issue"),
    "refuse": _l("refuse"),
}


def _label(table: dict[str, Any], code: str | None) -> str:
    return str(table[code]) if code in table else (code or "")


def feature_label(kind: str | None) -> str:
    """The feature of an action ("agenda.session_edit" → "Programme")."""
    feature = (kind or "").split(".", 1)[0].removesuffix("_api")
    return _label(FEATURES, feature)


def role_label(role: str | None) -> str:
    """Who acted, in the reader's language ("organiser" → "organisateur")."""
    return _label(ROLES, role)


def channel_label(via: str | None) -> str:
    """Through what they acted (web, API, job, command line)."""
    return _label(CHANNELS, via)


def operation_label(op: str | None) -> str:
    """What happened to one object (create, update, delete)."""
    return _label(OPERATIONS, op)


def detail_label(detail: str | None) -> str:
    """A recorded detail, translated when it is one of the known ones."""
    return _label(DETAILS, detail)
