"""Segment filters, one by one and combined, against the hand-counted world of
tests/comms_world.py; the count equals the people listed (one per person)."""

from __future__ import annotations

import pytest

from confapp.comms import segments
from confapp.errors import ValidationFailed
from tests import comms_world


@pytest.fixture
def world(app_ctx, monkeypatch):
    comms_world.fast_passwords(monkeypatch)
    return comms_world.build()


def names(world, raw) -> list[str]:
    segment = segments.parse(raw, world.event)
    found = sorted(r.email.split("@")[0] for r in segments.registrations(world.event, segment))
    assert segments.count(world.event, segment) == len(found)
    return found


def test_the_empty_segment_is_every_confirmed_registration(world):
    assert names(world, {}) == ["ana", "ben", "chloe", "gus"]


EACH = (
    ({"status": ["waitlisted"]}, ["dan"]),
    ({"status": ["pending", "cancelled"]}, ["eve", "fay"]),
    ({"category": ["delegate"]}, ["ana", "chloe", "gus"]),
    ({"category": ["speaker"]}, ["ben"]),
    ({"country": ["KE"]}, ["ana", "gus"]),
    ({"country": ["ke", "IN"]}, ["ana", "ben", "gus"]),
    ({"organisation_type": ["msme"]}, ["ana"]),
    ({"sector": ["industry"]}, ["ana", "gus"]),
    ({"attended": "entrance"}, ["ana", "ben"]),
    ({"not_attended": ["entrance"]}, ["chloe", "gus"]),
    ({"has_meetings": True}, ["ana", "ben"]),
    ({"has_meetings": False}, ["chloe", "gus"]),
    ({"pending_meeting_request": True}, ["chloe"]),
    ({"visa_letter_missing": True}, ["ana", "gus"]),
    ({"country_group": ["LDC"]}, ["chloe"]),  # Bangladesh
    ({"country_group": ["002"]}, ["ana", "gus"]),  # Africa: Kenya
    ({"country_group": ["developing"]}, ["ana", "ben", "chloe", "gus"]),
)


def test_each_filter(world):
    for raw, expected in EACH:
        assert names(world, raw) == expected, raw


def test_visit_session_and_checkpoint_filters(world):
    visit, session = world.visit.id, world.session.id
    assert names(world, {"visit_id": visit}) == ["ana", "ben"]  # gus only waits
    assert names(world, {"session_id": session}) == ["chloe"]
    assert names(world, {"attended": f"visit:{visit}"}) == ["ben"]
    assert names(world, {"attended": [f"session:{session}"]}) == ["gus"]


COMBINED = (
    ({"country_group": ["LDC", "142"]}, ["chloe"]),  # least developed AND in Asia
    ({"country_group": ["LDC", "002"]}, []),
    ({"country_group": ["002"], "visit_id": None, "has_meetings": True}, ["ana"]),
        ({"country": ["KE"], "sector": ["industry"], "status": ["confirmed", "waitlisted"]},
         ["ana", "dan", "gus"]),
        ({"country": ["KE", "IN"], "not_attended": "entrance"}, ["gus"]),
        ({"category": ["delegate"], "visa_letter_missing": True}, ["ana", "gus"]),
        ({"has_meetings": True, "attended": "entrance"}, ["ana", "ben"]),
        ({"status": ["confirmed", "confirmed"]}, ["ana", "ben", "chloe", "gus"]),
)  # fmt: skip


def test_combinations(world):
    for raw, expected in COMBINED:
        assert names(world, raw) == expected, raw


def test_a_person_matching_twice_is_one_recipient(world):
    visit = world.visit.id
    # ben: a seat on the visit, scanned at the entrance and on the visit.
    assert names(world, {"visit_id": visit, "country": ["KE"]}) == ["ana"]
    assert names(world, {"attended": ["entrance", f"visit:{visit}"]}) == ["ben"]
    assert names(world, {"visit_id": visit, "attended": "entrance", "has_meetings": True}) == [
        "ana",
        "ben",
    ]


BAD = (
    ([], "must be an object"),
    ({"colour": ["red"]}, "Unknown segment filter"),
    ({"status": ["maybe"]}, "not a known value"),
    ({"status": "confirmed,waitlisted"}, "not a known value"),
    ({"country": ["XX"]}, "not an ISO 3166-1"),
    ({"visit_id": 999999}, "names nothing in this event"),
    ({"visit_id": "abc"}, "must be a number"),
    ({"visit_id": True}, "must be a number"),
    ({"attended": "door"}, "takes “entrance”"),
    ({"attended": "session:999999"}, "names nothing"),
    ({"has_meetings": "yes"}, "must be true or false"),
    ({"country": {"KE": 1}}, "must be a list"),
    ({"country_group": ["G77"]}, "not a known country group"),
)


def test_bad_segments_are_refused_with_the_reason(world):
    for raw, words in BAD:
        with pytest.raises(ValidationFailed) as refused:
            segments.parse(raw, world.event)
        assert words in refused.value.message, raw
        assert refused.value.field == "segment"


def test_another_events_visit_is_unknown_here(world):
    from tests.helpers import make_event
    from tests.helpers import make_visit

    other = make_event("other")
    elsewhere = make_visit(other, "Elsewhere")
    with pytest.raises(ValidationFailed):
        segments.parse({"visit_id": elsewhere.id}, world.event)


def test_describe_says_the_segment_in_words(world):
    segment = segments.parse(
        {"country": ["KE"], "visit_id": world.visit.id, "not_attended": "entrance"}, world.event
    )
    lines = [(c.label, c.value) for c in segments.describe(segment, world.event)]
    assert ("Registration status", "Confirmed") in lines
    assert ("Country", "Kenya") in lines
    assert ("Signed up for the visit", "Panipat textile cluster") in lines
    assert ("Did not attend", "the entrance") in lines
