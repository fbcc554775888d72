"""Announcements through a real `confapp worker` and a real SMTP server (aiosmtpd): 300
people in three languages get one message each in their language with the placeholders
filled; a scheduled one leaves only at its time; a cancelled one never; an opted-out
delegate gets no announcement but still gets a service message; the unsubscribe link in
the message works without signing in and cannot be forged."""

from __future__ import annotations

import collections
import datetime as dt
import email
import email.policy
import time

import pytest
import sqlalchemy as sa

from confapp.comms import services
from confapp.comms.models import AnnouncementOptOut
from confapp.db import utcnow
from confapp.extensions import db
from confapp.mail import send_mail
from tests import comms_world
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.web.test_mail_worker import Sink
from tests.web.test_mail_worker import free_port
from tests.web.test_mail_worker import setup  # noqa: F401 - the fixture
from tests.web.test_mail_worker import wait_for

LANGUAGES = ("en", "fr", "es")
SUBJECTS = {
    "en": "Bus to {visit_name}?",
    "fr": "Bus du {first_name}",
    "es": "Autobús de {first_name}",
}


class Keeper(Sink):
    """The sink, keeping each message parsed (by recipient)."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.messages: dict[str, list] = collections.defaultdict(list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(str(message["Message-ID"]))
            for rcpt in envelope.rcpt_tos:
                self.messages[rcpt].append(message)
        return "250 Message accepted for delivery"

    def subjects(self, address: str) -> list[str]:
        with self.lock:
            return [str(m["Subject"]) for m in self.messages.get(address, [])]

    def total(self) -> int:
        with self.lock:
            return len(self.received)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def people(monkeypatch):
    comms_world.fast_passwords(monkeypatch)

    def build(app, count: int = 300):
        with app.test_request_context():
            event = make_event("cdc", languages=list(LANGUAGES), default_language="en")
            organiser = make_staff(event, "org@example.org")
            ids = []
            for i in range(count):
                reg = make_confirmed_registration(
                    event, f"p{i}@example.org", full_name=f"Person{i} Example", country="KE"
                )
                reg.user.language = LANGUAGES[i % 3]
                ids.append(reg.id)
            db.session.commit()
            return event.id, organiser.id, ids

    return build


def announce(app, event_id, organiser_id, subject, *, send_at=None, segment=None):
    from confapp.accounts.models import User
    from confapp.events.models import Event

    with app.test_request_context():
        event = db.session.get(Event, event_id)
        draft = services.Draft(
            subject={lang: f"{subject} ({lang})" for lang in LANGUAGES},
            body={
                "en": "Dear {first_name}, your status is {status}.",
                "fr": "Bonjour {first_name}, votre statut : {status}.",
                "es": "Estimado/a {first_name}, su estado: {status}.",
            },
            segment=segment or {},
            send_at=send_at,
        )
        created = services.create(
            event, draft, user=db.session.get(User, organiser_id), now=utcnow()
        )
        db.session.commit()
        return created.id


def test_300_people_in_three_languages_scheduled_cancelled_and_opted_out(setup, people):  # noqa: F811
    sink = Keeper(free_port()).start()
    try:
        producer, workers = setup(mail_port=sink.port, COMMS_RATE_PER_MINUTE=100000)
        event_id, organiser_id, ids = people(producer)
        with producer.app_context():
            from confapp.registration.models import Registration

            services.opt_out(db.session.get(Registration, ids[0]), utcnow())
            db.session.commit()
        workers.start("-w", "2")
        started = time.monotonic()
        announce(producer, event_id, organiser_id, "Gate 2")
        wait_for(lambda: sink.total() >= 299, 120, "299 announcements (one person opted out)")
        sent_in = time.monotonic() - started
        # A scheduled one (4 s ahead) and a cancelled one (3 s ahead).
        when = utcnow() + dt.timedelta(seconds=4)
        announce(
            producer, event_id, organiser_id, "Later", send_at=when, segment={"country": ["KE"]}
        )
        cancelled = announce(
            producer, event_id, organiser_id, "Never",
            send_at=utcnow() + dt.timedelta(seconds=3), segment={"country": ["KE"]},
        )  # fmt: skip
        with producer.app_context():
            from confapp.comms.models import Announcement

            services.cancel(db.session.get(Announcement, cancelled), utcnow())
            db.session.commit()
        time.sleep(2)
        assert not any("Later" in s for s in sink.subjects("p1@example.org"))  # not yet
        wait_for(lambda: sink.total() >= 598, 60, "the scheduled announcement")
        assert utcnow() >= when
        time.sleep(3)  # past the cancelled one's time
        # A service message still reaches the opted-out person.
        with producer.test_request_context():
            from confapp.events.models import Event
            from confapp.registration.models import Registration

            reg = db.session.get(Registration, ids[0])
            send_mail(reg.email, "Your seat is confirmed", "registration_promoted",
                      event=db.session.get(Event, event_id), reg=reg,
                      mine_url="http://localhost/events/cdc/my-registration")  # fmt: skip
            db.session.commit()
        wait_for(lambda: sink.subjects("p0@example.org"), 30, "the service message")
    finally:
        sink.stop()
    assert sink.subjects("p0@example.org") == ["Your seat is confirmed"]
    for i in range(1, 300):
        language = LANGUAGES[i % 3]
        messages = sink.messages[f"p{i}@example.org"]
        assert sorted(str(m["Subject"]) for m in messages) == [
            f"Gate 2 ({language})",
            f"Later ({language})",
        ], i
        first = next(m for m in messages if str(m["Subject"]).startswith("Gate 2"))
        assert first["Content-Language"] == language
        assert f"Person{i}," in body_of(first)
    assert max(collections.Counter(sink.received).values()) == 1  # once per message
    assert not any(
        "Never" in s
        for box in sink.messages.values()
        for s in map(str, [m["Subject"] for m in box])
    )
    print(f"\n300-person send: 299 delivered in {sent_in:.1f} s")

    # The unsubscribe link of a received message works signed out, and only for its owner.
    link = str(sink.messages["p5@example.org"][0]["List-Unsubscribe"]).strip("<>")
    path = link.split("localhost", 1)[1]
    client = producer.test_client()
    token = path.rsplit("/", 1)[1]
    forged = path.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    assert client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with producer.app_context():
        opted = set(db.session.scalars(sa.select(AnnouncementOptOut.registration_id)))
    assert opted == {ids[0], ids[5]}
