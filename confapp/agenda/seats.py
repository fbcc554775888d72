"""Workshop seats: sign-up, cancel, the waiting list and its promotions, through the one
capacity rule (:mod:`confapp.capacity.services`), and the e-mails each step sends.

Every change re-reads the delegate's row under the pool's lock, so a repeated click is
refused as already done (``DomainError`` code ``already_done``) instead of taking or
freeing a second seat. Seats of a delegate who leaves the event are released through the
on-leave registry (:func:`release_seats_of`, :func:`describe_seats_of`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import mail
from confapp.agenda import feeds
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStatus
from confapp.capacity import services as capacity
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import join_list
from confapp.i18n import language_of
from confapp.mail.compose import calendar_attachment
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.urls import external_url


def set_seat_limit(session: ProgrammeSession, limit: int | None, now: dt.datetime) -> None:
    """Seat-limited sessions get a capacity pool; raising the limit promotes the waiting list."""
    if session.pool is None:
        if limit is None:
            return
        session.pool = capacity.new_pool(limit)
        db.session.flush()
        return
    capacity.set_capacity(session.pool, limit)
    promote_waiting(session, now)


def _queue(session: ProgrammeSession) -> sa.Select:
    return (
        sa.select(SessionSignup)
        .where(
            SessionSignup.session_id == session.id, SessionSignup.status == SeatStatus.WAITLISTED
        )
        .order_by(SessionSignup.id)
    )


def get_signup(session: ProgrammeSession, registration: Registration) -> SessionSignup | None:
    """The registration's sign-up row for the session, if any (any status), as stored now."""
    return db.session.scalar(
        sa.select(SessionSignup)
        .where(
            SessionSignup.session_id == session.id, SessionSignup.registration_id == registration.id
        )
        .execution_options(populate_existing=True)
    )


def _check_signup(
    event: Event, session: ProgrammeSession, registration: Registration, now: dt.datetime
) -> None:
    if session.pool is None:
        raise DomainError(_("This session needs no sign-up: just come along."))
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    if now >= session.starts_at:
        raise DomainError(_("Sign-up closed when the session started."))
    if registration.event_id != event.id or registration.status is not RegistrationStatus.CONFIRMED:
        raise DomainError(_("Only confirmed delegates can sign up."))


def signup(
    event: Event, session: ProgrammeSession, registration: Registration, *, now: dt.datetime
) -> SessionSignup:
    """Take a seat in a seat-limited session or join its waiting list (first come, first served).

    The pool is locked before the delegate's row is read, so a repeated click finds the
    first one's row and is refused as already done, never a second seat or a server error.
    """
    _check_signup(event, session, registration, now)
    capacity.lock_pool(session.pool)
    existing = get_signup(session, registration)
    if existing is not None:
        if existing.status is not SeatStatus.CANCELLED:
            raise DomainError(
                _("You are already signed up.")
                if existing.status is SeatStatus.CONFIRMED
                else _("You are already on the waiting list."),
                code="already_done",
            )
        # A fresh row (new id) puts a returning delegate at the back of the queue.
        db.session.delete(existing)
        db.session.flush()
    holder = SessionSignup(
        session_id=session.id,
        registration_id=registration.id,
        status=SeatStatus.WAITLISTED,
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(holder)
    db.session.flush()
    confirmed = capacity.admit(
        session.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        waitlisted=SeatStatus.WAITLISTED,
        now=now,
    )
    db.session.flush()
    if confirmed:
        _mail_seat(
            event, session, registration, "agenda_signup_confirmed", _l("Your seat: %(title)s")
        )
    else:
        _mail_seat(
            event, session, registration, "agenda_signup_waitlisted", _l("Waiting list: %(title)s")
        )
    return holder


def cancel_signup(
    event: Event, session: ProgrammeSession, registration: Registration, *, now: dt.datetime
) -> list[SessionSignup]:
    """Give up a seat or a waiting-list place; the first in line gets the seat (and an e-mail).

    The row is read under the pool's lock: a repeat of a cancel that has just committed is
    refused as already done (code ``already_done``) and changes, sends and logs nothing.
    """
    if session.pool is None:
        raise DomainError(_("This session needs no sign-up."), code="not_signed_up")
    capacity.lock_pool(session.pool)
    holder = get_signup(session, registration)
    if holder is None:
        raise DomainError(_("You are not signed up for this session."), code="not_signed_up")
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("You have already given up this place."), code="already_done")
    return _leave(event, session, holder, now)


def _leave(
    event: Event, session: ProgrammeSession, holder: SessionSignup, now: dt.datetime
) -> list[SessionSignup]:
    return capacity.leave(
        session.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        cancelled=SeatStatus.CANCELLED,
        queue=_queue(session),
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, session, promoted),
    )


def describe_seats_of(registration: Registration, *, now: dt.datetime) -> list[str]:
    """The workshop seats a registration would give up, in a sentence (or none)."""
    titles = [tr(session, "title") for _holder, session in _held_seats(registration, now)]
    if not titles:
        return []
    return [
        _(
            "Workshop seats given up (the next in line get them): %(titles)s.",
            titles=join_list(titles),
        )
    ]


def release_seats_of(registration: Registration, *, now: dt.datetime) -> int:
    """Give up the seats and waiting-list places a cancelled or rejected registration
    holds in sessions still to come; the next in line get them. Returns how many."""
    rows = _held_seats(registration, now)
    event = db.session.get(Event, registration.event_id)
    for holder, session in rows:
        _leave(event, session, holder, now)
    return len(rows)


def _held_seats(registration: Registration, now: dt.datetime) -> list:
    return db.session.execute(
        sa.select(SessionSignup, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(
            SessionSignup.registration_id == registration.id,
            SessionSignup.status != SeatStatus.CANCELLED,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.capacity_pool_id.is_not(None),
        )
        .order_by(ProgrammeSession.starts_at)
    ).all()


def promote_waiting(session: ProgrammeSession, now: dt.datetime) -> list[SessionSignup]:
    """Fill free seats from the waiting list (after a seat limit was raised)."""
    if session.pool is None:
        return []
    event = db.session.get(Event, session.event_id)
    return capacity.promote(
        session.pool,
        _queue(session),
        confirmed=SeatStatus.CONFIRMED,
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, session, promoted),
    )


def _on_promoted(event: Event, session: ProgrammeSession, holder: SessionSignup) -> None:
    registration = db.session.get(Registration, holder.registration_id)
    _mail_seat(
        event, session, registration, "agenda_signup_promoted", _l("A seat is yours: %(title)s")
    )


def _mail_seat(
    event: Event, session: ProgrammeSession, registration: Registration, template: str, subject
) -> None:
    """E-mail a delegate about their seat, in their language (also from the worker)."""
    language = language_of(registration, event)
    with force_language(language):
        attachments = None
        if template != "agenda_signup_waitlisted":
            # iTIP PUBLISH, as the programme-change e-mails (see agenda.changes).
            ics = feeds.session_message(event, session, method="PUBLISH", sent_at=utcnow())
            attachments = [calendar_attachment("session.ics", ics, "PUBLISH")]
        mail.send_mail(
            registration.email,
            subject % {"title": tr(session, "title")},
            template,
            attachments=attachments,
            language=language,
            event=event,
            session=session,
            registration=registration,
            url=external_url("agenda.session_detail", slug=event.slug, session_id=session.id),
        )


def signups_for(session: ProgrammeSession) -> list[tuple[SessionSignup, Registration]]:
    """Active sign-ups of a session (confirmed first, then the waiting list in order)."""
    rows = db.session.execute(
        sa.select(SessionSignup, Registration)
        .join(Registration, Registration.id == SessionSignup.registration_id)
        .where(SessionSignup.session_id == session.id, SessionSignup.status != SeatStatus.CANCELLED)
        .order_by(SessionSignup.status, SessionSignup.id)
    ).all()
    return [(s, r) for s, r in rows]


def seat_counts(session: ProgrammeSession) -> tuple[int, int]:
    rows = dict(
        db.session.execute(
            sa.select(SessionSignup.status, sa.func.count(SessionSignup.id))
            .where(SessionSignup.session_id == session.id)
            .group_by(SessionSignup.status)
        ).all()
    )
    return rows.get(SeatStatus.CONFIRMED, 0), rows.get(SeatStatus.WAITLISTED, 0)
