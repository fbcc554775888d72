"""Service e-mails read with Python's email package: HTML with a plain-text part in one
layout (right to left in Arabic, stored text escaped), and the registration confirmation
(and a waiting-list promotion) carrying the event as an iTIP PUBLISH .ics that icalendar
and vobject both read."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import icalendar
import pytest
import vobject

from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import registration_form


@pytest.fixture
def event(app):
    """One seat, so the second delegate waits and is promoted when the first cancels."""
    with app.app_context():
        make_event(capacity=1, venue="India Habitat Centre", contact_email="team@example.org")
        db.session.commit()
    return "cdc"


def _strict(message) -> email.message.EmailMessage:
    """The message as it travels, parsed again strictly."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.strict)


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message.get_content_type()
    return text.get_content(), html.get_content()


def _calendars(message) -> list[bytes]:
    return [
        part.get_payload(decode=True)
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def test_confirmation_is_html_and_text_with_the_event_ics(app, client, event, outbox):
    client.post(
        f"/events/{event}/register",
        data=registration_form(email="ana@example.org", full_name="Ana <b>Example</b>"),
    )
    [message] = outbox.to("ana@example.org")
    message = _strict(message)
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_payload(0).get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    assert "Dear Ana <b>Example</b>," in text and "event.ics" in text
    assert "Ana &lt;b&gt;Example&lt;/b&gt;" in html and "<b>Example" not in html
    assert '<html lang="en" dir="ltr">' in html
    [ics] = _calendars(message)
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH" and part.get_filename() == "event.ics"

    calendar = icalendar.Calendar.from_ical(ics)
    assert calendar["METHOD"] == "PUBLISH"
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == dt.date(2027, 2, 20)
    assert vevent.decoded("DTEND") == dt.date(2027, 2, 23)  # exclusive: the 22nd included
    assert str(vevent["SUMMARY"]) == "Changing paradigms of cluster development"
    assert "India Habitat Centre" in str(vevent["LOCATION"])
    assert str(vevent["URL"]) == "http://localhost/events/cdc"
    assert str(vevent["UID"]).startswith("event-") and "mailto:team@example.org" in str(
        vevent["ORGANIZER"]
    )

    parsed = vobject.readOne(ics.decode("utf-8"))
    assert parsed.method.value == "PUBLISH"
    assert parsed.vevent.dtstart.value == dt.date(2027, 2, 20)
    assert parsed.vevent.summary.value == "Changing paradigms of cluster development"


def test_waiting_list_then_promotion_mails_and_only_the_promotion_has_the_ics(app, event, outbox):
    first, second = app.test_client(), app.test_client()
    first.post(f"/events/{event}/register", data=registration_form(email="one@example.org"))
    second.post(f"/events/{event}/register", data=registration_form(email="two@example.org"))
    [waiting] = outbox.to("two@example.org")
    _parts(_strict(waiting))
    assert _calendars(_strict(waiting)) == []  # no place yet: nothing to add to a calendar
    first.post(f"/events/{event}/my-registration/cancel", data={"confirmed": "yes"})
    cancelled = outbox.to("one@example.org")[-1]
    _parts(_strict(cancelled))
    promoted = _strict(outbox.to("two@example.org")[-1])
    assert promoted["Subject"].startswith("You have a place")
    text, html = _parts(promoted)
    assert "event.ics" in text and "<p" in html
    [ics] = _calendars(promoted)
    assert vobject.readOne(ics.decode("utf-8")).method.value == "PUBLISH"


def test_arabic_confirmation_is_right_to_left_with_the_title_in_arabic(app, client, event, outbox):
    with app.app_context():
        from confapp.events.models import Event

        found = db.session.scalar(db.select(Event))
        found.title_i18n = {"ar": "تغيير نماذج تنمية العناقيد"}
        db.session.commit()
    client.get(f"/events/{event}/register?lang=ar")
    client.post(f"/events/{event}/register", data=registration_form(email="ana@example.org"))
    [message] = outbox.to("ana@example.org")
    message = _strict(message)
    text, html = _parts(message)
    assert '<html lang="ar" dir="rtl">' in html and 'dir="rtl"' in html
    assert "Dear" not in text
    [ics] = _calendars(message)
    assert str(icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"]) == (
        "تغيير نماذج تنمية العناقيد"
    )


def test_announcements_and_service_mails_share_one_layout(app, event):
    from flask import render_template
    from markupsafe import Markup

    from confapp.events.models import Event
    from confapp.i18n import force_language

    with app.test_request_context(), force_language("ar"):
        found = db.session.scalar(db.select(Event))
        common = {"event": found, "subject": "S", "body": Markup("<p>BODY</p>"), "language": "ar"}
        service = render_template("email/layout.html", **common)
        announcement = render_template("comms/email.html", unsubscribe_url="", **common)
    for html in (service, announcement):
        assert html.startswith("<!DOCTYPE html>")
        assert '<html lang="ar" dir="rtl">' in html and '<div dir="rtl"' in html
        assert "<p>BODY</p>" in html
    # Everything before the body is the same but the announcement's heading.
    head = service.split("<p>BODY</p>")[0]
    assert (
        announcement.split("<p>BODY</p>")[0].replace(
            '    <h1 style="font-size:20px;margin:0 0 16px 0">S</h1>\n', ""
        )
        == head
    )
