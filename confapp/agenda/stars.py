"""A delegate's own agenda: who counts as a delegate, stars, the marks shown on the
programme, My agenda with its clashes, and the secret personal calendar feed.

Stars are the delegate's own bookkeeping (not in the event log); seats live in
:mod:`confapp.agenda.seats`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from confapp.agenda import feeds
from confapp.agenda import personal
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.agenda.models import SessionStatus
from confapp.agenda.seats import get_signup
from confapp.agenda.times import overlaps
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")


def delegate_registration(event: Event, user) -> Registration | None:
    """The user's confirmed registration for the event, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def set_star(
    registration: Registration,
    session: ProgrammeSession,
    wanted: bool | None,
    now: dt.datetime,
) -> bool:
    """Star (`wanted` True) or unstar (False) a session, or toggle it (None); return whether
    it is starred now. Asking for the state it is already in changes nothing, so a
    double-clicked "Add to my agenda" does not take the star away again."""
    if wanted is not False and not attendable(session):
        raise DomainError(
            _("Breaks are for everyone: there is nothing to add to your agenda."),
            code="not_attendable",
        )
    star = db.session.scalar(
        sa.select(SessionStar).where(
            SessionStar.registration_id == registration.id, SessionStar.session_id == session.id
        )
    )
    if wanted is None:
        wanted = star is None
    if not wanted:
        if star is not None:
            db.session.delete(star)
            db.session.flush()
        return False
    if star is None:
        try:
            # A click racing itself: the unique constraint keeps one star, the other is a no-op.
            with db.session.begin_nested():
                db.session.add(
                    SessionStar(
                        registration_id=registration.id, session_id=session.id, created_at=now
                    )
                )
        except IntegrityError:
            pass
    return True


def attendable(session: ProgrammeSession) -> bool:
    """Whether a delegate chooses to attend it (breaks are for everyone: no star)."""
    return session.kind is not SessionKind.BREAK


def personal_state(session: ProgrammeSession, registration: Registration | None) -> dict:
    """The delegate's star, seat and waiting-list place for one session."""
    if registration is None:
        return {"starred": False, "seat": None, "queue_position": None}
    starred = db.session.scalar(
        sa.select(SessionStar.id).where(
            SessionStar.registration_id == registration.id, SessionStar.session_id == session.id
        )
    )
    holder = get_signup(session, registration)
    active = holder is not None and holder.status is not SeatStatus.CANCELLED
    seat = holder.status if active else None
    position = None
    if seat is SeatStatus.WAITLISTED:
        ahead = db.session.scalar(
            sa.select(sa.func.count(SessionSignup.id)).where(
                SessionSignup.session_id == session.id,
                SessionSignup.status == SeatStatus.WAITLISTED,
                SessionSignup.id < holder.id,
            )
        )
        position = (ahead or 0) + 1
    return {"starred": starred is not None, "seat": seat, "queue_position": position}


def personal_marks(registration: Registration | None) -> tuple[set[int], dict[int, SeatStatus]]:
    """The sessions a delegate starred, and their seats (confirmed or waiting) by session."""
    if registration is None:
        return set(), {}
    starred = set(
        db.session.scalars(
            sa.select(SessionStar.session_id).where(SessionStar.registration_id == registration.id)
        )
    )
    seats = dict(
        db.session.execute(
            sa.select(SessionSignup.session_id, SessionSignup.status).where(
                SessionSignup.registration_id == registration.id,
                SessionSignup.status != SeatStatus.CANCELLED,
            )
        ).all()
    )
    return starred, seats


def my_agenda(event: Event, registration: Registration) -> list[dict]:
    """Starred and signed-up sessions plus meetings and visits, in time order, with clashes.

    Each item has `starts_at`, `ends_at`, `title`, `clashes` (titles of overlapping
    items) and either `session` (with `starred` and `seat`) or `entry` (a PersonalEntry).
    """
    starred, seats = personal_marks(registration)
    ids = starred | set(seats)
    sessions = []
    if ids:
        sessions = list(
            db.session.scalars(
                sa.select(ProgrammeSession)
                .where(ProgrammeSession.id.in_(ids), ProgrammeSession.event_id == event.id)
                .options(joinedload(ProgrammeSession.room), selectinload(ProgrammeSession.people))
                .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
            )
        )
    items = [
        {
            "session": s,
            "entry": None,
            "starred": s.id in starred,
            "seat": seats.get(s.id),
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "title": tr(s, "title"),
            "active": s.status is SessionStatus.SCHEDULED,
        }
        for s in sessions
    ]
    items += [
        {
            "session": None,
            "entry": e,
            "starts_at": e.starts_at,
            "ends_at": e.ends_at,
            "title": e.title,
            "active": not e.cancelled,
        }
        for e in personal.personal_entries(event, registration)
    ]
    items.sort(key=lambda it: (it["starts_at"], it["title"]))
    for it in items:
        it["clashes"] = [
            o["title"]
            for o in items
            if o is not it
            and it["active"]
            and o["active"]
            and overlaps(it["starts_at"], it["ends_at"], o["starts_at"], o["ends_at"])
        ]
    return items


def ensure_calendar_token(registration: Registration) -> str:
    """The registration's secret calendar token, made on first use."""
    if not registration.calendar_token:
        registration.calendar_token = secrets.token_urlsafe(32)
        db.session.flush()
    return registration.calendar_token


def reset_calendar_token(registration: Registration) -> str:
    """Replace the secret calendar token: the old feed URL stops working."""
    registration.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return registration.calendar_token


def registration_by_calendar_token(event: Event, token: str) -> Registration | None:
    """The confirmed registration owning this calendar token for this event."""
    # Tokens are URL-safe base64; anything else (a NUL, other scripts) is simply unknown.
    if not token or len(token) > 64 or not _TOKEN_RE.fullmatch(token):
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.calendar_token == token,
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def personal_sessions(event: Event, registration: Registration) -> list[ProgrammeSession]:
    """Sessions for the personal feed: starred plus confirmed sign-ups."""
    starred = sa.select(SessionStar.session_id).where(
        SessionStar.registration_id == registration.id
    )
    seated = sa.select(SessionSignup.session_id).where(
        SessionSignup.registration_id == registration.id,
        SessionSignup.status == SeatStatus.CONFIRMED,
    )
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .where(sa.or_(ProgrammeSession.id.in_(starred), ProgrammeSession.id.in_(seated)))
            .options(joinedload(ProgrammeSession.room), selectinload(ProgrammeSession.people))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    )


def personal_calendar(event: Event, registration: Registration) -> feeds.Feed:
    """A delegate's feed: starred and booked sessions (once published) plus the entries
    other features provide (meetings, visits)."""
    sessions = personal_sessions(event, registration) if event.programme_published_at else []
    extra = [entry.cal_item for entry in personal.personal_entries(event, registration)]
    return feeds.personal_feed(event, sessions, registration.full_name, extra)
