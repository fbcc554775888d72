"""The programme CSV import cleans cells as the forms do and refuses what is not text."""

from __future__ import annotations

import pytest

from confapp.agenda import csvio
from confapp.agenda import feeds
from confapp.agenda import programme
from confapp.agenda import rooms
from confapp.extensions import db
from tests.helpers import make_event

HEAD = "title,kind,date,start,end,room,track,seat_limit,people,description\n"


@pytest.fixture
def event(app_ctx):
    event = make_event()
    rooms.create_room(event, name="Hall A")
    db.session.flush()
    return event


def test_a_multi_line_cell_in_a_one_line_column_is_normalised(event, now):
    # Excel writes Alt+Enter as a line break inside a quoted cell.
    content = (
        HEAD
        + '"Opening\r\nplenary",plenary,2027-02-20,09:00,10:00,"Hall A\n",,,'
        + '"chair: Meera\nIyer | FMC | IN","Line one\r\nLine two\r\n\r\nAfter a blank"\n'
        + "Second,parallel,2027-02-20,11:00,12:00,,,,,\n"
    ).encode()
    assert csvio.import_csv(event, content, now=now)["created"] == 2
    first, second = programme.load_programme(event)
    assert first.title == "Opening plenary" and first.room.name == "Hall A"
    assert [p.name for p in first.people] == ["Meera Iyer"]
    assert first.description == "Line one\nLine two\n\nAfter a blank"
    assert second.title == "Second"
    # The session's calendar file builds and has no bare line break in its SUMMARY.
    body = feeds.session_ics_bytes(event, first).decode()
    assert "SUMMARY:Opening plenary\r\n" in body


def test_nul_in_the_file_is_refused_with_its_line_number(event, now):
    content = HEAD + "Fine,plenary,2027-02-20,09:00,10:00,,,,,\n" + "Bad\x00,plenary,x,,,,,,,\n"
    with pytest.raises(csvio.ImportFailed) as exc:
        csvio.import_csv(event, content.encode(), now=now)
    ((line, message),) = exc.value.errors
    assert line == 3 and "NUL" in message
    assert programme.load_programme(event) == []


@pytest.mark.parametrize(
    ("seats", "ident"), [("²", ""), ("٣", ""), ("9" * 25, ""), ("", "²"), ("", "9" * 25)]
)
def test_numbers_that_are_not_plain_digits_are_row_errors(event, now, seats, ident):
    content = (
        "id," + HEAD + f"{ident},Workshop,workshop,2027-02-20,09:00,10:00,,,{seats},,\n"
    ).encode()
    with pytest.raises(csvio.ImportFailed) as exc:
        csvio.import_csv(event, content, now=now)
    ((line, message),) = exc.value.errors
    assert line == 2
    assert "seat_limit must be a whole number" in message.lower() or "session with id" in message
