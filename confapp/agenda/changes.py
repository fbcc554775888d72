"""Programme changes: the version, the public change log and the e-mails about a change.

Every change to the programme first takes the event's row with an UPDATE
(:func:`lock_programme`), so concurrent edits of one programme are serialised and the
room-clash check cannot race (a row lock on PostgreSQL, the write lock on SQLite). A real
change then bumps ``event.programme_version`` (:func:`bump_version`): calendar caches
keyed on it go stale and the change log gets its number. Once the programme is public,
changes are listed on the changes page and the delegates concerned are e-mailed.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp import mail
from confapp.agenda import feeds
from confapp.agenda.models import ProgrammeChange
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.mail.compose import calendar_attachment
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.urls import external_url

_SUBJECTS = {
    "moved": _l("Changed: %(title)s"),
    "cancelled": _l("Cancelled: %(title)s"),
    "reinstated": _l("Back on the programme: %(title)s"),
}


def lock_programme(event: Event) -> None:
    """Serialise changes to one programme until the transaction ends (changes nothing)."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(programme_version=Event.programme_version)
    )


def bump_version(event: Event) -> int:
    """Increase the programme version atomically (locks the event row) and return it."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(programme_version=Event.programme_version + 1)
    )
    db.session.refresh(event, ["programme_version"])
    return event.programme_version


def record(
    event: Event,
    session: ProgrammeSession | None,
    kind: str,
    summary: str,
    now: dt.datetime,
    details: dict | None = None,
) -> None:
    """Record a change for the public changes page, once the programme is published.

    The badge beside it names the kind, so the summary does not start with it; `details`
    holds its parts so that page can say it in the reader's language.
    """
    if event.programme_published_at is None:
        return
    db.session.add(
        ProgrammeChange(
            event_id=event.id,
            session_id=session.id if session is not None else None,
            kind=kind,
            summary=summary[:500],
            details=details or {},
            programme_version=event.programme_version,
            created_at=now,
        )
    )


def list_changes(event: Event) -> list[ProgrammeChange]:
    """Changes since publication, newest first."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeChange)
            .where(ProgrammeChange.event_id == event.id)
            .order_by(ProgrammeChange.id.desc())
        )
    )


def touch_sessions(query: sa.Select) -> None:
    """Bump SEQUENCE of sessions whose calendar entry changes indirectly (room rename)."""
    for session in db.session.scalars(query):
        session.sequence += 1


def affected_registrations(session: ProgrammeSession) -> list[Registration]:
    """Active delegates holding a seat or waiting-list place in the session, or who starred it."""
    seated = sa.select(SessionSignup.registration_id).where(
        SessionSignup.session_id == session.id, SessionSignup.status != SeatStatus.CANCELLED
    )
    starred = sa.select(SessionStar.registration_id).where(SessionStar.session_id == session.id)
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == session.event_id,
                Registration.status.in_(
                    (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
                ),
                sa.or_(Registration.id.in_(seated), Registration.id.in_(starred)),
            )
            .order_by(Registration.id)
        )
    )


def notify_change(
    event: Event,
    session: ProgrammeSession,
    change: str,
    *,
    old_starts: dt.datetime | None = None,
    old_ends: dt.datetime | None = None,
    old_room: str | None = None,
) -> None:
    """E-mail each affected delegate what changed, with the new .ics (published programmes
    only). Who is affected is decided now; the messages are written by a job that the
    action's own transaction records (so the action answers at once, and a rollback
    sends nothing). `old_room` is the room a moved session left ("" when it had none)."""
    # Before publication nobody outside the organisers has seen the programme.
    if event.programme_published_at is None:
        return
    ids = [r.id for r in affected_registrations(session)]
    if not ids:
        return
    retimed = old_starts is not None and (old_starts, old_ends) != (
        session.starts_at,
        session.ends_at,
    )
    jobs.start(
        "agenda.notify_change",
        event=event,
        user=None,
        session_id=session.id,
        change=change,
        registration_ids=ids,
        old_starts=old_starts.isoformat() if retimed else None,
        old_ends=old_ends.isoformat() if retimed and old_ends else None,
        old_room=old_room,
    )


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@jobs.job("agenda.notify_change", title=_l("Programme change e-mails"))
def notify_change_job(
    run: jobs.Run,
    session_id: int,
    change: str,
    registration_ids: list[int],
    old_starts: str | None = None,
    old_ends: str | None = None,
    old_room: str | None = None,
) -> None:
    """Write the e-mails about one programme change to the outbox."""
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        return  # deleted since: nothing left to announce
    event = session.event
    recipients = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(registration_ids))
        .order_by(Registration.id)
    ).all()
    run.progress(0, len(recipients))
    # One calendar file per language: SEQUENCE (and STATUS:CANCELLED) let calendars update
    # the entry.
    calendars: dict[str, bytes] = {}
    url = external_url("agenda.session_detail", slug=event.slug, session_id=session.id)
    for done, registration in enumerate(recipients, start=1):
        language = language_of(registration, event)
        with force_language(language):
            if language not in calendars:
                # An iTIP PUBLISH (RFC 5546, 6047): METHOD in the file and the content type,
                # the feeds' UID and a higher SEQUENCE, so calendar clients update (or, with
                # STATUS:CANCELLED, cancel) the entry instead of importing a second one.
                calendars[language] = feeds.session_message(
                    event, session, method="PUBLISH", sent_at=utcnow()
                )
            mail.send_mail(
                registration.email,
                _SUBJECTS[change] % {"title": tr(session, "title")},
                "agenda_session_changed",
                attachments=[calendar_attachment("session.ics", calendars[language], "PUBLISH")],
                language=language,
                event=event,
                session=session,
                registration=registration,
                change=change,
                old_starts=_when(old_starts),
                old_ends=_when(old_ends),
                old_room=old_room or (_("no room") if old_room == "" else None),
                new_room=session.room.name if session.room else _("no room"),
                url=url,
            )
        run.progress(done)
