"""Registration operations: register, approve, reject, cancel, waiting list, search, export.

Flush only; the caller commits. Seats go through confapp.capacity.services, the one
capacity + waiting-list rule; the waiting list of an event is its waitlisted
registrations in the order they joined it (status_changed_at, then id).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp import mail
from confapp.accounts import services as accounts
from confapp.accounts import team
from confapp.accounts.models import User
from confapp.accounts.services import email_verification_url
from confapp.accounts.services import normalise_email
from confapp.accounts.services import password_reset_url
from confapp.capacity import services as capacity
from confapp.countries import country_name
from confapp.countries import is_country
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events import services as events
from confapp.events.models import Event
from confapp.events.models import FieldMode
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.i18n import N_
from confapp.i18n import current_language
from confapp.multilingual import lazy_tr
from confapp.multilingual import tr
from confapp.registration import leave
from confapp.registration.choices import INTEREST_VALUES
from confapp.registration.choices import INTERESTS
from confapp.registration.models import Gender
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.urls import external_url

Status = RegistrationStatus
REJECTED_MESSAGE = _l(
    "The organisers did not accept your registration for this event, so you cannot register again. "
    "Please write to them if you think this is a mistake."
)
ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)
PER_PAGE = 50

# The delegate's details: the registration form's field names minus account fields.
DETAIL_FIELDS = (
    "full_name",
    "name_latin",
    "organisation",
    "organisation_type",
    "job_title",
    "country",
    "sector",
    "phone",
    "interests",
    "dietary",
    "accessibility",
    "needs_visa_letter",
    "directory_opt_in",
)
_MAX_LENGTHS = {
    "full_name": 200,
    "name_latin": 200,
    "organisation": 200,
    "job_title": 200,
    "phone": 40,
    "dietary": 300,
    "accessibility": 300,
}


# --- validation ---------------------------------------------------------------------


def is_latin(text: str) -> bool:
    """Whether every letter of the text is a Latin letter (accents and marks allowed)."""
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def clean_details(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise the delegate details; raise ValidationFailed naming the field."""
    out: dict[str, Any] = {}
    for name, limit in _MAX_LENGTHS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationFailed(_("At most %(limit)s characters.", limit=limit), field=name)
        out[name] = value
    if not out["full_name"]:
        raise ValidationFailed(_("Enter your full name."), field="full_name")
    out["name_latin"] = " ".join(out["name_latin"].split())
    if not is_latin(out["name_latin"]):
        raise ValidationFailed(
            _("Write this name in Latin letters (A to Z, accents allowed)."), field="name_latin"
        )
    country = str(data.get("country") or "").strip().upper()
    if not is_country(country):
        raise ValidationFailed(
            f"Unknown country code {country[:10]!r}; use an ISO 3166 two-letter code.",
            field="country",
        )
    out["country"] = country
    out["organisation_type"] = _enum(
        OrganisationType, data.get("organisation_type"), OrganisationType.OTHER, "organisation_type"
    )
    out["sector"] = _enum(Sector, data.get("sector"), Sector.INDUSTRY, "sector")
    interests = data.get("interests") or []
    if isinstance(interests, str):
        interests = [interests]
    interests = [str(i).strip() for i in interests if str(i).strip()]
    unknown = [i for i in interests if i not in INTEREST_VALUES]
    if unknown:
        raise ValidationFailed(
            _("Unknown interest: %(join)s.", join=", ".join(unknown)), field="interests"
        )
    # Keep the canonical order and drop repeats.
    out["interests"] = [value for value, _ in INTERESTS if value in set(interests)]
    out["needs_visa_letter"] = bool(data.get("needs_visa_letter"))
    out["directory_opt_in"] = bool(data.get("directory_opt_in"))
    return out


def _enum(cls, value: Any, default, field: str):
    if value in (None, ""):
        return default
    try:
        return cls(value)
    except ValueError:
        raise ValidationFailed(f"Unknown value {str(value)[:40]!r}.", field=field) from None


def parse_category(value: Any) -> RegistrationCategory:
    """The category for a value, or ValidationFailed."""
    return _enum(RegistrationCategory, value, RegistrationCategory.DELEGATE, "category")


# --- privacy notice -----------------------------------------------------------------

DEFAULT_PRIVACY_NOTICE = N_("""\
**How your data is used.** The organisers of %(title)s collect the details on this form to run
the conference: your place, badge, programme, meetings and visits, and the e-mails about them.

- **Who sees them:** the organisers and their staff. Other delegates see your name,
  organisation, job title and country only if you join the networking directory.
- **Visa letters:** passport details are seen by the organisers only and erased after the event.
- **How long:** they are kept for the event and its reports, then deleted on request.
- **Your rights:** you can correct your details from "My registration" and ask the organisers
  %(contact)sto see or delete them.
""")


def privacy_notice(event: Event) -> str:
    """The privacy notice shown before registering: the organiser's own text (Markdown),
    else a plain default that names the event and its contact address."""
    if (event.privacy_notice or "").strip():
        return event.privacy_notice
    contact = f"({event.contact_email}) " if event.contact_email else ""
    return _(DEFAULT_PRIVACY_NOTICE, title=tr(event, "title"), contact=contact)


# --- accounts -----------------------------------------------------------------------


def create_delegate_account(email: str, full_name: str, password: str) -> User:
    """Create the account of a visitor registering; refuse an address already in use."""
    try:
        return accounts.create_user(email, full_name, password)
    except DomainError as exc:
        if exc.code == "account_exists":
            raise ValidationFailed(
                _("An account with this e-mail address already exists. Please sign in first."),
                field="email",
                code="account_exists",
            ) from exc
        raise


def find_or_create_user(email: str, full_name: str) -> tuple[User, bool]:
    """The account for a registration organisers make for an address; (user, created).

    New: created without a password (the e-mail's "choose your password" link proves the
    address). Existing but unconfirmed: it may have been made by someone else with this
    address, so it stays closed until the address is confirmed (the e-mail carries the
    link) and nothing made for the address's owner is seen before.
    """
    user = accounts.find_user_by_email(normalise_email(email))
    if user is None:
        return accounts.create_user(email, full_name), True
    accounts.lock_until_verified(user)
    return user, False


def registrations_of(user: User) -> list[tuple[Registration, Event]]:
    """The user's (registration, event) pairs, latest event first (their account page)."""
    return list(
        db.session.execute(
            sa.select(Registration, Event)
            .join(Event, Registration.event_id == Event.id)
            .where(Registration.user_id == user.id)
            .order_by(Event.starts_on.desc())
        ).all()
    )


def landing(user: User, today: dt.date) -> tuple[str, Event] | None:
    """Where someone goes after signing in: (their role there, the event), or None for the
    list of events.

    The soonest upcoming event they hold a role in (organiser or staff); else their one
    upcoming active registration (with several, the events list lets them choose).
    """
    for event, role in team.events_with_roles(user):
        if event.ends_on >= today:
            return role.value, event
    upcoming = [
        event
        for reg, event in registrations_of(user)
        if reg.status in ACTIVE_STATUSES and event.ends_on >= today and event.is_published
    ]
    return ("delegate", upcoming[0]) if len(upcoming) == 1 else None


def change_settings(event: Event, data: Mapping[str, Any], now: dt.datetime) -> list[Registration]:
    """Save an event's settings; places added go to the waiting list in order (returned)."""
    if events.update_event(event, dict(data), now):
        return fill_from_waitlist(event, now)
    return []


def clean_gender(event: Event, data: Mapping[str, Any]) -> dict[str, Any]:
    """The optional gender answer as the event asks it: nothing when the question is hidden
    or not in `data` (imports), None for no answer, refused when required and missing."""
    if event.gender_field is FieldMode.HIDDEN or "gender" not in data:
        return {}
    value = str(data.get("gender") or "").strip()
    if not value:
        if event.gender_field is FieldMode.REQUIRED:
            raise ValidationFailed(
                _l("Choose an answer (“Prefer not to say” is one)."), field="gender"
            )
        return {"gender": None}
    try:
        return {"gender": Gender(value)}
    except ValueError:
        raise ValidationFailed(_l("Choose one of the answers offered."), field="gender") from None


# --- life cycle ---------------------------------------------------------------------


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
    _status_mail(reg, welcome=not public)
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
    _status_mail(reg, welcome=not public)
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
    _status_mail(reg)
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


BULK_ACTIONS = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}


def _selected(event: Event, action: str, ids: Iterable[int]) -> tuple[list[Registration], int]:
    """The chosen registrations of this event in handling order; and how many ids were not."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed(_("Unknown action."), field="action")
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise ValidationFailed(_("Select at least one registration."), field="ids")
    regs = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.id.in_(wanted))
        .order_by(Registration.id)
    ).all()
    if action != "approve":
        # Leave the waiting ones first, so nobody selected is promoted (and e-mailed)
        # only to be cancelled a moment later in the same batch.
        regs = sorted(regs, key=lambda r: (r.status is Status.CONFIRMED, r.id))
    return list(regs), len(wanted) - len(regs)


def apply_bulk(
    event: Event, action: str, ids: Iterable[int], *, actor: User, now: dt.datetime
) -> tuple[int, list[str]]:
    """Approve, reject or cancel many registrations; (done, reasons for the skipped)."""
    handlers = {"approve": approve, "reject": reject, "cancel": cancel}
    regs, missing = _selected(event, action, ids)
    done, skipped = 0, []
    for reg in regs:
        try:
            handlers[action](reg, actor=actor, now=now)
            done += 1
        except DomainError as exc:
            skipped.append(exc.message)
    if missing:
        skipped.append(
            ngettext(
                "%(num)d selected registration does not belong to this event.",
                "%(num)d selected registrations do not belong to this event.",
                missing,
            )
        )
    return done, skipped


def _names(regs: list[Registration], limit: int = 10) -> str:
    shown = ", ".join(r.full_name for r in regs[:limit])
    if len(regs) <= limit:
        return shown
    return _("%(names)s and %(count)s more", names=shown, count=len(regs) - limit)


def bulk_consequences(
    event: Event, action: str, ids: Iterable[int], now: dt.datetime
) -> tuple[int, list[str]]:
    """What cancelling or rejecting these registrations would do, for the confirmation
    page: (how many would change, sentences saying who is e-mailed and who gets the seats)."""
    regs, _missing = _selected(event, action, ids)
    active = [r for r in regs if r.status in ACTIVE_STATUSES]
    if not active:
        return 0, [_("None of the selected registrations is active: nothing would change.")]
    names = _names(active)
    lines = [
        {
            "approve": ngettext(
                "%(num)d registration is approved: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are approved: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
            "reject": ngettext(
                "%(num)d registration is rejected: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are rejected: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
            "cancel": ngettext(
                "%(num)d registration is cancelled: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are cancelled: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
        }[action]
    ]
    if len(active) < len(regs):
        lines.append(
            ngettext(
                "%(num)d selected registration is not active.",
                "%(num)d selected registrations are not active.",
                len(regs) - len(active),
            )
        )
    freed = sum(1 for r in active if r.status is Status.CONFIRMED)
    if freed and event.pool.capacity is not None:
        chosen = {r.id for r in regs}
        heirs = db.session.scalars(
            waiting_queue(event).where(Registration.id.not_in(chosen)).limit(freed)
        ).all()
        if heirs:
            lines.append(
                ngettext(
                    "%(num)d freed place goes to the first on the waiting list, who is "
                    "e-mailed: %(names)s.",
                    "%(num)d freed places go to the first on the waiting list, who are "
                    "e-mailed: %(names)s.",
                    len(heirs),
                    names=_names(list(heirs)),
                )
            )
        if freed > len(heirs):
            lines.append(
                ngettext(
                    "%(num)d place becomes free for new registrations.",
                    "%(num)d places become free for new registrations.",
                    freed - len(heirs),
                )
            )
    for reg in active[:5]:
        lines.extend(
            _("%(name)s: %(consequence)s", name=reg.full_name, consequence=line)
            for line in leave.describe_everything(reg, now)
        )
    return len(active), lines


# --- e-mails ------------------------------------------------------------------------


def _status_mail(reg: Registration, *, welcome: bool = False, position: int | None = None) -> None:
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
        reg=reg,
        event=reg.event,
        # Bulk imports know the places in line already (one count per file, not per row).
        position=position if position is not None else waitlist_position(reg),
        welcome=welcome,
        verify_url=verify_url,
        set_password_url=set_password_url,
        mine_url=external_url("registration.mine", slug=reg.event.slug),
    )


def _promoted_mail(reg: Registration) -> None:
    mail.send_mail(
        reg.email,
        _l("You have a place: %(event)s", event=lazy_tr(reg.event, "title")),
        "registration_promoted",
        reg=reg,
        event=reg.event,
        mine_url=external_url("registration.mine", slug=reg.event.slug),
    )


# --- organiser search and export ----------------------------------------------------


@dataclasses.dataclass
class Filters:
    """Organiser list filters, parsed leniently from query parameters."""

    status: Status | None = None
    category: RegistrationCategory | None = None
    country: str | None = None
    organisation_type: OrganisationType | None = None
    sector: Sector | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        """Read filters from request.args; unknown values are ignored, not errors."""

        def pick(enum_cls, name):
            try:
                return enum_cls(args.get(name)) if args.get(name) else None
            except ValueError:
                return None

        country = (args.get("country") or "").strip().upper()
        return cls(
            status=pick(Status, "status"),
            category=pick(RegistrationCategory, "category"),
            country=country if is_country(country) else None,
            organisation_type=pick(OrganisationType, "organisation_type"),
            sector=pick(Sector, "sector"),
            q=(args.get("q") or "").strip()[:200],
        )

    def as_args(self) -> dict[str, str]:
        """The active filters as query parameters (for links and exports)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {k: str(getattr(v, "value", v)) for k, v in values.items() if v}

    def conditions(self, event: Event) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses for these filters."""
        where: list[sa.ColumnElement[bool]] = [Registration.event_id == event.id]
        for name in ("status", "category", "country", "organisation_type", "sector"):
            value = getattr(self, name)
            if value:
                where.append(getattr(Registration, name) == value)
        if self.q:
            escaped = self.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            where.append(
                sa.or_(
                    *(
                        sa.func.lower(column).like(pattern, escape="\\")
                        for column in (
                            Registration.full_name,
                            Registration.name_latin,
                            Registration.email,
                            Registration.organisation,
                        )
                    )
                )
            )
        return where


@dataclasses.dataclass
class Page:
    """One page of results."""

    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))


def _filters(filters: Filters | Mapping[str, Any] | None) -> Filters:
    if filters is None:
        return Filters()
    return filters if isinstance(filters, Filters) else Filters.from_args(filters)


def search_registrations(
    event: Event,
    filters: Filters | Mapping[str, Any] | None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """A page of the event's registrations: one query for the rows and one for the count."""
    filters = _filters(filters)
    where = filters.conditions(event)
    total = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = db.session.scalars(
        sa.select(Registration)
        .where(*where)
        .order_by(Registration.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def status_counts(event: Event) -> dict[Status, int]:
    """How many registrations the event has in each status (zeros included)."""
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    counts = dict.fromkeys(Status, 0)
    counts.update({status: count for status, count in rows})
    return counts


EXPORT_COLUMNS = (
    "id",
    "status",
    "category",
    "source",
    "full_name",
    "email",
    "organisation",
    "organisation_type",
    "job_title",
    "country",
    "country_name",
    "sector",
    "phone",
    "interests",
    "dietary",
    "accessibility",
    "needs_visa_letter",
    "directory_opt_in",
    "registered_at",
    # Added later: new columns go last so that spreadsheets built on the export keep working.
    "name_latin",
)


def export_rows(
    event: Event, filters: Filters | Mapping[str, Any] | None
) -> tuple[tuple[str, ...], list[list[Any]]]:
    """Header and rows of the filtered registrations for CSV/XLSX (no passport data)."""
    filters = _filters(filters)
    regs = db.session.scalars(
        sa.select(Registration).where(*filters.conditions(event)).order_by(Registration.id)
    ).all()
    rows = [
        [
            reg.id,
            reg.status.value,
            reg.category.value,
            reg.source.value,
            reg.full_name,
            reg.email,
            reg.organisation,
            reg.organisation_type.value,
            reg.job_title,
            reg.country,
            country_name(reg.country),
            reg.sector.value,
            reg.phone,
            ";".join(reg.interests or []),
            reg.dietary,
            reg.accessibility,
            "yes" if reg.needs_visa_letter else "no",
            "yes" if reg.directory_opt_in else "no",
            event.local(reg.created_at).strftime("%Y-%m-%d %H:%M"),
            reg.name_latin,
        ]
        for reg in regs
    ]
    return EXPORT_COLUMNS, rows
