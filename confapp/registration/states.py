"""A registration's states: register (again), approve, reject, cancel, the waiting list
and the e-mails each change sends.

Flush only; the caller commits. Seats go through confapp.capacity.services, the one
capacity + waiting-list rule; the waiting list of an event is its waitlisted
registrations in the order they joined it (status_changed_at, then id)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import mail
from confapp.accounts.models import User
from confapp.accounts.services import email_verification_url
from confapp.accounts.services import password_reset_url
from confapp.capacity import services as capacity
from confapp.db import lock_and_reread
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events import services as events
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.i18n import N_
from confapp.i18n import current_language
from confapp.multilingual import lazy_tr
from confapp.registration import leave
from confapp.registration.details import ACTIVE_STATUSES
from confapp.registration.details import Status
from confapp.registration.details import clean_details
from confapp.registration.details import clean_gender
from confapp.registration.details import is_latin
from confapp.registration.details import parse_category
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.urls import external_url

REJECTED_MESSAGE = _l(
    "The organisers did not accept your registration for this event, so you cannot register again. "
    "Please write to them if you think this is a mistake."
)


def change_settings(event: Event, data: Mapping[str, Any], now: dt.datetime) -> list[Registration]:
    """Save an event's settings; places added go to the waiting list in order (returned)."""
    if events.update_event(event, dict(data), now):
        return fill_from_waitlist(event, now)
    return []


def get_registration(event: Event, user: User) -> Registration | None:
    """The user's registration for the event, if any."""
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def registration_refusal(event: Event, now: dt.datetime) -> str | None:
    """Why the public cannot register now, or None when they can."""
    if not event.is_published:
        return _("This event is not published yet, so registration is not open.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration has not opened yet.")
    if not event.registration_open(now):
        return _("Registration for this event is closed.")
    return None


def register(
    event: Event,
    *,
    user: User,
    data: Mapping[str, Any],
    category: RegistrationCategory | str | None,
    source: RegistrationSource,
    now: dt.datetime,
    actor: User | None = None,
) -> Registration:
    """Register a person: pending if the event needs approval (web), else admitted or waitlisted.

    Web registrations must respect the window and the public categories; organisers
    (manual, import) may add anyone in any category and skip the approval step.
    """
    details = clean_details(data) | clean_gender(event, data)
    category = parse_category(category)
    public = source is RegistrationSource.WEB
    if public:
        refusal = registration_refusal(event, now)
        if refusal:
            raise DomainError(refusal)
        if category not in event.public_category_list:
            raise ValidationFailed(
                _("This category is not open for registration."), field="category"
            )
        if not user.language:
            # The language the delegate registered in is the one they read: their e-mails,
            # badge and letters follow it (also when sent later by the worker or the CLI).
            user.language = current_language()
    existing = get_registration(event, user)
    if existing is not None:
        if existing.status is Status.CANCELLED:
            return _register_again(
                existing,
                user=user,
                details=details,
                category=category,
                source=source,
                now=now,
                actor=actor,
            )
        if existing.status is Status.REJECTED:
            raise DomainError(REJECTED_MESSAGE, field="email")
        raise DomainError(
            _("%(email)s is already registered for this event.", email=user.email), field="email"
        )
    reg = Registration(
        event=event,
        user=user,
        email=user.email,
        category=category,
        source=source,
        status=Status.PENDING,
        status_changed_at=now,
        created_at=now,
        decided_by_id=actor.id if actor is not None and actor.id != user.id else None,
        **details,
    )
    if not user.full_name:
        user.full_name = details["full_name"]
    db.session.add(reg)
    try:
        # The row exists before the seat is taken, so its id fixes its waiting-list place.
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise DomainError(
            _("%(email)s is already registered for this event.", email=user.email), field="email"
        ) from exc
    if not (public and event.requires_approval):
        _admit(reg, now)
    db.session.flush()
    status_mail(reg, welcome=not public)
    return reg


def _register_again(
    reg: Registration,
    *,
    user: User,
    details: dict[str, Any],
    category: RegistrationCategory,
    source: RegistrationSource,
    now: dt.datetime,
    actor: User | None,
) -> Registration:
    """Reactivate a cancelled registration through the normal rules (approval, seat, waiting list).

    The row is reused, so there is still one registration per person per event and its
    sign-ups and check-in history stay attached; the badge serial is bumped so a badge
    printed before the cancellation stays revoked.
    """
    public = source is RegistrationSource.WEB
    # Conditional UPDATE: of two concurrent attempts only one finds the row cancelled,
    # so a double submit cannot take two seats for one registration.
    claimed = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == reg.id, Registration.status == Status.CANCELLED)
        .values(
            status=Status.PENDING, status_changed_at=now, badge_serial=Registration.badge_serial + 1
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise DomainError(
            _("%(email)s is already registered for this event.", email=user.email), field="email"
        )
    db.session.refresh(reg)
    for name, value in details.items():
        setattr(reg, name, value)
    reg.category = category
    reg.badge_printed_at = None
    reg.updated_at = now
    reg.decided_by_id = actor.id if actor is not None and actor.id != user.id else None
    db.session.flush()
    if not (public and reg.event.requires_approval):
        _admit(reg, now)
    db.session.flush()
    status_mail(reg, welcome=not public)
    return reg


def _admit(reg: Registration, now: dt.datetime) -> bool:
    return capacity.admit(
        reg.event.pool, reg, confirmed=Status.CONFIRMED, waitlisted=Status.WAITLISTED, now=now
    )


def waiting_queue(event: Event) -> sa.Select:
    """The event's waiting list, first in line first (by when they joined it, then id)."""
    # Not by id alone: a delegate who registers again after cancelling keeps their old
    # row (and id) but must join the back of the line.
    return (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.status_changed_at, Registration.id)
    )


def approve(reg: Registration, *, actor: User, now: dt.datetime) -> Registration:
    """Approve a pending registration: it gets a seat or joins the waiting list."""
    capacity.lock_and_reread(reg.event.pool, reg)  # a repeated approve must not take 2 seats
    if reg.status is not Status.PENDING:
        raise DomainError(
            _(
                "Only pending registrations can be approved (%(full_name)s is %(status)s).",
                full_name=reg.full_name,
                status=reg.status.label.lower(),
            )
        )
    _admit(reg, now)
    reg.decided_by_id = actor.id
    db.session.flush()
    status_mail(reg)
    return reg


def reject(reg: Registration, *, actor: User, now: dt.datetime) -> list[Registration]:
    """Turn a registration down; a seat it held goes to the waiting list."""
    _reread_active(reg)
    promoted = _leave(reg, Status.REJECTED, now)
    reg.decided_by_id = actor.id
    db.session.flush()
    mail.send_mail(
        reg.email,
        _l("Registration not accepted: %(event)s", event=lazy_tr(reg.event, "title")),
        "registration_rejected",
        reg=reg,
        event=reg.event,
    )
    return promoted


def cancel(reg: Registration, *, actor: User | None, now: dt.datetime) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first in line (who gets an e-mail)."""
    _reread_active(reg)
    promoted = _leave(reg, Status.CANCELLED, now)
    if actor is not None and actor.id != reg.user_id:
        reg.decided_by_id = actor.id
    db.session.flush()
    mail.send_mail(
        reg.email,
        _l("Registration cancelled: %(event)s", event=lazy_tr(reg.event, "title")),
        "registration_cancelled",
        reg=reg,
        event=reg.event,
        by_organiser=actor is not None and actor.id != reg.user_id,
    )
    return promoted


def cancel_consequences(reg: Registration, now: dt.datetime) -> list[str]:
    """What cancelling this registration would do, for the confirmation page."""
    lines = []
    if reg.status is Status.CONFIRMED:
        waiting = db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.event_id == reg.event_id, Registration.status == Status.WAITLISTED
            )
        )
        if waiting:
            lines.append(
                _("The place is given to the first person on the waiting list, who is e-mailed.")
            )
        else:
            lines.append(_("The place becomes free for someone else to register."))
    elif reg.status is Status.WAITLISTED:
        lines.append(_("The place on the waiting list is given up."))
    lines.extend(leave.describe_everything(reg, now))
    lines.append(_("A confirmation e-mail goes to %(email)s.", email=reg.email))
    return lines


def _reread_active(reg: Registration) -> None:
    """Lock the event's places and read the registration again; refuse unless it is still
    active, so a repeated cancel or reject (a double click, two tabs) is a no-op."""
    capacity.lock_and_reread(reg.event.pool, reg)
    if reg.status not in ACTIVE_STATUSES:
        raise DomainError(
            _("This registration is already %(status)s.", status=reg.status.label.lower()),
            code="already_done",
        )


def _leave(reg: Registration, new_status: Status, now: dt.datetime) -> list[Registration]:
    # Someone who no longer comes must not keep workshop or bus seats, or meetings, from
    # others: every feature that holds something registered a handler.
    leave.release_everything(reg, now)
    return capacity.leave(
        reg.event.pool,
        reg,
        confirmed=Status.CONFIRMED,
        cancelled=new_status,
        queue=waiting_queue(reg.event),
        now=now,
        on_promoted=_promoted_mail,
    )


def fill_from_waitlist(event: Event, now: dt.datetime) -> list[Registration]:
    """Give free seats (after a capacity rise) to the waiting list, in order."""
    return capacity.promote(
        event.pool,
        waiting_queue(event),
        confirmed=Status.CONFIRMED,
        now=now,
        on_promoted=_promoted_mail,
    )


def waitlist_position(reg: Registration) -> int | None:
    """1 for the first in line; None when not on the waiting list."""
    if reg.status is not Status.WAITLISTED:
        return None
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == reg.event_id,
            Registration.status == Status.WAITLISTED,
            # The same order as waiting_queue: (status_changed_at, id) up to this one.
            sa.or_(
                Registration.status_changed_at < reg.status_changed_at,
                sa.and_(
                    Registration.status_changed_at == reg.status_changed_at,
                    Registration.id <= reg.id,
                ),
            ),
        )
    )


def can_edit(reg: Registration, now: dt.datetime) -> bool:
    """Whether the delegate may still change their details."""
    return reg.status in ACTIVE_STATUSES and now < reg.event.edit_deadline_at()


def update_details(reg: Registration, data: Mapping[str, Any], now: dt.datetime) -> Registration:
    """Change the delegate's details; refused after the event's edit deadline."""
    lock_and_reread(reg)  # a repeated submit then finds its values saved: nothing to log
    if reg.status not in ACTIVE_STATUSES:
        raise DomainError(
            _(
                "This registration is %(status)s; it can no longer be changed.",
                status=reg.status.label.lower(),
            )
        )
    if now >= reg.event.edit_deadline_at():
        raise DomainError(
            _(
                "The deadline for changing registration details has passed. "
                "Please write to the organisers if something must change."
            )
        )
    for name, value in (clean_details(data) | clean_gender(reg.event, data)).items():
        setattr(reg, name, value)
    reg.updated_at = now
    db.session.flush()
    return reg


def organiser_update(
    reg: Registration,
    *,
    category: RegistrationCategory | str,
    notes: str,
    actor: User,
    now: dt.datetime,
    name_latin: str | None = None,
) -> Registration:
    """Organisers change the category, the name in Latin letters and their internal note."""
    lock_and_reread(reg)  # a repeated submit then finds its values saved: nothing to log
    reg.category = parse_category(category)
    reg.notes = (notes or "").strip()[:5000]
    if name_latin is not None:
        name_latin = " ".join(name_latin.split())
        if len(name_latin) > 200:
            raise ValidationFailed(_("At most 200 characters."), field="name_latin")
        if not is_latin(name_latin):
            raise ValidationFailed(
                _("Write this name in Latin letters (A to Z, accents allowed)."), field="name_latin"
            )
        reg.name_latin = name_latin
    reg.updated_at = now
    db.session.flush()
    return reg


def status_mail(reg: Registration, *, welcome: bool = False, position: int | None = None) -> None:
    user = reg.user
    subjects = {
        Status.CONFIRMED: N_("Registration confirmed: %(event)s"),
        Status.WAITLISTED: N_("You are on the waiting list: %(event)s"),
        Status.PENDING: N_("Registration received, awaiting approval: %(event)s"),
    }
    if reg.status not in subjects:
        return
    set_password_url = password_reset_url(user) if not user.password_hash else None
    verify_url = (
        email_verification_url(user)
        if user.email_verified_at is None and set_password_url is None
        else None
    )
    mail.send_mail(
        reg.email,
        _l(subjects[reg.status], event=lazy_tr(reg.event, "title")),
        f"registration_{reg.status.value}",
        _event_calendar(reg) if reg.status is Status.CONFIRMED else None,
        reg=reg,
        event=reg.event,
        # Bulk imports know the places in line already (one count per file, not per row).
        position=position if position is not None else waitlist_position(reg),
        welcome=welcome,
        verify_url=verify_url,
        set_password_url=set_password_url,
        mine_url=external_url("registration.mine", slug=reg.event.slug),
    )


def _event_calendar(reg: Registration) -> list[mail.Attachment]:
    """The event as a calendar entry for a delegate whose place is confirmed."""
    from confapp.events.calendar import event_ics
    from confapp.i18n import language_of

    data = event_ics(
        reg.event, language=language_of(reg, reg.event), sent_at=dt.datetime.now(dt.UTC)
    )
    return [mail.calendar_attachment("event.ics", data, method="PUBLISH")]


def _promoted_mail(reg: Registration) -> None:
    mail.send_mail(
        reg.email,
        _l("You have a place: %(event)s", event=lazy_tr(reg.event, "title")),
        "registration_promoted",
        _event_calendar(reg),
        reg=reg,
        event=reg.event,
        mine_url=external_url("registration.mine", slug=reg.event.slug),
    )
