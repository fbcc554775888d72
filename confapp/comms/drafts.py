"""Writing an announcement: check a draft (texts per language, the segment, the time),
create it, start sending it, cancel it. Flush only; views commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp import jobs
from confapp.agenda.models import ProgrammeSession
from confapp.comms import render
from confapp.comms import segments
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementOptOut
from confapp.comms.models import AnnouncementRecipient
from confapp.comms.models import AnnouncementStatus
from confapp.comms.models import RecipientStatus
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.i18n import event_languages
from confapp.visits.models import Visit

SUBJECT_MAX = 200
BODY_MAX = 20000
# A form's "send at" has minutes only: up to a minute in the past still means "now".
_NOW_SLACK = dt.timedelta(minutes=1)


@dataclasses.dataclass
class Draft:
    """What an organiser (or an API client) wrote, before it is checked."""

    subject: dict[str, str]
    body: dict[str, str]
    segment: Any = dataclasses.field(default_factory=dict)
    send_at: dt.datetime | None = None
    publish: bool = False
    email: bool = True
    attach: str = ""


@dataclasses.dataclass
class Checked:
    """A draft that passed every check, with its normalised segment."""

    subject: dict[str, str]
    body: dict[str, str]
    segment: dict[str, Any]
    send_at: dt.datetime | None
    publish: bool
    email: bool
    attach: str


def _texts(event: Any, values: Any, *, field: str, limit: int) -> dict[str, str]:
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in values.items()
    ):
        raise ValidationFailed(
            _("Give the texts as an object of language → text."), field=field, code="bad_text"
        )
    offered = event_languages(event)
    texts = {}
    for code, text in values.items():
        code = code.strip().lower()
        if code not in offered:
            raise ValidationFailed(
                _(
                    "The event does not offer the language “%(code)s” (it offers %(offered)s).",
                    code=code[:16],
                    offered=", ".join(offered),
                ),
                field=field,
                code="bad_language",
            )
        text = text.replace("\r\n", "\n").strip()
        if len(text) > limit:
            raise ValidationFailed(
                _("A text is longer than %(limit)s characters.", limit=limit),
                field=field,
                code="too_long",
            )
        if text:
            texts[code] = text
    if not texts.get(event.default_language):
        raise ValidationFailed(
            _("The subject is empty.") if field == "subject" else _("The message is empty."),
            field=field,
            code="empty_text",
        )
    return texts


def _attachment_ref(event: Any, value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    kind, _sep, ident = value.partition(":")
    model = {"session": ProgrammeSession, "visit": Visit}.get(kind)
    if model is None or not ident.isascii() or not ident.isdigit() or len(ident) > 9:
        raise ValidationFailed(
            _("Attach a session or a visit of this event."), field="attach", code="bad_attach"
        )
    found = db.session.scalar(
        sa.select(model.id).where(model.id == int(ident), model.event_id == event.id)
    )
    if found is None:
        raise ValidationFailed(
            _("Attach a session or a visit of this event."), field="attach", code="bad_attach"
        )
    return f"{kind}:{found}"


def check(event: Any, draft: Draft, now: dt.datetime) -> Checked:
    """Check everything an announcement needs; raise ValidationFailed with the reason."""
    segment = segments.parse(draft.segment, event)
    subject = _texts(event, draft.subject, field="subject", limit=SUBJECT_MAX)
    body = _texts(event, draft.body, field="body", limit=BODY_MAX)
    for text in subject.values():
        if "\n" in text:
            raise ValidationFailed(
                _("The subject must be one line."), field="subject", code="bad_text"
            )
        render.check_text(text, field="subject", segment=segment)
    for text in body.values():
        render.check_text(text, field="body", segment=segment)
    send_at = draft.send_at
    if send_at is not None:
        if send_at.tzinfo is None:
            raise ValidationFailed(
                _("Give the sending time with its time zone."), field="send_at", code="bad_time"
            )
        if send_at < now - _NOW_SLACK:
            raise ValidationFailed(
                _("The sending time is in the past: choose a later time, or send now."),
                field="send_at",
                code="send_at_past",
            )
        if send_at <= now:
            send_at = None  # the current minute of a form: now
    if not draft.email and not draft.publish:
        raise ValidationFailed(
            _("Choose to e-mail it, to publish it on the event's pages, or both."),
            field="publish",
            code="nothing_to_do",
        )
    if draft.email and segments.count(event, segment) == 0:
        raise ValidationFailed(
            _("No one matches this segment: nobody would receive the message."),
            field="segment",
            code="empty_segment",
        )
    return Checked(
        subject=subject,
        body=body,
        segment=segment,
        send_at=send_at.astimezone(dt.UTC) if send_at else None,
        publish=draft.publish,
        email=draft.email,
        attach=_attachment_ref(event, draft.attach),
    )


def unsaved(event: Any, checked: Checked) -> Announcement:
    """An Announcement object for previews (never added to the session)."""
    default = event.default_language
    announcement = Announcement(
        event_id=event.id,
        subject=checked.subject[default],
        body=checked.body[default],
        subject_i18n={k: v for k, v in checked.subject.items() if k != default},
        body_i18n={k: v for k, v in checked.body.items() if k != default},
        segment=checked.segment,
        attach=checked.attach,
    )
    announcement.event = event
    return announcement


def create(event: Any, draft: Draft, *, user: Any, now: dt.datetime) -> Announcement:
    """Store a checked announcement; sent now (its recipients written in this transaction)
    or scheduled for its time."""
    checked = check(event, draft, now)
    announcement = unsaved(event, checked)
    announcement.email = checked.email
    announcement.publish = checked.publish
    announcement.created_by_id = getattr(user, "id", None)
    announcement.created_by_email = getattr(user, "email", "") or ""
    announcement.created_at = now
    announcement.send_at = checked.send_at or now
    announcement.status = AnnouncementStatus.SCHEDULED
    if checked.email:
        announcement.recipient_count = segments.count(event, checked.segment)
    db.session.add(announcement)
    db.session.flush()
    if checked.send_at is None:
        start(announcement, now)
        jobs.after_commit("comms.release")
    else:
        jobs.after_commit("comms.wake", announcement.id)
    return announcement


def start(announcement: Announcement, now: dt.datetime) -> bool:
    """Take a scheduled announcement out: publish it, write one recipient row per person
    (opted-out people are recorded as left out). False if it was cancelled meanwhile."""
    changed = db.session.execute(
        sa.update(Announcement)
        .where(
            Announcement.id == announcement.id,
            Announcement.status == AnnouncementStatus.SCHEDULED,
        )
        .values(status=AnnouncementStatus.SENDING, started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    db.session.refresh(announcement)
    if announcement.publish:
        announcement.published_at = now
    if not announcement.email:
        announcement.status = AnnouncementStatus.SENT
        announcement.finished_at = now
        return True
    event = announcement.event
    people = segments.registrations(event, announcement.segment)
    opted_out = set(
        db.session.scalars(
            sa.select(AnnouncementOptOut.registration_id).where(
                AnnouncementOptOut.registration_id.in_([r.id for r in people])
            )
        )
    )
    for registration in people:
        db.session.add(
            AnnouncementRecipient(
                announcement_id=announcement.id,
                registration_id=registration.id,
                email=registration.email,
                full_name=registration.full_name,
                language=render.reader_language(announcement, registration),
                status=RecipientStatus.OPTED_OUT
                if registration.id in opted_out
                else RecipientStatus.PENDING,
            )
        )
    announcement.recipient_count = len(people)
    db.session.flush()
    return True


def cancel(announcement: Announcement, now: dt.datetime) -> Announcement:
    """Cancel a scheduled announcement: it never leaves."""
    changed = db.session.execute(
        sa.update(Announcement)
        .where(
            Announcement.id == announcement.id,
            Announcement.status == AnnouncementStatus.SCHEDULED,
        )
        .values(status=AnnouncementStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise DomainError(
            _("Only a scheduled announcement can be cancelled; this one is not scheduled."),
            code="not_scheduled",
        )
    db.session.refresh(announcement)
    return announcement
