"""The event log recorder: what one action changed, written once, secrets left out."""

from __future__ import annotations

import sqlalchemy as sa

from confapp.eventlog import services as eventlog
from confapp.eventlog.models import EventLogEntry
from confapp.eventlog.models import EventLogTarget
from confapp.extensions import db
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_user


def _record(event, actor, action, **options):
    recorder = eventlog.Recorder(
        event_id=event.id, actor=actor, actor_role="organiser", kind="test.action", **options
    )
    with recorder:
        action()
        return recorder.finish()


def test_an_edit_is_logged_with_before_and_after(app_ctx):
    event = make_event()
    organiser = make_user("org@example.org", full_name="Olga Organiser")
    reg = make_confirmed_registration(event, "ana@example.org", organisation="Old Org")
    db.session.commit()

    def edit():
        reg.organisation = "New Org"
        reg.notes = "VIP"

    entry = _record(event, organiser, edit)
    assert entry is not None
    assert entry.actor_id == organiser.id and entry.actor_name == "Olga Organiser"
    assert entry.kind == "test.action" and entry.subject_type == "registration"
    (row,) = entry.changes
    assert row["op"] == "update" and row["id"] == reg.id
    assert row["fields"]["organisation"] == ["Old Org", "New Org"]
    assert row["fields"]["notes"][1] == "VIP"
    assert eventlog.history_of(event.id, "registration", reg.id) == [entry]


def test_a_field_changed_twice_keeps_the_value_from_before_the_action(app_ctx):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org", organisation="First")
    db.session.commit()

    def edit():
        reg.organisation = "Second"
        db.session.flush()
        reg.organisation = "Third"

    entry = _record(event, None, edit)
    assert entry.changes[0]["fields"]["organisation"] == ["First", "Third"]


def test_nothing_changed_means_no_entry(app_ctx):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org", organisation="Same")
    db.session.commit()

    def same():
        reg.organisation = "Same"

    assert _record(event, None, same) is None
    assert db.session.scalar(sa.select(sa.func.count(EventLogEntry.id))) == 0


def test_created_and_deleted_rows_and_their_registration_are_targets(app_ctx):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org")
    other = make_confirmed_registration(event, "bob@example.org")
    db.session.commit()

    def change():
        db.session.delete(other)
        reg.notes = "moved"

    entry = _record(event, None, change)
    ops = {(row["type"], row["op"]) for row in entry.changes}
    assert ops == {("registration", "delete"), ("registration", "update")}
    targets = set(
        db.session.execute(
            sa.select(EventLogTarget.object_type, EventLogTarget.object_id).where(
                EventLogTarget.entry_id == entry.id
            )
        )
    )
    assert ("registration", reg.id) in targets and ("registration", other.id) in targets


def test_secrets_and_passport_data_never_reach_the_log(app_ctx):
    event = make_event()
    user = make_user("ana@example.org")
    db.session.commit()

    def change():
        user.set_password("another long password")
        user.full_name = "Ana Renamed"

    entry = _record(event, None, change)
    fields = entry.changes[0]["fields"]
    assert "password_hash" not in fields and fields["full_name"][1] == "Ana Renamed"
    assert all(not eventlog._logged_column(object, k) for k in ("passport_number", "date_of_birth"))


def test_core_updates_are_noted_by_hand(app_ctx):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org")
    db.session.commit()

    def conditional_update():
        eventlog.note_change(reg, status=("confirmed", "cancelled"))

    entry = _record(event, None, conditional_update)
    assert entry.changes[0]["fields"]["status"] == ["confirmed", "cancelled"]


def test_filters_by_kind_person_and_object(app_ctx):
    event = make_event()
    ana = make_user("ana@example.org", full_name="Ana")
    reg = make_confirmed_registration(event, "d@example.org")
    db.session.commit()
    for actor, kind, value in ((ana, "registration.bulk", "a"), (None, "agenda.edit", "b")):
        recorder = eventlog.Recorder(event_id=event.id, actor=actor, actor_role="x", kind=kind)
        with recorder:
            reg.notes = value
            recorder.finish()
    db.session.commit()
    by_kind, total = eventlog.entries_for_event(event.id, eventlog.LogFilters(kind="agenda"))
    assert total == 1 and by_kind[0].kind == "agenda.edit"
    by_actor, _ = eventlog.entries_for_event(event.id, eventlog.LogFilters(actor_id=ana.id))
    assert [e.kind for e in by_actor] == ["registration.bulk"]
    assert eventlog.kinds_in_log(event.id) == ["agenda.edit", "registration.bulk"]
    assert eventlog.actors_in_log(event.id) == [(ana.id, "Ana")]
