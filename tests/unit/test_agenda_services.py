"""Agenda services without HTTP: clashes, publishing and the change log, sign-ups, CSV."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.agenda import csvio
from confapp.agenda import services
from confapp.agenda.display import render_markdown
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeChange
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionStatus
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event


def data(
    event,
    title="Talk",
    day=0,
    start="10:00",
    end="11:00",
    room=None,
    people=(),
    seats=None,
    kind=SessionKind.PARALLEL,
):
    return services.SessionData(
        title=title,
        kind=kind,
        starts_at=local_time(event, day, start),
        ends_at=local_time(event, day, end),
        room_id=room.id if room else None,
        seat_limit=seats,
        people=[services.PersonData(name=n, role=PersonRole.SPEAKER) for n in people],
    )


@pytest.fixture
def event(app_ctx):
    return make_event()


@pytest.fixture
def hall(event):
    return services.create_room(event, name="Hall A", capacity=100)


def count_sessions():
    return db.session.scalar(sa.select(sa.func.count(ProgrammeSession.id)))


# --- clash rules ---------------------------------------------------------------------------


def test_room_used_twice_at_once_is_refused(event, hall, now):
    services.create_session(
        event, data(event, "First", start="10:00", end="11:00", room=hall), now=now
    )
    with pytest.raises(ValidationFailed, match="already used by “First”") as exc:
        services.create_session(
            event, data(event, "Second", start="10:30", end="11:30", room=hall), now=now
        )
    assert exc.value.field == "room_id"


def test_back_to_back_and_other_rooms_are_fine(event, hall, now):
    other = services.create_room(event, name="Hall B")
    services.create_session(
        event, data(event, "First", start="10:00", end="11:00", room=hall), now=now
    )
    services.create_session(
        event, data(event, "Next", start="11:00", end="12:00", room=hall), now=now
    )
    services.create_session(
        event, data(event, "Parallel", start="10:00", end="11:00", room=other), now=now
    )
    assert count_sessions() == 3


def test_cancelled_session_frees_its_room_and_cannot_be_reinstated_over_a_new_one(event, hall, now):
    first = services.create_session(event, data(event, "First", room=hall), now=now)
    services.cancel_session(event, first, now=now)
    services.create_session(event, data(event, "Replacement", room=hall), now=now)
    with pytest.raises(ValidationFailed, match="Replacement"):
        services.reinstate_session(event, first, now=now)


def test_moving_a_session_into_an_occupied_room_is_refused(event, hall, now):
    other = services.create_room(event, name="Hall B")
    services.create_session(event, data(event, "First", room=hall), now=now)
    second = services.create_session(event, data(event, "Second", room=other), now=now)
    with pytest.raises(ValidationFailed):
        services.update_session(event, second, data(event, "Second", room=hall), now=now)


def test_person_in_two_overlapping_sessions_is_a_warning(event, hall, now):
    other = services.create_room(event, name="Hall B")
    a = services.create_session(event, data(event, "A", room=hall, people=["Ana Example"]), now=now)
    b = services.create_session(
        event,
        data(event, "B", start="10:30", end="11:30", room=other, people=["ana  EXAMPLE"]),
        now=now,
    )
    services.create_session(
        event,
        data(event, "C", start="11:30", end="12:00", room=other, people=["Ana Example"]),
        now=now,
    )
    warnings = services.session_warnings(event, a)
    assert len(warnings) == 1 and "“B”" in warnings[0]
    report = services.health(event)
    assert [(c.first.id, c.second.id) for c in report["person_clashes"]] == [(a.id, b.id)]


@pytest.mark.parametrize(
    ("start", "end", "room", "message"),
    [
        ("11:00", "10:00", None, "end after it starts"),
        ("10:00", "10:00", None, "end after it starts"),
        ("10:00", "11:00", 999999, "Unknown room"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(event, now, start, end, room, message):
    bad = data(event, start=start, end=end)
    bad.room_id = room
    with pytest.raises(ValidationFailed, match=message):
        services.create_session(event, bad, now=now)
    db.session.rollback()
    assert count_sessions() == 0


def test_room_of_another_event_is_unknown(event, now):
    other_event = make_event("other")
    foreign = services.create_room(other_event, name="Foreign")
    with pytest.raises(ValidationFailed, match="Unknown room"):
        services.create_session(event, data(event, room=foreign), now=now)


def test_session_outside_the_event_days_is_refused(event, now):
    with pytest.raises(ValidationFailed, match="must start between"):
        services.create_session(event, data(event, day=5), now=now)


def test_wall_time_skipped_by_daylight_saving_is_refused(app_ctx):
    berlin = make_event(
        "berlin",
        timezone="Europe/Berlin",
        starts_on=dt.date(2027, 3, 27),
        ends_on=dt.date(2027, 3, 29),
    )
    with pytest.raises(ValidationFailed, match="does not exist"):
        services.to_utc(berlin, dt.datetime(2027, 3, 28, 2, 30))
    assert services.to_utc(berlin, dt.datetime(2027, 3, 28, 3, 30)) == dt.datetime(
        2027, 3, 28, 1, 30, tzinfo=dt.UTC
    )


def test_duplicate_room_name_and_bad_colour(event, hall):
    with pytest.raises(ValidationFailed, match="already has this name"):
        services.create_room(event, name="Hall A")
    with pytest.raises(ValidationFailed, match="colour"):
        services.create_track(event, name="Policy", colour="red")


# --- publishing, change log, sequence, version ----------------------------------------------


def test_changes_before_publishing_are_not_logged(event, hall, now):
    s = services.create_session(event, data(event, room=hall), now=now)
    services.update_session(event, s, data(event, "Renamed", room=hall), now=now)
    assert db.session.scalars(sa.select(ProgrammeChange)).all() == []


def test_publish_then_every_change_is_logged(event, hall, now):
    other = services.create_room(event, name="Hall B")
    s = services.create_session(event, data(event, "Opening", room=hall), now=now)
    with pytest.raises(DomainError):
        services.publish_programme(make_event("empty"), now)
    services.publish_programme(event, now)
    assert event.programme_published_at == now
    version = event.programme_version
    services.update_session(
        event, s, data(event, "Opening", start="12:00", end="13:00", room=other), now=now
    )
    services.create_session(
        event, data(event, "Late addition", start="15:00", end="16:00"), now=now
    )
    services.cancel_session(event, s, now=now)
    changes = services.list_changes(event)
    assert [c.kind for c in changes] == ["cancelled", "added", "moved"]
    moved = changes[-1].summary
    assert "10:00–11:00" in moved and "12:00–13:00" in moved and "Hall A to Hall B" in moved
    assert event.programme_version == version + 3
    assert [c.programme_version for c in changes] == [version + 3, version + 2, version + 1]
    # Cancelled sessions stay in the programme, marked as such; published ones cannot be deleted.
    assert s.status is SessionStatus.CANCELLED and s in services.load_programme(event)
    with pytest.raises(DomainError, match="cancel the session instead"):
        services.delete_session(event, s)


def test_sequence_increases_on_every_change_and_not_without_one(event, hall, now):
    s = services.create_session(event, data(event, room=hall, people=["Ana"]), now=now)
    assert s.sequence == 0
    assert services.update_session(event, s, data(event, room=hall, people=["Ana"]), now=now) == []
    assert s.sequence == 0
    services.update_session(
        event, s, data(event, start="10:15", end="11:15", room=hall, people=["Ana"]), now=now
    )
    assert s.sequence == 1
    services.update_session(
        event, s, data(event, start="10:15", end="11:15", room=hall, people=["Bo"]), now=now
    )
    assert s.sequence == 2
    services.cancel_session(event, s, now=now)
    assert s.sequence == 3
    services.reinstate_session(event, s, now=now)
    assert s.sequence == 4


def test_room_rename_is_logged_and_bumps_sequences(event, hall, now):
    s = services.create_session(event, data(event, room=hall), now=now)
    services.publish_programme(event, now)
    services.update_room(event, hall, name="Banyan Hall", capacity=100, location="", now=now)
    assert s.sequence == 1
    assert "Banyan Hall" in services.list_changes(event)[0].summary


def test_markdown_is_rendered_safely():
    html = render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


# --- stars, sign-ups and the waiting list ----------------------------------------------------


def test_star_toggles(event, hall, now):
    s = services.create_session(event, data(event, room=hall), now=now)
    _, reg = make_delegate(event)
    assert services.set_star(reg, s, None, now) is True
    assert services.set_star(reg, s, None, now) is False


def test_workshop_waiting_list_order_and_promotion_with_email(app, event, hall, now, outbox):
    w = services.create_session(
        event, data(event, "Workshop", room=hall, seats=2, kind=SessionKind.WORKSHOP), now=now
    )
    regs = [make_delegate(event, f"d{i}@example.org")[1] for i in range(5)]
    results = [services.signup(event, w, r, now=now).status for r in regs]
    assert results == [SeatStatus.CONFIRMED] * 2 + [SeatStatus.WAITLISTED] * 3
    db.session.commit()
    with pytest.raises(DomainError, match="already on the waiting list"):
        services.signup(event, w, regs[3], now=now)
    # The third delegate leaves the queue, then a confirmed one gives up the seat:
    # the fourth (next in line) is promoted, not the fifth.
    services.cancel_signup(event, w, regs[2], now=now)
    promoted = services.cancel_signup(event, w, regs[0], now=now)
    db.session.commit()
    assert [p.registration_id for p in promoted] == [regs[3].id]
    assert w.pool.taken == 2
    statuses = {r.id: services.get_signup(w, r).status for r in regs}
    assert (
        statuses[regs[3].id] is SeatStatus.CONFIRMED
        and statuses[regs[4].id] is SeatStatus.WAITLISTED
    )
    mails = outbox.to("d3@example.org")
    assert [m["Subject"] for m in mails] == ["Waiting list: Workshop", "A seat is yours: Workshop"]
    attachment = next(mails[-1].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert b"BEGIN:VEVENT" in attachment.get_payload(decode=True)
    confirmed = outbox.to("d0@example.org")[0]
    assert next(confirmed.iter_attachments()).get_filename() == "session.ics"


def test_returning_delegate_goes_to_the_back_of_the_queue(event, hall, now):
    w = services.create_session(event, data(event, "W", room=hall, seats=1), now=now)
    a, b, c = (make_delegate(event, f"q{i}@example.org")[1] for i in range(3))
    services.signup(event, w, a, now=now)
    services.signup(event, w, b, now=now)
    services.cancel_signup(event, w, b, now=now)
    services.signup(event, w, c, now=now)
    services.signup(event, w, b, now=now)
    promoted = services.cancel_signup(event, w, a, now=now)
    assert [p.registration_id for p in promoted] == [c.id]


def test_raising_the_seat_limit_promotes_the_waiting_list(event, hall, now):
    w = services.create_session(event, data(event, "W", room=hall, seats=1), now=now)
    regs = [make_delegate(event, f"r{i}@example.org")[1] for i in range(3)]
    for r in regs:
        services.signup(event, w, r, now=now)
    services.update_session(event, w, data(event, "W", room=hall, seats=2), now=now)
    assert services.get_signup(w, regs[1]).status is SeatStatus.CONFIRMED
    assert services.get_signup(w, regs[2]).status is SeatStatus.WAITLISTED
    with pytest.raises(ValidationFailed, match="already taken"):
        services.update_session(event, w, data(event, "W", room=hall, seats=1), now=now)


def test_signup_rules(event, hall, now):
    plain = services.create_session(event, data(event, "Plain", room=hall), now=now)
    w = services.create_session(
        event, data(event, "W", start="12:00", end="13:00", room=hall, seats=3), now=now
    )
    _, reg = make_delegate(event)
    with pytest.raises(DomainError, match="needs no sign-up"):
        services.signup(event, plain, reg, now=now)
    with pytest.raises(DomainError, match="started"):
        services.signup(event, w, reg, now=w.starts_at)
    services.cancel_session(event, w, now=now)
    with pytest.raises(DomainError, match="cancelled"):
        services.signup(event, w, reg, now=now)


def test_my_agenda_highlights_clashes(event, hall, now):
    other = services.create_room(event, name="Hall B")
    a = services.create_session(event, data(event, "A", room=hall), now=now)
    b = services.create_session(
        event, data(event, "B", start="10:30", end="11:30", room=other, seats=5), now=now
    )
    c = services.create_session(
        event, data(event, "C", start="14:00", end="15:00", room=hall), now=now
    )
    _, reg = make_delegate(event)
    services.set_star(reg, a, True, now)
    services.set_star(reg, c, True, now)
    services.signup(event, b, reg, now=now)
    items = services.my_agenda(event, reg)
    assert [i["session"].title for i in items] == ["A", "B", "C"]
    assert [len(i["clashes"]) for i in items] == [1, 1, 0]
    assert items[1]["seat"] is SeatStatus.CONFIRMED


def test_calendar_token_is_long_random_and_resettable(event):
    _, reg = make_delegate(event)
    first = services.ensure_calendar_token(reg)
    assert services.ensure_calendar_token(reg) == first
    assert len(first) >= 40
    second = services.reset_calendar_token(reg)
    assert second != first
    assert services.registration_by_calendar_token(event, first) is None
    assert services.registration_by_calendar_token(event, second) is reg
    assert services.registration_by_calendar_token(make_event("x2"), second) is None


# --- CSV -------------------------------------------------------------------------------------


CSV_HEAD = "title,kind,date,start,end,room,track,seat_limit,people,description\n"


def test_csv_import_all_rows_ok(event, hall, now):
    services.create_track(event, name="Policy", colour="#112233")
    content = (
        CSV_HEAD
        + (
            '"Opening, with a comma",plenary,2027-02-20,09:30,11:00,Hall A,Policy,,'
            '"chair: Meera Iyer | FMC | IN; Juan | UNIDO | AT",**hi**\n'
        )
        + "Workshop,workshop,2027-02-20,11:30,13:00,hall a,,20,,\n"
    ).encode()
    result = csvio.import_csv(event, content, now=now)
    assert result == {"created": 2, "updated": 0, "unchanged": 0}
    sessions = services.load_programme(event)
    assert [s.title for s in sessions] == ["Opening, with a comma", "Workshop"]
    assert [(p.name, p.role, p.country) for p in sessions[0].people] == [
        ("Meera Iyer", PersonRole.CHAIR, "IN"),
        ("Juan", PersonRole.SPEAKER, "AT"),
    ]
    assert event.local(sessions[0].starts_at).strftime("%H:%M") == "09:30"
    assert sessions[1].pool.capacity == 20


def test_csv_with_bad_rows_lists_line_numbers_and_writes_nothing(event, hall, now):
    content = (
        CSV_HEAD
        + "Good,parallel,2027-02-20,09:00,10:00,Hall A,,,,\n"
        + "Backwards,parallel,2027-02-20,11:00,10:00,,,,,\n"
        + "Nowhere,parallel,2027-02-20,12:00,13:00,Hall Z,,,,\n"
        + '"Multi\nline",talk,2027-02-20,12:00,13:00,,,,,\n'
        + "Clash,parallel,2027-02-20,09:30,10:30,Hall A,,,,\n"
        + "Bad date,parallel,20/02/2027,09:30,10:30,,,,,\n"
        + "Bad person,parallel,2027-02-20,14:00,15:00,,,,boss: X,\n"
    ).encode()
    with pytest.raises(csvio.ImportFailed) as exc:
        csvio.import_csv(event, content, now=now)
    errors = dict(exc.value.errors)
    assert "end after it starts" in errors[3]
    assert "Unknown room 'Hall Z'" in errors[4]
    assert "unknown kind 'talk'" in errors[5].lower()
    assert "room clash" in errors[7].lower() and "line 2" in errors[7]
    assert "YYYY-MM-DD" in errors[8]
    assert "unknown role 'boss'" in errors[9].lower()
    assert 2 not in errors
    assert count_sessions() == 0
    db.session.rollback()
    assert count_sessions() == 0


def test_csv_missing_columns_and_not_utf8(event, now):
    with pytest.raises(csvio.ImportFailed, match="1 error") as exc:
        csvio.import_csv(event, b"title,kind\nx,plenary\n", now=now)
    assert exc.value.errors[0][1].startswith(
        "Missing columns: date, start, end. Expected: id, title,"
    )
    with pytest.raises(csvio.ImportFailed):
        csvio.import_csv(event, "title,kind,date,start,end\nCafé".encode("latin-1"), now=now)


def test_csv_export_then_import_round_trips(event, hall, now):
    s = services.create_session(
        event, data(event, "=cmd|' /C calc'!A0", room=hall, people=["Ana"], seats=5), now=now
    )
    text = csvio.export_csv(event)
    assert "'=cmd" in text  # formula defused for spreadsheets
    result = csvio.import_csv(event, text.encode("utf-8-sig"), now=now)
    assert result == {"created": 0, "updated": 0, "unchanged": 1}
    assert s.title.startswith("=cmd") and s.sequence == 0
    changed = text.replace("10:00,11:00", "10:30,11:30")
    assert csvio.import_csv(event, changed.encode(), now=now)["updated"] == 1
    assert event.local(s.starts_at).strftime("%H:%M") == "10:30"
