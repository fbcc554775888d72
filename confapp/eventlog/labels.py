"""What the event log's codes mean, in the reader's language: the feature an action belongs
to, who acted (role, and through what), what happened to each object.

Each entry's ``kind`` stays the endpoint's name (``agenda.session_edit``): a stable code
organisers can filter on and quote to support; the page shows its feature and the action
("Session edited") translated beside it.
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

# Every action that can be logged: each endpoint that changes state (POST routes, web and
# API) and the kinds background jobs write (agenda.import_csv and registration.import_csv
# run as jobs under their page's name). One form throughout: what happened, as a short
# past-participle phrase, the object first ("Session edited"). A new write route without
# a label here fails tests/unit/test_eventlog_labels.py.
ACTIONS: dict[str, Any] = {
    # accounts
    "accounts.accept_invitation": _l("Invitation accepted"),
    "accounts.account": _l("Password changed"),
    "accounts.invitation": _l("Invitation accepted from its link"),
    "accounts.login": _l("Signed in"),
    "accounts.logout": _l("Signed out"),
    "accounts.resend_verification": _l("Confirmation link sent again"),
    "accounts.reset": _l("New password chosen"),
    "accounts.reset_request": _l("Password reset link requested"),
    # agenda
    "agenda.calendar_link": _l("Personal calendar link issued"),
    "agenda.cancel_signup": _l("Session seat given up"),
    "agenda.import_csv": _l("Programme imported from CSV"),
    "agenda.publish": _l("Programme published"),
    "agenda.room_edit": _l("Room edited"),
    "agenda.rooms": _l("Room added"),
    "agenda.session_action": _l("Session cancelled, reinstated or deleted"),
    "agenda.session_edit": _l("Session edited"),
    "agenda.session_new": _l("Session added"),
    "agenda.signup": _l("Session seat or waiting-list place taken"),
    "agenda.star": _l("Session starred or unstarred"),
    "agenda.track_edit": _l("Track edited"),
    "agenda.tracks": _l("Track added"),
    # analytics, badges, check-in
    "analytics.start_report": _l("Funders' report started"),
    "badges.manage": _l("Badge print run started"),
    "badges.reissue": _l("Badge reissued"),
    "checkin.certificates_bulk": _l("Certificates PDF started"),
    "checkin.reissue_certificate": _l("Certificate reissued"),
    "checkin_api.checkin": _l("Badge scanned"),
    # announcements
    "comms.cancel": _l("Announcement cancelled"),
    "comms.compose": _l("Announcement sent or scheduled"),
    "comms.dismiss": _l("Announcement banner hidden"),
    "comms.preferences": _l("Announcement e-mails stopped or resumed"),
    "comms.unsubscribe": _l("Unsubscribed from announcements"),
    "comms_api.create": _l("Announcement sent or scheduled"),
    # documents, event, team, e-mail
    "documents.settings": _l("Letterhead changed"),
    "events.admin_new": _l("Event created"),
    "events.invitation_revoke": _l("Invitation withdrawn"),
    "events.settings": _l("Event settings changed"),
    "events.team": _l("Team member added or invited"),
    "events.team_remove": _l("Team role removed"),
    "mail.send_again": _l("Message queued again"),
    "mail.send_all_again": _l("Failed messages queued again"),
    # networking meetings
    "meetings.add_slots": _l("Meeting slots added"),
    "meetings.add_tables": _l("Meeting tables added"),
    "meetings.add_tag": _l("Topic added"),
    "meetings.answer": _l("Meeting request answered"),
    "meetings.availability": _l("Availability changed"),
    "meetings.delete_slot": _l("Meeting slot deleted"),
    "meetings.delete_tag": _l("Topic removed"),
    "meetings.edit_tag": _l("Topic edited"),
    "meetings.feedback": _l("Meeting feedback given"),
    "meetings.profile": _l("Networking profile edited"),
    "meetings.schedule": _l("Meeting scheduler started"),
    "meetings.send": _l("Meeting request sent"),
    "meetings.set_priority": _l("Meeting request priority set"),
    "meetings.settings": _l("Meeting settings changed"),
    # registrations, visa letters
    "registration.cancel": _l("Registration cancelled"),
    "registration.edit": _l("Registration details edited"),
    "registration.import_csv": _l("Delegates imported from CSV"),
    "registration.manage_add": _l("Delegate added by hand"),
    "registration.manage_bulk": _l("Registrations approved, rejected or cancelled"),
    "registration.manage_detail": _l("Registration category or note changed"),
    "registration.register": _l("Registration submitted"),
    "visa.manage_decide": _l("Visa letter request decided"),
    "visa.request": _l("Visa letter requested"),
    # cluster visits
    "visits.add_delegate": _l("Delegate added to a visit"),
    "visits.assign_buses": _l("Buses assigned"),
    "visits.cancel": _l("Visit seat given up"),
    "visits.move_signup": _l("Delegate moved to another visit"),
    "visits.remove_signup": _l("Delegate removed from a visit"),
    "visits.set_bus": _l("Delegate's bus changed"),
    "visits.signup": _l("Visit seat or waiting-list place taken"),
    "visits.visit_edit": _l("Visit edited"),
    "visits.visit_new": _l("Visit added"),
}

# Actions whose recorded detail says which of several things happened: the label then says
# it, and the detail is not repeated beside it.
ACTION_DETAILS: dict[tuple[str, str], Any] = {
    ("agenda.session_action", "cancel"): _l("Session cancelled"),
    ("agenda.session_action", "reinstate"): _l("Session reinstated"),
    ("agenda.session_action", "delete"): _l("Session deleted"),
    ("comms.compose", "test"): _l("Test announcement sent"),
    ("comms_api.create", "api"): _l("Announcement sent or scheduled"),
    ("mail.send_again", "send again"): _l("Message queued again"),
    ("mail.send_all_again", "send again"): _l("Failed messages queued again"),
    ("registration.manage_bulk", "approve"): _l("Registrations approved"),
    ("registration.manage_bulk", "reject"): _l("Registrations rejected"),
    ("registration.manage_bulk", "cancel"): _l("Registrations cancelled"),
    ("visa.manage_decide", "approve"): _l("Visa letter request approved"),
    ("visa.manage_decide", "reject"): _l("Visa letter request rejected"),
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


def action_label(kind: str | None, detail: str | None = None) -> str:
    """What an action did ("agenda.session_edit" → "Session edited"); with the recorded
    detail when that says which ("agenda.session_action", "cancel" → "Session cancelled");
    an unknown kind is shown as its code."""
    if (kind, detail) in ACTION_DETAILS:
        return str(ACTION_DETAILS[kind, detail])
    return _label(ACTIONS, kind)


def detail_label(detail: str | None, kind: str | None = None) -> str:
    """A recorded detail, translated when it is one of the known ones; empty when the
    action's label already says it (:data:`ACTION_DETAILS`)."""
    if (kind, detail) in ACTION_DETAILS:
        return ""
    return _label(DETAILS, detail)
