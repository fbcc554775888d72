"""Announcements through the services: one message per person in their language with the
placeholders filled, scheduling, cancelling, opting out, the rate limit, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.comms import jobs as comms_jobs
from confapp.comms import render
from confapp.comms import services
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementRecipient
from confapp.comms.models import AnnouncementStatus
from confapp.comms.models import RecipientStatus
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.mail.models import OutboxMessage
from tests import comms_world


@pytest.fixture
def world(app_ctx, monkeypatch):
    comms_world.fast_passwords(monkeypatch)
    built = comms_world.build()
    db.session.commit()
    return built


def draft(world, **changes) -> services.Draft:
    values = dict(
        subject={
            "en": "Bus to {visit_name}",
            "fr": "Bus pour {visit_name}",
            "es": "Autobús a {visit_name}",
        },
        body={
            "en": "Dear {first_name},\n\nThe bus leaves at {visit_time} from **Gate 2**. "
            "Your status: {status}. Details: {registration_link}",
            "fr": "Bonjour {first_name},\n\nLe bus part à {visit_time} de la **porte 2**. "
            "Statut : {status}. Détails : {registration_link}",
            "es": "Estimado/a {first_name}:\n\nEl autobús sale a las {visit_time} de la "
            "**puerta 2**. Estado: {status}. Detalles: {registration_link}",
        },
        segment={"visit_id": world.visit.id},
    )
    values.update(changes)
    return services.Draft(**values)


def counts_of(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_send_now_one_message_per_person_in_their_language(world, outbox):
    now = utcnow()
    announcement = services.create(world.event, draft(world), user=world.organiser, now=now)
    db.session.commit()  # the release job runs after the commit (immediate mode in tests)
    assert announcement.recipient_count == 2
    ana = outbox.to("ana@example.org")
    ben = outbox.to("ben@example.org")
    assert len(ana) == len(ben) == 1 and len(outbox.messages()) == 2
    assert ana[0]["Subject"] == "Bus pour Panipat textile cluster"
    assert ana[0]["Content-Language"] == "fr"
    text = outbox.body(ana[0])
    assert text.startswith("Bonjour Ana,")
    assert "Statut : Confirmé" in text or "Statut : Confirmed" in text
    assert "/events/cdc/my-registration" in text
    assert ben[0]["Subject"] == "Autobús a Panipat textile cluster"
    html = ben[0].get_body(preferencelist=("html",)).get_content()
    assert "<strong>puerta 2</strong>" in html
    # RFC 2369 / 8058 headers with a signed link of ben's own.
    link = ben[0]["List-Unsubscribe"].strip("<>")
    assert ben[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.rsplit("/", 1)[1]
    assert services.registration_for_token(token, world.event).id == world.people["ben"].id
    rows = db.session.scalars(sa.select(AnnouncementRecipient)).all()
    assert {r.status for r in rows} == {RecipientStatus.QUEUED}
    assert all(r.outbox_message_id for r in rows)
    db.session.refresh(announcement)
    assert announcement.status is AnnouncementStatus.SENT
    assert services.counts(announcement) == {"queued": 0, "sent": 2, "failed": 0, "opted_out": 0}


def test_a_language_without_text_gets_the_default(world, outbox):
    body = {"en": "Hello {full_name}"}
    services.create(
        world.event,
        draft(world, subject={"en": "Hi"}, body=body, segment={"country": ["KE"]}),
        user=world.organiser,
        now=utcnow(),
    )
    db.session.commit()
    (gus,) = outbox.to("gus@example.org")  # Arabic reader, no Arabic text
    assert gus["Content-Language"] == "en"
    assert outbox.body(gus).startswith("Hello Gus Example")


def test_a_scheduled_announcement_leaves_only_at_its_time(world, outbox):
    now = utcnow()
    later = now + dt.timedelta(hours=2)
    announcement = services.create(
        world.event, draft(world, send_at=later), user=world.organiser, now=now
    )
    db.session.commit()
    assert announcement.status is AnnouncementStatus.SCHEDULED
    assert comms_jobs.run_release(now + dt.timedelta(hours=1))["queued"] == 0
    assert outbox.messages() == [] and counts_of(AnnouncementRecipient) == 0
    assert comms_jobs.run_release(later + dt.timedelta(seconds=1))["queued"] == 2
    db.session.refresh(announcement)
    assert announcement.status is AnnouncementStatus.SENT
    assert len(outbox.messages()) == 2


def test_a_cancelled_announcement_never_leaves(world, outbox):
    now = utcnow()
    later = now + dt.timedelta(hours=2)
    announcement = services.create(
        world.event, draft(world, send_at=later, publish=True), user=world.organiser, now=now
    )
    db.session.commit()
    services.cancel(announcement, now)
    db.session.commit()
    assert comms_jobs.run_release(later + dt.timedelta(hours=1))["queued"] == 0
    assert outbox.messages() == []
    assert services.published(world.event) == []
    with pytest.raises(DomainError, match="Only a scheduled announcement"):
        services.cancel(announcement, now)


def test_an_opted_out_delegate_gets_no_announcement_but_service_mail(world, outbox):
    from confapp.mail import send_mail

    ana = world.people["ana"]
    assert services.opt_out(ana, utcnow()) is True
    assert services.opt_out(ana, utcnow()) is False
    announcement = services.create(world.event, draft(world), user=world.organiser, now=utcnow())
    db.session.commit()
    assert outbox.to("ana@example.org") == [] and len(outbox.to("ben@example.org")) == 1
    assert services.counts(announcement)["opted_out"] == 1
    send_mail(
        ana.email,
        "Your registration is confirmed",
        "registration_promoted",
        event=world.event,
        reg=ana,
        mine_url="http://localhost:5000/events/cdc/my-registration",
    )
    db.session.commit()
    assert len(outbox.to("ana@example.org")) == 1  # service messages always go
    assert services.opt_in(ana) is True


def test_the_rate_limit_releases_so_many_per_minute(world, outbox, app):
    app.config["COMMS_RATE_PER_MINUTE"] = 3
    now = utcnow()
    plain = draft(world, segment={}, subject={"en": "Hi"}, body={"en": "Hello"})
    announcement = services.create(world.event, plain, user=world.organiser, now=now)
    db.session.commit()
    assert announcement.recipient_count == 4
    assert len(outbox.messages()) == 3  # the first minute's share
    assert comms_jobs.run_release(utcnow() + dt.timedelta(seconds=20))["queued"] == 0
    assert comms_jobs.run_release(utcnow() + dt.timedelta(seconds=61))["queued"] == 1
    db.session.refresh(announcement)
    assert announcement.status is AnnouncementStatus.SENT
    assert len(outbox.messages()) == 4


BAD = (
    ({"body": {"en": "Hi <script>alert(1)</script>"}}, "body", "active_content"),
    ({"body": {"en": "[x](javascript:alert(1))"}}, "body", "active_content"),
    ({"body": {"en": "<img src=x onerror=alert(1)>"}}, "body", "active_content"),
    ({"body": {"en": "Dear {nickname}"}}, "body", "unknown_placeholder"),
    ({"subject": {"en": "{visit_time}"}, "segment": {}}, "subject", "unknown_placeholder"),
    ({"segment": {"visit_id": -1}}, "segment", "bad_segment"),
    ({"segment": {"colour": "red"}}, "segment", "bad_segment"),
    ({"subject": {"en": "  "}}, "subject", "empty_text"),
    ({"body": {"fr": "Seulement en français"}}, "body", "empty_text"),
    ({"body": {"en": "x", "de": "y"}}, "body", "bad_language"),
    ({"subject": "Hello"}, "subject", "bad_text"),
    ({"email": False, "publish": False}, "publish", "nothing_to_do"),
    ({"attach": "visit:999999"}, "attach", "bad_attach"),
)


def test_bad_input_is_refused_with_a_reason_and_stores_nothing(world, outbox):
    now = utcnow()
    visit = world.visit.id
    nobody = {"segment": {"visit_id": visit, "country": ["NZ"]}}
    with pytest.raises(ValidationFailed, match="No one matches") as refused:
        services.create(world.event, draft(world, **nobody), user=world.organiser, now=now)
    db.session.rollback()
    for changes, field, code in BAD:
        with pytest.raises(ValidationFailed) as refused:
            services.create(world.event, draft(world, **changes), user=world.organiser, now=now)
        db.session.rollback()
        assert (refused.value.field, refused.value.code) == (field, code), changes
        assert refused.value.message
    past = now - dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed, match="in the past") as refused:
        services.create(world.event, draft(world, send_at=past), user=world.organiser, now=now)
    db.session.rollback()
    assert counts_of(Announcement) == counts_of(AnnouncementRecipient) == 0
    assert counts_of(OutboxMessage) == 0 and outbox.messages() == []


def test_unsubscribe_tokens_are_signed_and_bound_to_the_registration(world):
    ana, ben = world.people["ana"], world.people["ben"]
    token = render.unsubscribe_token(ana.id, world.event.id)
    assert services.registration_for_token(token, world.event).id == ana.id
    forged = token.replace(token.split(".")[0], render.unsubscribe_token(ben.id, 1).split(".")[0])
    for bad in (forged, token + "x", "not-a-token", token[:-2]):
        with pytest.raises(NotFound):
            services.registration_for_token(bad, world.event)
    from tests.helpers import make_event

    other = make_event("other")
    with pytest.raises(NotFound):
        services.registration_for_token(token, other)


def test_published_announcements_banner_and_dismissal(world):
    ana = world.people["ana"]
    now = utcnow()
    first = services.create(world.event, draft(world, publish=True), user=world.organiser, now=now)
    second = services.create(
        world.event,
        draft(world, publish=True, email=False, subject={"en": "Lunch moved"},
              body={"en": "Lunch is at 13:30."}, segment={}),
        user=world.organiser,
        now=now + dt.timedelta(minutes=5),
    )  # fmt: skip
    db.session.commit()
    assert [a.id for a in services.published(world.event)] == [second.id, first.id]
    assert services.banner_for(world.event, ana.user).id == second.id
    services.dismiss(second, ana.user, now)
    services.dismiss(second, ana.user, now)  # a repeat is harmless
    db.session.commit()
    assert services.banner_for(world.event, ana.user).id == first.id
    assert services.banner_for(world.event, world.organiser) is None  # not a delegate


def test_the_record_as_csv(world):
    announcement = services.create(world.event, draft(world), user=world.organiser, now=utcnow())
    db.session.commit()
    text = services.record_csv(announcement).decode("utf-8-sig")
    assert "sent_by,org@example.org" in text
    assert '"{""visit_id"": ' in text
    assert "Ana Example,ana@example.org,fr,sent" in text
    assert "Ben Example,ben@example.org,es,sent" in text


def test_preview_as_a_chosen_recipient(world):
    checked = services.check(world.event, draft(world), utcnow())
    shown = services.preview(world.event, checked, world.people["ben"])
    assert shown.language == "es"
    assert shown.subject == "Autobús a Panipat textile cluster"
    assert "Estimado/a Ben:" in shown.text
