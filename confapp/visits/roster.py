"""Who goes on a visit, for organisers: sign-up lists, adding, removing and moving
delegates, and the rows of the passenger manifest. Flush only; views commit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda.models import SeatStatus
from confapp.capacity import services as capacity
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.mails import SUBJECTS
from confapp.visits.mails import mail_delegate
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from confapp.visits.signups import clean_group
from confapp.visits.signups import join_visit
from confapp.visits.signups import leave_visit
from confapp.web.params import parse_int


def signups_for(
    visit: Visit, *, include_cancelled: bool = True
) -> list[tuple[VisitSignup, Registration]]:
    """Sign-ups with registrations: confirmed, then the waiting list in order, then cancelled."""
    order = sa.case(
        (VisitSignup.status == SeatStatus.CONFIRMED, 0),
        (VisitSignup.status == SeatStatus.WAITLISTED, 1),
        else_=2,
    )
    query = (
        sa.select(VisitSignup, Registration)
        .join(Registration, Registration.id == VisitSignup.registration_id)
        .where(VisitSignup.visit_id == visit.id)
        .order_by(order, VisitSignup.id)
    )
    if not include_cancelled:
        query = query.where(VisitSignup.status != SeatStatus.CANCELLED)
    return [(s, r) for s, r in db.session.execute(query).all()]


def get_signup_by_id(visit: Visit, signup_id: int) -> VisitSignup | None:
    """A sign-up of this visit."""
    holder = db.session.get(VisitSignup, signup_id)
    if holder is None or holder.visit_id != visit.id:
        return None
    return holder


def add_by_hand(
    event: Event,
    visit: Visit,
    registration: Registration,
    *,
    now: dt.datetime,
    group_code: str = "",
    id_number: str = "",
    notify: bool = True,
) -> VisitSignup:
    """An organiser adds a delegate: no sign-up window, limits or clash checks, but the
    same seats-then-waiting-list rule (a visit is never overbooked)."""
    if visit.status is VisitStatus.CANCELLED:
        raise DomainError(_("This visit is cancelled."))
    if registration.event_id != event.id or registration.status is not RegistrationStatus.CONFIRMED:
        raise ValidationFailed(
            _("Only delegates with a confirmed registration can be added."), field="email"
        )
    group_code = clean_group(group_code)
    id_number = " ".join((id_number or "").split())[:60]
    holder = join_visit(visit, registration, group_code=group_code, id_number=id_number, now=now)
    if notify:
        confirmed = holder.status is SeatStatus.CONFIRMED
        template = "visit_confirmed" if confirmed else "visit_waitlisted"
        subject = SUBJECTS["confirmed" if confirmed else "waitlisted"]
        mail_delegate(event, visit, registration, template, subject)
    return holder


def remove(
    event: Event, visit: Visit, holder: VisitSignup, *, now: dt.datetime
) -> list[VisitSignup]:
    """An organiser cancels someone's sign-up; the waiting list moves up."""
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("This sign-up is already cancelled."))
    return leave_visit(event, visit, holder, now)


def remove_consequences(visit: Visit, holder: VisitSignup) -> list[str]:
    """What removing this sign-up would do, for the confirmation page: whose seat or place
    goes, who gets the seat (and is e-mailed), and that the person removed is not told."""
    person = db.session.get(Registration, holder.registration_id)
    return [
        *_leaving(visit, holder, person),
        _("%(name)s is not e-mailed: tell them yourself if needed.", name=person.full_name),
    ]


def move_consequences(visit: Visit, holder: VisitSignup, target: Visit) -> list[str]:
    """What moving this sign-up to `target` would do, for the confirmation page: what the
    delegate leaves (and who gets it), what they get on the other visit, who is e-mailed."""
    person = db.session.get(Registration, holder.registration_id)
    name, title = person.full_name, tr(target, "title")
    left = target.pool.seats_left
    arrival = (
        _(
            "%(name)s gets a seat on “%(title)s” and is e-mailed its details.",
            name=name,
            title=title,
        )
        if left is None or left > 0
        else _(
            "“%(title)s” is full: %(name)s joins its waiting list and is e-mailed so.",
            name=name,
            title=title,
        )
    )
    return [*_leaving(visit, holder, person), arrival]


def _leaving(visit: Visit, holder: VisitSignup, person: Registration) -> list[str]:
    """Whose seat or place on `visit` goes, and who gets the seat."""
    name, title = person.full_name, tr(visit, "title")
    if holder.status is SeatStatus.WAITLISTED:
        return [
            _(
                "%(name)s leaves the waiting list of “%(title)s”; those behind move up one place.",
                name=name,
                title=title,
            ),
        ]
    bus = db.session.get(Bus, holder.bus_id) if holder.bus_id else None
    lines = [
        _(
            "%(name)s loses their seat on “%(title)s” and their place on %(bus)s.",
            name=name,
            title=title,
            bus=bus.name,
        )
        if bus is not None
        else _("%(name)s loses their seat on “%(title)s”.", name=name, title=title)
    ]
    heir = db.session.scalar(
        sa.select(Registration)
        .join(VisitSignup, VisitSignup.registration_id == Registration.id)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == SeatStatus.WAITLISTED)
        .order_by(VisitSignup.id)
        .limit(1)
    )
    if heir is not None:
        lines.append(
            _(
                "The seat goes to %(next)s, first on the waiting list, who is e-mailed and "
                "put on a bus with room.",
                next=heir.full_name,
            )
        )
    else:
        lines.append(_("Nobody is waiting: the seat becomes free for the next sign-up."))
    return lines


def move(event: Event, holder: VisitSignup, target: Visit, *, now: dt.datetime) -> VisitSignup:
    """Move a delegate to another visit: a seat there if one is free, else its waiting list."""
    source = db.session.get(Visit, holder.visit_id)
    if target.event_id != event.id or source.event_id != event.id:
        raise ValidationFailed(_("Unknown visit."), field="visit_id")
    if target.id == source.id:
        raise ValidationFailed(_("Choose another visit."), field="visit_id")
    if target.status is VisitStatus.CANCELLED:
        raise ValidationFailed(_("That visit is cancelled."), field="visit_id")
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("This sign-up is cancelled."))
    registration = db.session.get(Registration, holder.registration_id)
    # Lock both pools in id order so two opposite moves cannot deadlock.
    for pool in sorted((source.pool, target.pool), key=lambda p: p.id):
        capacity.lock_pool(pool)
    group_code, id_number = holder.group_code, holder.id_number
    moved = join_visit(target, registration, group_code=group_code, id_number=id_number, now=now)
    leave_visit(event, source, holder, now)
    template = "visit_confirmed" if moved.status is SeatStatus.CONFIRMED else "visit_waitlisted"
    mail_delegate(event, target, registration, template, SUBJECTS["moved"])
    return moved


def find_registration(event: Event, text: str) -> Registration | None:
    """A confirmed registration of the event by e-mail address or registration number."""
    text = (text or "").strip()
    query = sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    number = parse_int(text)  # plain ASCII digits within an id's range, else None
    if number is not None:
        return db.session.scalar(query.where(Registration.id == number))
    return db.session.scalar(query.where(sa.func.lower(Registration.email) == text.lower()))


NO_BUS = "NO BUS"


@dataclasses.dataclass(frozen=True)
class ManifestRow:
    """One passenger for the bus crew and the factory gate."""

    name: str
    organisation: str
    country: str
    phone: str
    id_number: str
    bus: str
    group_code: str


def manifest_rows(visit: Visit, bus: Bus | None = None) -> list[ManifestRow]:
    """Confirmed delegates of the visit (or of one bus), by bus then name."""
    from confapp.countries import country_name

    bus_names = {b.id: b.name for b in visit.buses}
    query = (
        sa.select(VisitSignup, Registration)
        .join(Registration, Registration.id == VisitSignup.registration_id)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == SeatStatus.CONFIRMED)
    )
    if bus is not None:
        query = query.where(VisitSignup.bus_id == bus.id)
    rows = [
        ManifestRow(
            name=reg.full_name,
            organisation=reg.organisation,
            country=country_name(reg.country),
            phone=reg.phone,
            id_number=holder.id_number,
            # A visit with buses: someone without a bus must stand out, never a blank cell.
            bus=bus_names.get(holder.bus_id, NO_BUS if visit.buses else ""),
            group_code=holder.group_code,
        )
        for holder, reg in db.session.execute(query).all()
    ]
    positions = {b.name: b.position for b in visit.buses}
    return sorted(
        rows,
        key=lambda r: (r.bus in ("", NO_BUS), positions.get(r.bus, 0), r.name.casefold()),
    )
