"""Every action the event log can hold has a label in words (confapp.eventlog.labels.ACTIONS):
each route that changes state, web or API, and each kind a background job writes. A new
write route without one fails here, so it cannot land unlabelled."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from confapp.eventlog import labels
from confapp.i18n import force_language

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SOURCE = Path(__file__).resolve().parents[2] / "confapp"
# Recorder(... kind="agenda.import_csv" ...), its arguments holding calls of their own.
_RECORDER_KIND = re.compile(r'Recorder\((?:[^()]|\([^()]*\))*?\bkind="([^"]+)"')


def _write_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & WRITES}


def _job_kinds() -> set[str]:
    """The kinds written outside a request: a Recorder built with a literal kind."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(_RECORDER_KIND.findall(text))
    return found


def test_every_state_changing_endpoint_and_job_kind_has_a_label(app):
    endpoints = _write_endpoints(app)
    assert len(endpoints) > 50  # the walk sees the whole app, API included
    assert "checkin_api.checkin" in endpoints and "comms_api.create" in endpoints
    jobs = _job_kinds()
    assert {"agenda.import_csv", "registration.import_csv"} <= jobs
    unlabelled = sorted((endpoints | jobs) - set(labels.ACTIONS))
    assert unlabelled == [], f"add these to confapp/eventlog/labels.py ACTIONS: {unlabelled}"


def test_no_label_outlives_its_action(app):
    known = _write_endpoints(app) | _job_kinds()
    assert sorted(set(labels.ACTIONS) - known) == []
    assert sorted({kind for kind, _detail in labels.ACTION_DETAILS} - set(labels.ACTIONS)) == []


def test_the_walk_would_see_a_new_unlabelled_write_route():
    other = Flask(__name__)
    other.add_url_rule("/things", "things.add", lambda: "", methods=["POST"])
    other.add_url_rule("/things", "things.list", lambda: "", methods=["GET"])
    assert _write_endpoints(other) - set(labels.ACTIONS) == {"things.add"}


def test_action_labels_in_the_readers_language_with_the_code_as_fallback(app):
    with app.app_context():
        assert labels.action_label("agenda.session_edit") == "Session edited"
        assert labels.action_label("old.kind") == "old.kind"
        assert labels.action_label(None) == ""
        # A detail that says which of several things happened names it.
        assert labels.action_label("agenda.session_action", "cancel") == "Session cancelled"
        assert labels.detail_label("cancel", "agenda.session_action") == ""
        assert labels.action_label("agenda.session_action", "other") == (
            "Session cancelled, reinstated or deleted"
        )
        assert labels.detail_label("cancel", "registration.other") == "cancel"
        with force_language("fr"):
            assert labels.action_label("agenda.session_edit") == "Session modifiée"
            assert labels.action_label("registration.manage_bulk", "approve") == (
                "Inscriptions approuvées"
            )
        with force_language("ar"):
            assert labels.action_label("agenda.rooms") == "أُضيفت قاعة"
