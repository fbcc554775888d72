"""Announcements: write, check, schedule, cancel, send (through the outbox), publish, and
keep the record of who got what."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp import jobs
from confapp.agenda.models import ProgrammeSession
from confapp.comms import render
from confapp.comms import segments
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementDismissal
from confapp.comms.models import AnnouncementOptOut
from confapp.comms.models import AnnouncementRecipient
from confapp.comms.models import AnnouncementStatus
from confapp.comms.models import RecipientStatus
from confapp.errors import DomainError
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.i18n import event_languages
from confapp.mail import calendar_attachment
from confapp.mail import queue_mail
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxMessage
from confapp.registration.models import Registration
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


def _unsaved(event: Any, checked: Checked) -> Announcement:
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
    announcement = _unsaved(event, checked)
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


# --- preview and test ------------------------------------------------------------------------


def preview(event: Any, checked: Checked, registration: Registration | None) -> render.Rendered:
    """The announcement as `registration` would read it (no registration: placeholders
    show as empty names and the event's links)."""
    announcement = _unsaved(event, checked)
    return render.render_for(announcement, registration, _visit_of(announcement))


def send_test(
    event: Any, checked: Checked, registration: Registration | None, user: Any
) -> OutboxMessage:
    """Send the preview of `registration`'s message to the organiser themself."""
    announcement = _unsaved(event, checked)
    rendered = render.render_for(announcement, registration, _visit_of(announcement))
    rendered.subject = _("[Test] %(subject)s", subject=rendered.subject)
    message = render.build_email(
        announcement,
        registration,
        rendered,
        to=user.email,
        attachments=_attachments(announcement),
        unsubscribe=False,
    )
    return queue_mail(message, event_id=event.id, language=rendered.language)


def _visit_of(announcement: Announcement) -> Visit | None:
    visit_id = (announcement.segment or {}).get("visit_id")
    return db.session.get(Visit, visit_id) if visit_id else None


def _attachments(announcement: Announcement) -> list:
    kind, _sep, ident = (announcement.attach or "").partition(":")
    if not ident:
        return []
    event = announcement.event
    if kind == "visit":
        from confapp.visits.ical import visit_ics_bytes

        visit = db.session.get(Visit, int(ident))
        if visit is None:
            return []
        return [calendar_attachment("visit.ics", visit_ics_bytes(event, visit), "PUBLISH")]
    from confapp.agenda.feeds import session_ics_bytes

    session = db.session.get(ProgrammeSession, int(ident))
    if session is None:
        return []
    return [calendar_attachment("session.ics", session_ics_bytes(event, session), "PUBLISH")]


# --- releasing into the outbox at the configured rate ---------------------------------------


def start_due(now: dt.datetime) -> int:
    """Start every scheduled announcement whose time has come; return how many."""
    due = db.session.scalars(
        sa.select(Announcement)
        .where(
            Announcement.status == AnnouncementStatus.SCHEDULED,
            Announcement.send_at <= now,
        )
        .order_by(Announcement.send_at, Announcement.id)
    ).all()
    started = sum(1 for announcement in due if start(announcement, now))
    return started


def released_since(moment: dt.datetime) -> int:
    """Recipients handed to the outbox since `moment` (every event: one relay)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AnnouncementRecipient)
            .where(AnnouncementRecipient.released_at > moment)
        )
        or 0
    )


def release(now: dt.datetime, budget: int) -> int:
    """Render and queue up to `budget` pending recipients of sending announcements (oldest
    first); mark announcements with nobody left as sent. Returns how many were queued."""
    pending = db.session.execute(
        sa.select(AnnouncementRecipient.id, AnnouncementRecipient.announcement_id)
        .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
        .where(
            AnnouncementRecipient.status == RecipientStatus.PENDING,
            Announcement.status == AnnouncementStatus.SENDING,
        )
        .order_by(Announcement.send_at, Announcement.id, AnnouncementRecipient.id)
        .limit(max(budget, 0))
    ).all()
    cache: dict[int, tuple[Announcement, Visit | None, list]] = {}
    queued = 0
    for recipient_id, announcement_id in pending:
        # Taken by a conditional UPDATE: two release jobs never queue the same person.
        taken = db.session.execute(
            sa.update(AnnouncementRecipient)
            .where(
                AnnouncementRecipient.id == recipient_id,
                AnnouncementRecipient.status == RecipientStatus.PENDING,
            )
            .values(status=RecipientStatus.QUEUED, released_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            continue
        if announcement_id not in cache:
            announcement = db.session.get(Announcement, announcement_id)
            cache[announcement_id] = (
                announcement,
                _visit_of(announcement),
                _attachments(announcement),
            )
        announcement, visit, attachments = cache[announcement_id]
        recipient = db.session.get(AnnouncementRecipient, recipient_id)
        registration = (
            db.session.get(Registration, recipient.registration_id)
            if recipient.registration_id
            else None
        )
        if registration is None:
            continue  # deleted since: nothing to send (the row stays, unsent)
        rendered = render.render_for(announcement, registration, visit)
        message = render.build_email(announcement, registration, rendered, attachments=attachments)
        row = queue_mail(
            message,
            event_id=announcement.event_id,
            registration_id=registration.id,
            language=rendered.language,
        )
        db.session.flush()
        recipient.outbox_message_id = row.id
        recipient.language = rendered.language
        queued += 1
    finish_sent(now)
    return queued


def finish_sent(now: dt.datetime) -> None:
    """Announcements still "sending" with no pending recipient left are sent."""
    still = sa.exists().where(
        AnnouncementRecipient.announcement_id == Announcement.id,
        AnnouncementRecipient.status == RecipientStatus.PENDING,
    )
    db.session.execute(
        sa.update(Announcement)
        .where(Announcement.status == AnnouncementStatus.SENDING, ~still)
        .values(status=AnnouncementStatus.SENT, finished_at=now)
        .execution_options(synchronize_session=False)
    )


def pending_count() -> int:
    """Recipients waiting for the rate limit."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AnnouncementRecipient)
            .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
            .where(
                AnnouncementRecipient.status == RecipientStatus.PENDING,
                Announcement.status == AnnouncementStatus.SENDING,
            )
        )
        or 0
    )


# --- opting out ----------------------------------------------------------------------------


def registration_for_token(token: str, event: Any) -> Registration:
    """The registration of `event` a genuine unsubscribe token names (NotFound otherwise)."""
    found = render.read_unsubscribe_token(token)
    registration = db.session.get(Registration, found[0]) if found else None
    if registration is None or registration.event_id != found[1] or found[1] != event.id:
        raise NotFound(_("This unsubscribe link is not valid."))
    return registration


def is_opted_out(registration: Registration) -> bool:
    """Whether the delegate asked for no more announcements."""
    return (
        db.session.scalar(
            sa.select(AnnouncementOptOut.id).where(
                AnnouncementOptOut.registration_id == registration.id
            )
        )
        is not None
    )


def opt_out(registration: Registration, now: dt.datetime) -> bool:
    """No more announcements for this registration; False if it already had opted out."""
    if is_opted_out(registration):
        return False
    db.session.add(AnnouncementOptOut(registration_id=registration.id, created_at=now))
    db.session.flush()
    return True


def opt_in(registration: Registration) -> bool:
    """Announcements again; False if it had not opted out."""
    removed = db.session.execute(
        sa.delete(AnnouncementOptOut).where(AnnouncementOptOut.registration_id == registration.id)
    ).rowcount
    return bool(removed)


# --- on the event's pages --------------------------------------------------------------------


def published(event: Any, *, limit: int | None = None) -> list[Announcement]:
    """The event's published announcements, newest first."""
    stmt = (
        sa.select(Announcement)
        .where(Announcement.event_id == event.id, Announcement.published_at.is_not(None))
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def banner_for(event: Any, user: Any) -> Announcement | None:
    """The newest published announcement a signed-in delegate of the event has not
    dismissed (None for everyone else)."""
    if event is None or user is None or getattr(event, "id", None) is None:
        return None
    registered = db.session.scalar(
        sa.select(Registration.id).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )
    if registered is None:
        return None
    dismissed = sa.exists().where(
        AnnouncementDismissal.announcement_id == Announcement.id,
        AnnouncementDismissal.user_id == user.id,
    )
    return db.session.scalar(
        sa.select(Announcement)
        .where(
            Announcement.event_id == event.id,
            Announcement.published_at.is_not(None),
            ~dismissed,
        )
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(1)
    )


def dismiss(announcement: Announcement, user: Any, now: dt.datetime) -> None:
    """Hide an announcement's banner for this person (a repeat changes nothing)."""
    known = db.session.scalar(
        sa.select(AnnouncementDismissal.id).where(
            AnnouncementDismissal.announcement_id == announcement.id,
            AnnouncementDismissal.user_id == user.id,
        )
    )
    if known is None:
        db.session.add(
            AnnouncementDismissal(announcement_id=announcement.id, user_id=user.id, created_at=now)
        )
        db.session.flush()


# --- the record --------------------------------------------------------------------------------


def announcements_of(event: Any) -> list[Announcement]:
    """Every announcement of the event, newest first."""
    return list(
        db.session.scalars(
            sa.select(Announcement)
            .where(Announcement.event_id == event.id)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        )
    )


def delivery_status(recipient: AnnouncementRecipient) -> str:
    """queued, sent, failed or opted_out (sending counts as queued)."""
    if recipient.status is RecipientStatus.OPTED_OUT:
        return "opted_out"
    if recipient.status is RecipientStatus.PENDING or recipient.outbox is None:
        return "queued"
    status = recipient.outbox.status
    if status is MailStatus.SENT:
        return "sent"
    if status is MailStatus.FAILED:
        return "failed"
    return "queued"


def counts(announcement: Announcement) -> dict[str, int]:
    """Recipients by delivery status: queued, sent, failed (and opted_out)."""
    rows = db.session.execute(
        sa.select(AnnouncementRecipient.status, OutboxMessage.status, sa.func.count())
        .select_from(AnnouncementRecipient)
        .outerjoin(OutboxMessage, OutboxMessage.id == AnnouncementRecipient.outbox_message_id)
        .where(AnnouncementRecipient.announcement_id == announcement.id)
        .group_by(AnnouncementRecipient.status, OutboxMessage.status)
    ).all()
    found = {"queued": 0, "sent": 0, "failed": 0, "opted_out": 0}
    for recipient_status, mail_status, number in rows:
        if recipient_status is RecipientStatus.OPTED_OUT:
            found["opted_out"] += number
        elif mail_status is MailStatus.SENT:
            found["sent"] += number
        elif mail_status is MailStatus.FAILED:
            found["failed"] += number
        else:
            found["queued"] += number
    return found


def recipients_of(announcement: Announcement) -> list[AnnouncementRecipient]:
    """The recipient rows with their outbox rows, by name."""
    return list(
        db.session.scalars(
            sa.select(AnnouncementRecipient)
            .where(AnnouncementRecipient.announcement_id == announcement.id)
            .options(sa.orm.joinedload(AnnouncementRecipient.outbox))
            .order_by(sa.func.lower(AnnouncementRecipient.full_name), AnnouncementRecipient.id)
        ).unique()
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_csv(announcement: Announcement) -> bytes:
    """The record as CSV: the message, who sent it and when, then one line per recipient."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["announcement", announcement.id])
    writer.writerow(["subject", _cell(announcement.subject)])
    writer.writerow(["sent_by", _cell(announcement.created_by_email)])
    writer.writerow(["created_at", announcement.created_at.isoformat()])
    writer.writerow(["send_at", announcement.send_at.isoformat()])
    writer.writerow(["status", announcement.status.value])
    import json

    writer.writerow(["segment", json.dumps(announcement.segment, sort_keys=True)])
    writer.writerow([])
    writer.writerow(["registration_id", "name", "email", "language", "status", "sent_at", "error"])
    for recipient in recipients_of(announcement):
        outbox = recipient.outbox
        writer.writerow(
            [
                recipient.registration_id or "",
                _cell(recipient.full_name),
                _cell(recipient.email),
                recipient.language,
                delivery_status(recipient),
                outbox.sent_at.isoformat() if outbox and outbox.sent_at else "",
                _cell(outbox.last_error if outbox and outbox.last_error else ""),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
