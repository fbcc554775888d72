"""Calendar outputs read by other people's parsers (vobject and ical.js): feeds and e-mail
messages agree on every time, DST's repeated hour included; stored text never breaks them;
e-mail attachments are iTIP messages with METHOD, ORGANIZER and the feed's UID."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from confapp.agenda import feeds
from confapp.agenda import ical
from confapp.agenda import rooms
from confapp.agenda import sessions
from confapp.agenda import stars
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.extensions import db
from tests.calendars import read_both
from tests.helpers import make_delegate
from tests.helpers import make_event

UTC = dt.UTC


def _add(event, title, starts_at, minutes=30, **data):
    return sessions.create_session(
        event,
        sessions.SessionData(
            title=title,
            kind=data.pop("kind", SessionKind.PARALLEL),
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=minutes),
            **data,
        ),
        now=dt.datetime(2026, 12, 1, tzinfo=UTC),
    )


def _z(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# Instants around clock changes, in UTC, and the wall time each shows locally.
CHANGES = {
    # Berlin goes back at 03:00 CEST to 02:00 CET on 31 October 2027: 02:xx happens twice.
    "Europe/Berlin": (
        dt.date(2027, 10, 30),
        dt.date(2027, 10, 31),
        [
            dt.datetime(2027, 10, 30, 23, 30, tzinfo=UTC),  # 01:30 CEST
            dt.datetime(2027, 10, 31, 0, 15, tzinfo=UTC),  # 02:15 CEST (first)
            dt.datetime(2027, 10, 31, 1, 15, tzinfo=UTC),  # 02:15 CET (second)
            dt.datetime(2027, 10, 31, 2, 30, tzinfo=UTC),  # 03:30 CET
        ],
    ),
    # Santiago goes back at 24:00 on Saturday 3 April 2027 to 23:00: 23:xx happens twice.
    "America/Santiago": (
        dt.date(2027, 4, 3),
        dt.date(2027, 4, 4),
        [
            dt.datetime(2027, 4, 4, 1, 30, tzinfo=UTC),  # 22:30 -03
            dt.datetime(2027, 4, 4, 2, 30, tzinfo=UTC),  # 23:30 -03 (first)
            dt.datetime(2027, 4, 4, 3, 30, tzinfo=UTC),  # 23:30 -04 (second)
            dt.datetime(2027, 4, 4, 4, 30, tzinfo=UTC),  # 00:30 -04
        ],
    ),
}


@pytest.mark.parametrize("zone", sorted(CHANGES))
def test_times_in_the_repeated_hour_read_the_same_everywhere(app_ctx, tmp_path, zone):
    starts_on, ends_on, instants = CHANGES[zone]
    event = make_event(starts_on=starts_on, ends_on=ends_on, timezone=zone)
    made = [_add(event, f"At {i}", moment, minutes=20) for i, moment in enumerate(instants)]
    db.session.flush()
    for body in (
        feeds.session_ics_bytes(event, made[1]),
        feeds.session_ics_bytes(event, made[2]),
        ical.build_calendar(
            feeds.session_items(event, made, "example.org"), name="all", timezone=zone
        ),
    ):
        seen = {e["summary"]: e["start"] for e in read_both(body, tmp_path)["events"]}
        for i, moment in enumerate(instants):
            if f"At {i}" in seen:
                assert seen[f"At {i}"] == _z(moment), (zone, i)
    # Unambiguous wall times keep the event's zone; only the repeated hour is in UTC.
    text = ical.build_calendar(
        feeds.session_items(event, made, "example.org"), name="all", timezone=zone
    ).decode()
    assert text.count(f"DTSTART;TZID={zone}:") == 2
    assert _z(instants[1]).replace("-", "").replace(":", "") in text


def test_spring_forward_and_ordinary_days_read_the_same_everywhere(app_ctx, tmp_path):
    event = make_event(
        starts_on=dt.date(2027, 3, 27), ends_on=dt.date(2027, 3, 28), timezone="Europe/Berlin"
    )
    instants = [
        dt.datetime(2027, 3, 27, 9, 0, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 01:30 CET
        dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 03:30 CEST
    ]
    made = [_add(event, f"At {i}", moment) for i, moment in enumerate(instants)]
    body = ical.build_calendar(
        feeds.session_items(event, made, "example.org"),
        name="spring",
        timezone="Europe/Berlin",
    )
    seen = [e["start"] for e in read_both(body, tmp_path)["events"]]
    assert seen == [_z(m) for m in instants]
    assert b"DTSTART;TZID=Europe/Berlin:20270328T033000" in body


def test_stored_text_with_line_breaks_and_control_characters_never_breaks_a_calendar(
    app_ctx, tmp_path
):
    event = make_event(title="Cluster\r\nweek \x07 2027")
    hall = rooms.create_room(event, name="Hall A", location="Floor 1")
    talk = _add(
        event,
        "Talk",
        dt.datetime(2027, 2, 20, 4, 30, tzinfo=UTC),
        room_id=hall.id,
        people=[sessions.PersonData("Ana", PersonRole.SPEAKER, "Org", "KE")],
    )
    # As an old import or a direct database edit may have left them.
    # (PostgreSQL cannot store NUL, so the NUL is checked on the builder below.)
    talk.title = "Opening\r\nplenary\x01 \x1b[31m\u2028again"
    talk.description = "Line one\r\nLine two\x0b\x0c\r\n\r\nEnd\x7f"
    hall.name = "Hall\nA"
    db.session.flush()
    db.session.refresh(talk)
    bodies = [
        feeds.session_ics_bytes(event, talk),
        feeds.programme_feed(event).body,
        feeds.personal_feed(event, [talk], "Ana\r\nExample", []).body,
        feeds.session_message(
            event,
            talk,
            method="REQUEST",
            sent_at=dt.datetime(2026, 12, 1, tzinfo=UTC),
            attendee=ical.Party("ana@example.org", 'Ana "the" Example\r\n'),
        ),
        ical.build_calendar(
            [
                ical.CalItem(
                    uid="nul@example.org",
                    summary="Opening\x00plenary\r\n [31m again",
                    starts_at=talk.starts_at,
                    ends_at=talk.ends_at,
                    description="Line one\r\nLine two\x00\n\nEnd",
                )
            ],
            name="N\x00UL",
            timezone=event.timezone,
        ),
    ]
    for body in bodies:
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
        (seen,) = read_both(body, tmp_path)["events"]
        assert seen["summary"] == "Opening plenary [31m again"
        assert "Line one\nLine two\n\nEnd" in seen["description"]


@pytest.mark.parametrize(
    ("method", "attendee"),
    [("REQUEST", True), ("CANCEL", True), ("PUBLISH", False)],
)
def test_email_messages_are_itip_with_the_feeds_uid_and_sequence(
    app_ctx, tmp_path, method, attendee
):
    event = make_event(contact_email="team@cluster.example")
    workshop = _add(
        event, "Workshop", dt.datetime(2027, 2, 20, 4, 30, tzinfo=UTC), kind=SessionKind.WORKSHOP
    )
    workshop.sequence = 3
    db.session.flush()
    feed = read_both(feeds.session_ics_bytes(event, workshop), tmp_path)
    sent_at = dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    body = feeds.session_message(
        event,
        workshop,
        method=method,
        sent_at=sent_at,
        attendee=ical.Party("ana@example.org", "Ana Example") if attendee else None,
    )
    seen = read_both(body, tmp_path)
    assert seen["method"] == method
    (message,) = seen["events"]
    assert message["uid"] == feed["events"][0]["uid"]
    assert message["sequence"] == 3
    assert message["organizer"] == {
        "value": "mailto:team@cluster.example",
        "cn": event.title,
    }
    expected = [{"value": "mailto:ana@example.org", "cn": "Ana Example"}] if attendee else []
    assert message["attendees"] == expected
    assert f"DTSTAMP:{_z(sent_at).replace('-', '').replace(':', '')}".encode() in body


def test_without_a_contact_address_the_organiser_is_the_no_reply_sender(app_ctx, tmp_path):
    event = make_event(contact_email="")
    talk = _add(event, "Talk", dt.datetime(2027, 2, 20, 4, 30, tzinfo=UTC))
    body = feeds.session_message(
        event, talk, method="PUBLISH", sent_at=dt.datetime(2026, 12, 1, tzinfo=UTC)
    )
    (message,) = read_both(body, tmp_path)["events"]
    assert message["organizer"]["value"] == "mailto:no-reply@confapp.local"
    assert message["organizer"]["cn"] == event.title


def test_the_personal_feed_reads_the_same_everywhere(app_ctx, tmp_path):
    event = make_event()
    talk = _add(event, "Talk", dt.datetime(2027, 2, 20, 4, 30, tzinfo=UTC))
    gone = _add(event, "Gone", dt.datetime(2027, 2, 20, 6, 30, tzinfo=UTC))
    sessions.publish_programme(event, dt.datetime(2026, 12, 1, tzinfo=UTC))
    _, registration = make_delegate(event)
    for s in (talk, gone):
        stars.set_star(registration, s, True, dt.datetime(2026, 12, 1, tzinfo=UTC))
    sessions.cancel_session(event, gone, now=dt.datetime(2026, 12, 2, tzinfo=UTC))
    db.session.refresh(gone)
    feed = stars.personal_calendar(event, registration)
    seen = read_both(feed.body, tmp_path)["events"]
    assert [(e["summary"], e["status"]) for e in seen] == [
        ("Talk", "CONFIRMED"),
        ("Cancelled: Gone", "CANCELLED"),
    ]
    assert seen[1]["sequence"] == 1
    assert isinstance(db.session.get(ProgrammeSession, talk.id), ProgrammeSession)
