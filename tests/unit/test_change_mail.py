"""E-mails to delegates when a session they hold or starred, or their visit, moves or ends."""

from __future__ import annotations

import icalendar
import pytest

from confapp.agenda import services as agenda
from confapp.agenda.models import PersonRole
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.extensions import db
from confapp.registration.models import RegistrationStatus
from confapp.visits import services as visits
from confapp.visits.models import VisitStatus
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_visit


def session_data(event, title="Workshop", start="10:00", end="11:00", room=None, seats=None):
    return agenda.SessionData(
        title=title,
        kind=SessionKind.WORKSHOP,
        starts_at=local_time(event, 0, start),
        ends_at=local_time(event, 0, end),
        room_id=room.id if room else None,
        seat_limit=seats,
        people=[agenda.PersonData(name="Ana Example", role=PersonRole.SPEAKER)],
    )


def vevent(message):
    """The VEVENT of the message's .ics attachment, parsed with icalendar."""
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    cal = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    return next(iter(cal.walk("VEVENT")))


def with_subject(outbox, prefix):
    return {m["To"]: m for m in outbox.messages() if m["Subject"].startswith(prefix)}


@pytest.fixture
def event(app_ctx):
    return make_event()


@pytest.fixture
def workshop(event, now):
    """A published one-seat workshop in Hall A: seat, waiting list, star, a cancelled seat,
    a starred but cancelled registration and a bystander."""
    hall = agenda.create_room(event, name="Hall A")
    agenda.create_room(event, name="Hall B")
    w = agenda.create_session(event, session_data(event, room=hall, seats=1), now=now)
    agenda.publish_programme(event, now)
    regs = {
        name: make_confirmed_registration(event, f"{name}@example.org")
        for name in ("seat", "waiting", "star", "left", "gone", "bystander")
    }
    assert agenda.signup(event, w, regs["seat"], now=now).status is SeatStatus.CONFIRMED
    assert agenda.signup(event, w, regs["waiting"], now=now).status is SeatStatus.WAITLISTED
    agenda.signup(event, w, regs["left"], now=now)
    agenda.cancel_signup(event, w, regs["left"], now=now)
    agenda.set_star(regs["star"], w, True, now)
    agenda.set_star(regs["gone"], w, True, now)
    regs["gone"].status = RegistrationStatus.CANCELLED
    db.session.commit()
    return w, regs


def test_moving_a_session_mails_seats_waiting_list_and_stars_with_old_and_new_time(
    event, workshop, now, outbox
):
    w, regs = workshop
    hall_b = next(r for r in agenda.list_rooms(event) if r.name == "Hall B")
    agenda.update_session(
        event, w, session_data(event, start="14:30", end="16:00", room=hall_b, seats=1), now=now
    )
    db.session.commit()
    mails = with_subject(outbox, "Changed: Workshop")
    assert sorted(mails) == ["seat@example.org", "star@example.org", "waiting@example.org"]
    body = outbox.body(mails["star@example.org"])
    # Old and new times on the event's wall clock (Asia/Kolkata, UTC+05:30), not UTC.
    assert "Time: Saturday 20 February 2027, 10:00–11:00" in body
    assert "→ Saturday 20 February 2027, 14:30–16:00 (Asia/Kolkata)" in body
    assert "Room: Hall A → Hall B" in body
    entry = vevent(mails["seat@example.org"])
    assert entry.decoded("DTSTART") == local_time(event, 0, "14:30")
    assert int(entry["SEQUENCE"]) == w.sequence == 1
    assert "Hall B" in str(entry["LOCATION"])


@pytest.mark.parametrize("how", ["moved", "cancelled"])
def test_change_mails_carry_an_itip_message_calendars_apply(event, workshop, now, outbox, how):
    """Issue 16 #14: the attachment is an iTIP PUBLISH (RFC 6047 §2.4: method= and charset=
    in the content type, METHOD and ORGANIZER in the file, the feeds' UID, a higher
    SEQUENCE), read as such by vobject, not a bare file to import."""
    from tests.calendars import read_vobject

    w, _regs = workshop
    if how == "moved":
        agenda.update_session(
            event, w, session_data(event, start="10:30", end="11:30", room=w.room, seats=1), now=now
        )
    else:
        agenda.cancel_session(event, w, now=now)
    db.session.commit()
    message = next(
        iter(with_subject(outbox, "Changed" if how == "moved" else "Cancelled").values())
    )
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_param("charset").lower() == "utf-8"
    seen = read_vobject(attachment.get_payload(decode=True))
    assert seen["method"] == "PUBLISH"
    (entry,) = seen["events"]
    assert entry["uid"].startswith(f"session-{w.id}-") and entry["sequence"] == 1
    assert entry["organizer"] is not None
    assert entry["status"] == ("CANCELLED" if how == "cancelled" else "CONFIRMED")


def test_time_only_move_says_the_room_is_unchanged(event, workshop, now, outbox):
    w, _regs = workshop
    agenda.update_session(
        event, w, session_data(event, start="10:30", end="11:30", room=w.room, seats=1), now=now
    )
    db.session.commit()
    body = outbox.body(with_subject(outbox, "Changed: Workshop")["waiting@example.org"])
    assert "10:00–11:00" in body and "10:30–11:30" in body
    assert "Room: Hall A\n" in body and "→ Hall" not in body


def test_cancelling_a_session_mails_cancelled_with_a_cancelled_calendar_entry(
    event, workshop, now, outbox
):
    w, _regs = workshop
    agenda.cancel_session(event, w, now=now)
    db.session.commit()
    mails = with_subject(outbox, "Cancelled: Workshop")
    assert sorted(mails) == ["seat@example.org", "star@example.org", "waiting@example.org"]
    body = outbox.body(mails["seat@example.org"])
    assert (
        "this session is cancelled" in body
        and "Saturday 20 February 2027, 10:00–11:00 (Asia/Kolkata)" in body
    )
    entry = vevent(mails["seat@example.org"])
    assert str(entry["STATUS"]) == "CANCELLED" and int(entry["SEQUENCE"]) == 1
    agenda.reinstate_session(event, w, now=now)
    db.session.commit()
    assert sorted(with_subject(outbox, "Back on the programme: Workshop")) == sorted(mails)


def test_title_or_seat_edits_send_no_mail(event, workshop, now, outbox):
    w, _regs = workshop
    before = len(outbox.messages())
    agenda.update_session(
        event, w, session_data(event, title="Workshop on finance", room=w.room, seats=1), now=now
    )
    db.session.commit()
    assert w.sequence == 1  # calendars still learn the new title
    assert len(outbox.messages()) == before


def test_unpublished_programme_changes_send_no_mail(event, now, outbox):
    w = agenda.create_session(event, session_data(event, seats=5), now=now)
    reg = make_confirmed_registration(event, "early@example.org")
    agenda.signup(event, w, reg, now=now)
    db.session.commit()
    agenda.update_session(
        event, w, session_data(event, start="15:00", end="16:00", seats=5), now=now
    )
    agenda.cancel_session(event, w, now=now)
    db.session.commit()
    assert [m["Subject"] for m in outbox.to(reg.email)] == ["Your seat: Workshop"]


def test_rolled_back_change_sends_no_mail(event, workshop, now, outbox):
    w, _regs = workshop
    before = len(outbox.messages())
    agenda.cancel_session(event, w, now=now)
    db.session.rollback()
    db.session.commit()
    assert len(outbox.messages()) == before


# --- visits ------------------------------------------------------------------------------------


def visit_data(visit, **changes):
    values = {
        "title": visit.title,
        "departs_at": visit.departs_at,
        "returns_at": visit.returns_at,
        "capacity_cap": visit.capacity_cap,
        "meeting_point": visit.meeting_point,
        "buses": [visits.BusData(b.name, b.seats, b.id) for b in visit.buses],
    }
    values.update(changes)
    return visits.VisitData(**values)


@pytest.fixture
def trip(event, now):
    """A one-seat visit: a seat, a waiting place, a cancelled sign-up, a cancelled registration."""
    visit = make_visit(event, buses=(("Van", 2),), cap=2, start="08:00", end="17:00")
    regs = {
        name: make_confirmed_registration(event, f"{name}@example.org")
        for name in ("seat", "seat2", "waiting", "left")
    }
    for name in ("seat", "seat2", "waiting", "left"):
        visits.signup(event, visit, regs[name], now=now)
    visits.cancel(event, visit, regs["left"], now=now)  # "waiting" moves up into the freed seat
    extra = make_confirmed_registration(event, "queue@example.org")
    assert visits.signup(event, visit, extra, now=now).status is SeatStatus.WAITLISTED
    regs["queue"] = extra
    regs["seat2"].status = RegistrationStatus.CANCELLED
    db.session.commit()
    return visit, regs


def test_retimed_visit_mails_everyone_signed_up_with_old_and_new_time(event, trip, now, outbox):
    visit, _regs = trip
    visits.update_visit(
        event,
        visit,
        visit_data(
            visit,
            departs_at=local_time(event, 1, "09:15"),
            returns_at=local_time(event, 1, "18:00"),
        ),
        now=now,
    )
    db.session.commit()
    mails = with_subject(outbox, f"New time: {visit.title}")
    assert sorted(mails) == ["queue@example.org", "seat@example.org", "waiting@example.org"]
    body = outbox.body(mails["queue@example.org"])
    assert "Was: departs Sunday 21 February 2027, 08:00, back about 17:00" in body
    assert "Now: departs Sunday 21 February 2027, 09:15, back about 18:00 (Asia/Kolkata)" in body
    entry = vevent(mails["seat@example.org"])
    assert entry.decoded("DTSTART") == local_time(event, 1, "09:15")
    assert int(entry["SEQUENCE"]) == visit.sequence == 1


def test_new_meeting_point_mails_everyone_signed_up(event, trip, now, outbox):
    visit, _regs = trip
    visit.meeting_point = "Hotel lobby"
    db.session.commit()
    visits.update_visit(
        event, visit, visit_data(visit, meeting_point="Gate 3, Pragati Maidan"), now=now
    )
    db.session.commit()
    mails = with_subject(outbox, f"New meeting point: {visit.title}")
    assert sorted(mails) == ["queue@example.org", "seat@example.org", "waiting@example.org"]
    body = outbox.body(mails["seat@example.org"])
    assert "has a new meeting point:" in body
    assert "Meeting point was: Hotel lobby\n  Meeting point now: Gate 3, Pragati Maidan" in body
    assert "Departs Sunday 21 February 2027, 08:00, back about 17:00 (Asia/Kolkata)" in body
    assert "Was: departs" not in body
    assert "Gate 3, Pragati Maidan" in str(vevent(mails["seat@example.org"])["LOCATION"])
    # Time and place at once: one e-mail each that names both.
    visits.update_visit(
        event,
        visit,
        visit_data(visit, meeting_point="Hotel lobby", departs_at=local_time(event, 1, "07:30")),
        now=now,
    )
    db.session.commit()
    both = with_subject(outbox, f"New time and meeting point: {visit.title}")
    assert sorted(both) == ["queue@example.org", "seat@example.org", "waiting@example.org"]
    body = outbox.body(both["queue@example.org"])
    assert (
        "Now: departs Sunday 21 February 2027, 07:30" in body
        and "Meeting point now: Hotel lobby" in body
    )


def test_visit_title_edit_sends_no_mail_and_cancel_attaches_cancelled_ics(event, trip, now, outbox):
    visit, _regs = trip
    before = len(outbox.messages())
    visits.update_visit(event, visit, visit_data(visit, title="Auto parts cluster"), now=now)
    db.session.commit()
    assert len(outbox.messages()) == before
    visits.update_visit(event, visit, visit_data(visit, status=VisitStatus.CANCELLED), now=now)
    db.session.commit()
    mails = with_subject(outbox, "Cancelled: Auto parts cluster")
    assert sorted(mails) == ["queue@example.org", "seat@example.org", "waiting@example.org"]
    assert "is cancelled" in outbox.body(mails["seat@example.org"])
    assert str(vevent(mails["queue@example.org"])["STATUS"]) == "CANCELLED"
    # Saving the cancelled visit again (e.g. a new description) does not mail again.
    visits.update_visit(
        event, visit, visit_data(visit, status=VisitStatus.CANCELLED, description="x"), now=now
    )
    db.session.commit()
    assert len(with_subject(outbox, "Cancelled:")) == 3
