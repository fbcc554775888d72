"""Saving an organiser form as it was opened changes nothing: no public change, no e-mail,
no event-log entry, no new calendar SEQUENCE or programme version (issue 19)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.agenda import rooms
from confapp.agenda import sessions
from confapp.agenda import stars
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeChange
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.db import utcnow
from confapp.eventlog.models import EventLogEntry
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


class _FormValues(HTMLParser):
    """The values a browser would post for each <form method="post"> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._select: str | None = None
        self._options: list[str] = []
        self._chosen: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
            self.forms.append([])
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._options, self._chosen = a.get("name"), [], None
        elif tag == "option" and self._select is not None:
            self._options.append(a.get("value") or "")
            if "selected" in a:
                self._chosen = a.get("value") or ""
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            # With no option selected, a browser posts the first one.
            chosen = self._chosen if self._chosen is not None else (self._options or [""])[0]
            self.forms[-1].append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers read line breaks as LF, drop the one after <textarea> and post CRLF.
            text = "".join(self._text).replace("\r\n", "\n").replace("\r", "\n")
            text = text.removeprefix("\n").replace("\n", "\r\n")
            self.forms[-1].append((self._textarea, text))
            self._textarea = None


def form_values(html: str) -> dict[str, str]:
    """The fields of the page's biggest POST form (not the header's sign-out button)."""
    parser = _FormValues()
    parser.feed(html)
    return dict(max(parser.forms, key=len))


@pytest.fixture
def published(app):
    """A published programme with a rich workshop (people, track, room, seats, a
    multi-line description stored with CRLF, as an older import left it), starred by a
    delegate who also holds a seat."""
    with app.app_context():
        event = make_event()
        hall = rooms.create_room(event, name="Hall A", capacity=50, location="Ground floor")
        track = rooms.create_track(event, name="Finance", colour="#1f6feb")
        workshop = sessions.create_session(
            event,
            sessions.SessionData(
                title="Export finance clinic",
                kind=SessionKind.WORKSHOP,
                starts_at=local_time(event, 0, "10:00"),
                ends_at=local_time(event, 0, "11:30"),
                room_id=hall.id,
                track_id=track.id,
                description="Bring:\n\n- your questions\n- your numbers",
                seat_limit=12,
                people=[
                    sessions.PersonData("Lucía Fernández", PersonRole.MODERATOR, "IDB", "US"),
                    sessions.PersonData("Ana Example", PersonRole.SPEAKER, "", ""),
                ],
            ),
            now=utcnow(),
        )
        workshop.description = "Bring:\r\n\r\n- your questions\r\n- your numbers\r\n"
        organiser = make_staff(event, "org@example.org")
        _, registration = make_delegate(event)
        sessions.publish_programme(event, utcnow())
        stars.set_star(registration, workshop, True, utcnow())
        db.session.commit()
        return {
            "event": event.id,
            "session": workshop.id,
            "room": hall.id,
            "track": track.id,
            "organiser": organiser.id,
        }


def _state(app, ids) -> tuple:
    with app.app_context():
        session = db.session.get(ProgrammeSession, ids["session"])
        event = db.session.get(Event, ids["event"])
        return (
            session.sequence,
            event.programme_version,
            db.session.scalar(sa.select(sa.func.count(ProgrammeChange.id))),
            db.session.scalar(sa.select(sa.func.count(EventLogEntry.id))),
        )


def _signed_in(app, client, user_id):
    with app.app_context():
        sign_in(client, db.session.get(User, user_id))
    return client


def test_opening_a_session_and_saving_it_changes_nothing(app, client, published, outbox):
    _signed_in(app, client, published["organiser"])
    path = f"/events/cdc/manage/programme/sessions/{published['session']}"
    before = _state(app, published)
    mails = len(outbox.messages())
    values = form_values(client.get(path).get_data(as_text=True))
    assert "\r\n" in values["description"]  # posted as a browser posts a textarea
    response = client.post(path, data=values, follow_redirects=True)
    assert response.status_code == 200
    assert "Nothing changed." in response.get_data(as_text=True)
    assert _state(app, published) == before
    assert len(outbox.messages()) == mails
    changes = client.get("/events/cdc/programme/changes").get_data(as_text=True)
    assert "description" not in changes and "No changes so far." in changes
    # A real edit is logged once, announced and raises SEQUENCE.
    values["title"] = "Export finance clinic (advanced)"
    client.post(path, data=values)
    sequence, version, public, logged = _state(app, published)
    assert (sequence, public, logged) == (before[0] + 1, 1, 1)
    assert version > before[1]
    changes = client.get("/events/cdc/programme/changes").get_data(as_text=True)
    assert "title updated" in changes


def test_saving_a_room_or_track_unchanged_changes_nothing(app, client, published):
    _signed_in(app, client, published["organiser"])
    before = _state(app, published)
    for path in (
        f"/events/cdc/manage/programme/rooms/{published['room']}",
        f"/events/cdc/manage/programme/tracks/{published['track']}",
    ):
        values = form_values(client.get(path).get_data(as_text=True))
        assert client.post(path, data=values).status_code == 302
    assert _state(app, published) == before


def test_repeated_cancel_of_a_session_is_done_once(app, client, published, outbox):
    _signed_in(app, client, published["organiser"])
    path = f"/events/cdc/manage/programme/sessions/{published['session']}/cancel"
    client.post(path, data={"confirmed": "yes"})
    again = client.post(path, data={"confirmed": "yes"}, follow_redirects=True)
    assert "already cancelled" in again.get_data(as_text=True)
    _, _, public, logged = _state(app, published)
    assert (public, logged) == (1, 1)
    assert len(outbox.to("delegate@example.org")) == 1
