"""iCalendar: the pure builder and the feeds built from the programme."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from confapp.agenda import feeds
from confapp.agenda import ical
from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import SessionKind
from tests.helpers import make_event


def _events(body: bytes) -> list:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_builder_parses_and_keeps_utc_instants_across_dst():
    start = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)  # 01:30 CET, before the change
    late = dt.datetime(2027, 3, 28, 9, 0, tzinfo=dt.UTC)  # 11:00 CEST, after it
    items = [
        ical.CalItem(
            uid="a@x", summary="Early", starts_at=start, ends_at=start + dt.timedelta(hours=1)
        ),
        ical.CalItem(
            uid="b@x",
            summary="Late",
            starts_at=late,
            ends_at=late + dt.timedelta(hours=1),
            cancelled=True,
            sequence=3,
        ),
    ]
    body = ical.build_calendar(items, name="Test", timezone="Europe/Berlin", years=(2027, 2027))
    early, later = _events(body)
    assert b"DTSTART;TZID=Europe/Berlin:20270328T013000" in body
    assert b"DTSTART;TZID=Europe/Berlin:20270328T110000" in body
    assert early.decoded("dtstart").astimezone(dt.UTC) == start
    assert later.decoded("dtstart").astimezone(dt.UTC) == late
    assert str(later["status"]) == "CANCELLED" and later["sequence"] == 3
    assert str(later["summary"]).startswith("Cancelled: ")


def test_vtimezone_onsets_follow_rfc5545():
    vtz = ical.vtimezone("Europe/Berlin", 2027, 2027).to_ical()
    # Spring: 02:00 CET becomes 03:00 CEST; DTSTART is the wall time before the change.
    assert (
        b"DTSTART:20270328T020000\r\nTZNAME:CEST\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in vtz
    )
    assert b"DTSTART:20271031T030000\r\nTZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100" in vtz
    # And the calendar's own parser resolves times through it correctly.
    body = ical.build_calendar(
        [
            ical.CalItem(
                uid="c@x",
                summary="x",
                starts_at=dt.datetime(2027, 7, 1, 8, tzinfo=dt.UTC),
                ends_at=dt.datetime(2027, 7, 1, 9, tzinfo=dt.UTC),
            )
        ],
        name="t",
        timezone="Europe/Berlin",
        years=(2027, 2027),
    )
    cal = icalendar.Calendar.from_ical(body)
    tz = cal.walk("VTIMEZONE")[0].to_tz()
    assert dt.datetime(2027, 7, 1, 10, 0, tzinfo=tz).astimezone(dt.UTC) == dt.datetime(
        2027, 7, 1, 8, tzinfo=dt.UTC
    )
    assert dt.datetime(2027, 1, 10, 10, 0, tzinfo=tz).astimezone(dt.UTC) == dt.datetime(
        2027, 1, 10, 9, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("zone", "starts_on", "local", "utc"),
    [
        (
            "Asia/Kolkata",
            dt.date(2027, 2, 20),
            "09:30",
            dt.datetime(2027, 2, 20, 4, 0, tzinfo=dt.UTC),
        ),
        (
            "Europe/Berlin",
            dt.date(2027, 3, 27),
            "09:30",
            dt.datetime(2027, 3, 27, 8, 30, tzinfo=dt.UTC),
        ),
    ],
)
def test_programme_feed_times_are_right_in_utc(app, zone, starts_on, local, utc, now):
    with app.test_request_context("/"):
        event = make_event(
            zone.split("/")[1].lower(),
            timezone=zone,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=2),
        )
        room = services.create_room(event, name="Hall A", location="Level 1")
        hours, minutes = map(int, local.split(":"))
        day2 = dt.datetime.combine(starts_on + dt.timedelta(days=1), dt.time(hours, minutes))
        first = services.create_session(
            event,
            services.SessionData(
                title="Opening",
                kind=SessionKind.PLENARY,
                starts_at=services.to_utc(
                    event, dt.datetime.combine(starts_on, dt.time(hours, minutes))
                ),
                ends_at=services.to_utc(
                    event, dt.datetime.combine(starts_on, dt.time(hours + 1, minutes))
                ),
                room_id=room.id,
                people=[services.PersonData("Ana Example", PersonRole.CHAIR, "UNIDO", "AT")],
            ),
            now=now,
        )
        second = services.create_session(
            event,
            services.SessionData(
                title="Day two",
                kind=SessionKind.PARALLEL,
                starts_at=services.to_utc(event, day2),
                ends_at=services.to_utc(event, day2 + dt.timedelta(hours=1)),
            ),
            now=now,
        )
        services.publish_programme(event, now)
        feed = feeds.programme_feed(event)
        cal = icalendar.Calendar.from_ical(feed.body)
        assert [str(t["tzid"]) for t in cal.walk("VTIMEZONE")] == [zone]
        vevents = {str(e["summary"]): e for e in cal.walk("VEVENT")}
        opening = vevents["Opening"]
        assert opening.decoded("dtstart").astimezone(dt.UTC) == utc
        assert opening["dtstart"].params["TZID"] == zone
        assert vevents["Day two"].decoded("dtstart").astimezone(dt.UTC) == second.starts_at
        assert str(opening["uid"]) == f"session-{first.id}-{event.slug}@localhost"
        assert "Hall A" in str(opening["location"]) and "India Habitat Centre" in str(
            opening["location"]
        )
        assert "Chair: Ana Example (UNIDO, Austria)" in str(opening["description"])
        assert str(opening["url"]).endswith(f"/events/{event.slug}/sessions/{first.id}")
        assert opening.decoded("dtstamp") and opening.decoded("last-modified")
        assert opening["sequence"] == 0 and str(opening["status"]) == "CONFIRMED"


def test_feed_is_cached_per_version_and_changes_bump_sequence(app, now):
    with app.test_request_context("/"):
        event = make_event()
        s = services.create_session(
            event,
            services.SessionData(
                title="Talk",
                kind=SessionKind.PARALLEL,
                starts_at=services.to_utc(event, dt.datetime(2027, 2, 20, 10)),
                ends_at=services.to_utc(event, dt.datetime(2027, 2, 20, 11)),
            ),
            now=now,
        )
        services.publish_programme(event, now)
        first = feeds.programme_feed(event)
        assert feeds.programme_feed(event) is first
        uid = str(_events(first.body)[0]["uid"])
        services.cancel_session(event, s, now=now + dt.timedelta(minutes=5))
        second = feeds.programme_feed(event)
        assert second.etag != first.etag
        cancelled = _events(second.body)[0]
        assert str(cancelled["uid"]) == uid
        assert str(cancelled["status"]) == "CANCELLED"
        assert cancelled["sequence"] == 1
        assert second.last_modified > first.last_modified
