"""Load the demo conference: event, team accounts, delegates, visa requests.

Each step is its own function so that later features (agenda, meetings, visits) add
their `seed_*` step to `seed_demo`. The data is deterministic (random.Random(42)) so two
demo databases look the same; seats go through the capacity service so the counts
are right.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from confapp.accounts import team
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.capacity.services import try_take
from confapp.countries import country_name
from confapp.db import utcnow
from confapp.demo import data
from confapp.demo.translations import translate_demo
from confapp.documents import branding
from confapp.events import services as event_services
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from confapp.visa.services import next_reference

SEED = 42
# The secretariat's logo and signature (drawn by tools/demo_images.py).
IMAGES = Path(__file__).resolve().parent / "images"
# Interest values of the registration form (kept here to avoid a hard dependency on
# the registration package's choices; the values are part of the stored data).
INTERESTS = (
    "industrial_productivity",
    "inclusive_growth",
    "innovation",
    "energy_efficiency",
    "common_infrastructure",
    "sustainable_production",
    "finance",
    "export_markets",
    "skills_training",
    "digitalisation",
)
# Delegates from these countries need no visa for India.
VISA_FREE = {"IN", "NP"}


@dataclass
class DemoSummary:
    """What seeding made, for the command's report (plain values, usable after commit)."""

    slug: str
    title: str
    accounts: list[tuple[str, str, str]]
    registrations: int = 0
    confirmed: int = 0
    countries: int = 0
    visa_requests: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def demo_event() -> Event | None:
    """The demo event if it has been loaded."""
    return db.session.scalar(sa.select(Event).where(Event.slug == data.SLUG))


def demo_accounts() -> list[tuple[str, str, str]]:
    """(e-mail, password, role) of the demo sign-ins."""
    return [(email, data.PASSWORD, kind) for email, _name, kind in data.ACCOUNTS]


def seed_demo(
    now: dt.datetime | None = None, on_progress: Callable[[int], None] | None = None
) -> DemoSummary | None:
    """Load the whole demo and commit once; None (and no change) if it is already there."""
    if demo_event() is not None:
        return None
    now = now or utcnow()
    rng = random.Random(SEED)
    event = seed_event(now)
    seed_branding(event)
    users = seed_accounts(event, now)
    people = build_delegates(rng, now)
    registrations = seed_registrations(event, users["delegate"], people, now, on_progress)
    passport_names = {p["email"]: p["passport_name"] for p in people}
    visas = seed_visa_requests(event, registrations, users["organiser"], rng, passport_names)
    sessions = seed_agenda(event, now)
    visits = seed_visits(event, registrations, now)
    meetings = seed_networking(event, registrations, now)
    translate_demo(event)
    db.session.commit()
    return DemoSummary(
        slug=event.slug,
        title=event.title,
        accounts=demo_accounts(),
        registrations=len(registrations),
        confirmed=sum(r.status is RegistrationStatus.CONFIRMED for r in registrations),
        countries=len({r.country for r in registrations}),
        visa_requests=len(visas),
        extra={"sessions": sessions, "visits": visits, **meetings},
    )


def seed_event(now: dt.datetime) -> Event:
    """The published demo conference with its partners and 400 places."""
    values = dict(data.EVENT)
    tz = ZoneInfo(values["timezone"])
    dates = data.calendar(now)
    event = event_services.create_event(
        **values,
        starts_on=dates.starts_on,
        ends_on=dates.ends_on,
        partners=list(data.PARTNERS),
        registration_opens_at=dates.registration_opens,
        registration_closes_at=dates.registration_closes_local.replace(tzinfo=tz).astimezone(
            dt.UTC
        ),
    )
    event_services.publish(event)
    return event


def seed_branding(event: Event) -> None:
    """The logo and signature an organiser would upload, so that the demo's visa letters
    and certificates look like a secretariat's."""
    for kind in branding.KINDS:
        branding.save_image(event, kind, (IMAGES / f"{kind}.png").read_bytes())


def seed_accounts(event: Event, now: dt.datetime) -> dict[str, User]:
    """Administrator, organiser, staff member and demo delegate, keyed by kind."""
    users: dict[str, User] = {}
    for email, full_name, kind in data.ACCOUNTS:
        user = User(
            email=email, full_name=full_name, is_admin=kind == "admin", email_verified_at=now
        )
        user.set_password(data.PASSWORD)
        db.session.add(user)
        users[kind] = user
    db.session.flush()
    team.grant_role(users["organiser"], event, EventRoleKind.ORGANISER)
    team.grant_role(users["staff"], event, EventRoleKind.STAFF)
    return users


def _split(entry: str) -> tuple[str, str]:
    """'native/romanised' (or a Latin name alone) -> (native, romanised)."""
    native, _, roman = entry.partition("/")
    return native.strip(), (roman or _ascii(native)).strip()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")


def _domain(organisation: str, country: str) -> str:
    words = [w for w in re.split(r"[^\w']+", _ascii(organisation)) if w and w[0].isupper()]
    acronym = "".join(w[0] for w in words).lower() or _slug(organisation)[:8]
    return f"{acronym}-{country.lower()}.example.org"


def _compose(order: str, given: str, family: str) -> str:
    if order == "fg":
        return f"{family}{given}"
    if order == "f g":
        return f"{family} {given}"
    return f"{given} {family}"


def _phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _organisation(entry: str) -> tuple[str, OrganisationType, Sector]:
    name, kind, sector = entry.split("|")
    return name, OrganisationType(data.ORG_TYPES[kind]), Sector(data.SECTORS[sector])


def build_delegates(rng: random.Random, now: dt.datetime) -> list[dict[str, Any]]:
    """The generated delegates as plain dicts (registration fields + passport name)."""
    people: list[dict[str, Any]] = []
    emails: set[str] = {email for email, _n, _k in data.ACCOUNTS}

    def add(
        full_name: str, roman: tuple[str, str], country: str, org_entry: str, prefix: str
    ) -> None:
        organisation, org_type, sector = _organisation(org_entry)
        local = ".".join(_slug(part) for part in roman if part)
        email = f"{local}@{_domain(organisation, country)}"
        n = 2
        while email in emails:
            email = f"{local}{n}@{_domain(organisation, country)}"
            n += 1
        emails.add(email)
        people.append(
            {
                "full_name": full_name,
                "passport_name": " ".join(reversed(roman)).upper()
                if roman[0]
                else full_name.upper(),
                "email": email,
                "country": country,
                "organisation": organisation,
                "organisation_type": org_type,
                "job_title": rng.choice(data.JOB_TITLES[org_type.value]),
                "sector": sector,
                "phone": _phone(rng, prefix),
                "interests": sorted(rng.sample(INTERESTS, rng.randint(1, 4))),
                "dietary": rng.choice(data.DIETARY),
                "accessibility": rng.choice(data.ACCESSIBILITY),
                "needs_visa_letter": country not in VISA_FREE and rng.random() < 0.4,
                "directory_opt_in": rng.random() < 0.75,
            }
        )

    for country, count, order, prefix, given_list, family_list, organisations in data.COUNTRIES:
        givens = [_split(g) for g in given_list.split(",")]
        families = [_split(f) for f in family_list.split(",")]
        pairs = [(g, f) for g in givens for f in families]
        for index, (given, family) in enumerate(rng.sample(pairs, count)):
            full_name = _compose(order, given[0], family[0])
            roman = (given[1], family[1])
            # Round-robin over the organisations so every kind of organisation appears.
            add(full_name, roman, country, organisations[index % len(organisations)], prefix)
    for full_name, country, org_entry, prefix in data.INTERNATIONAL:
        given, _, family = full_name.partition(" ")
        add(full_name, (given, family), country, org_entry, prefix)

    # Registrations arrived over the weeks since registration opened.
    opened = data.calendar(now).registration_opens
    span = (now - opened).total_seconds()
    for person in people:
        person["created_at"] = opened + dt.timedelta(seconds=int(span * rng.random()))
    people.sort(key=lambda p: p["created_at"])

    press = [p for p in people if p["organisation_type"] is OrganisationType.OTHER][: data.PRESS]
    for person in press:
        person["category"] = RegistrationCategory.PRESS
        person["job_title"] = rng.choice(("Journalist", "Correspondent"))
    others = [p for p in people if "category" not in p]
    for person in rng.sample(others, data.SPEAKERS):
        person["category"] = RegistrationCategory.SPEAKER
    ordinary = [p for p in people if "category" not in p]
    chosen = rng.sample(ordinary, data.PENDING + data.CANCELLED)
    for person in chosen[: data.PENDING]:
        person["status"] = RegistrationStatus.PENDING
    for person in chosen[data.PENDING :]:
        person["status"] = RegistrationStatus.CANCELLED
    return people


def seed_registrations(
    event: Event,
    demo_delegate: User,
    people: list[dict[str, Any]],
    now: dt.datetime,
    on_progress: Callable[[int], None] | None = None,
) -> list[Registration]:
    """The demo delegate's registration first, then everyone else's, in arrival order."""
    demo = {k: v for k, v in data.DEMO_DELEGATE.items() if k != "passport"}
    demo_values = {
        **demo,
        "organisation_type": OrganisationType(demo["organisation_type"]),
        "sector": Sector(demo["sector"]),
        "needs_visa_letter": True,
        "directory_opt_in": True,
        "created_at": data.calendar(now).registration_opens + dt.timedelta(hours=3),
    }
    registrations = [_register(event, demo_delegate, demo_values, now)]
    for person in people:
        user = User(
            email=person["email"],
            full_name=person["full_name"],
            email_verified_at=person["created_at"],
        )
        db.session.add(user)
        values = {
            k: v for k, v in person.items() if k not in ("email", "full_name", "passport_name")
        }
        registrations.append(_register(event, user, values, now))
        if on_progress is not None:
            on_progress(1)
    db.session.flush()
    return registrations


def _register(event: Event, user: User, values: dict[str, Any], now: dt.datetime) -> Registration:
    status = values.pop("status", RegistrationStatus.CONFIRMED)
    if status is RegistrationStatus.CONFIRMED and not try_take(event.pool):
        status = RegistrationStatus.WAITLISTED
    created = values.pop("created_at")
    registration = Registration(
        event=event,
        user=user,
        full_name=user.full_name,
        email=user.email,
        status=status,
        category=values.pop("category", RegistrationCategory.DELEGATE),
        source=RegistrationSource.WEB,
        created_at=created,
        updated_at=created,
        # Cancellations happened a little after registering.
        status_changed_at=created + dt.timedelta(days=3)
        if status is RegistrationStatus.CANCELLED
        else created,
        **values,
    )
    db.session.add(registration)
    return registration


def seed_agenda(event: Event, now: dt.datetime) -> int:
    """Rooms, tracks and the published three-day programme; how many sessions."""
    from confapp.agenda.demo import seed_programme

    return len(seed_programme(event, now=now))


def seed_visits(event: Event, registrations: list[Registration], now: dt.datetime) -> int:
    """Cluster visits near New Delhi, with buses and sign-ups; returns how many."""
    from confapp.visits.demo import seed_visits as seed

    return len(seed(event, registrations, now))


def seed_networking(
    event: Event, registrations: list[Registration], now: dt.datetime
) -> dict[str, int]:
    """Networking profiles, slots, tables and requests; returns counts for the report."""
    from confapp.meetings.demo import seed_meetings

    made = seed_meetings(event, registrations, now)
    return {key: value for key, value in made.items() if isinstance(value, int)}


def seed_visa_requests(
    event: Event,
    registrations: list[Registration],
    organiser: User,
    rng: random.Random,
    passport_names: dict[str, str] | None = None,
) -> list[VisaRequest]:
    """A few letter requests awaiting a decision and the demo delegate's approved one."""
    demo_registration = registrations[0]
    name, number, nationality, born = data.DEMO_DELEGATE["passport"]
    approved = VisaRequest(
        registration=demo_registration,
        passport_name=name,
        passport_number=number,
        nationality=nationality,
        date_of_birth=born,
        # A ten-year passport issued some years ago, valid long after the event.
        passport_issued_on=event.starts_on.replace(year=event.starts_on.year - 4, day=1),
        passport_expires_on=event.starts_on.replace(year=event.starts_on.year + 6, day=1)
        - dt.timedelta(days=1),
        passport_issue_place="Dakar",
        status=VisaStatus.APPROVED,
        created_at=demo_registration.created_at + dt.timedelta(hours=1),
        decided_at=demo_registration.created_at + dt.timedelta(days=2),
        decided_by_id=organiser.id,
    )
    db.session.add(approved)
    db.session.flush()
    approved.reference = next_reference(event)
    visas = [approved]
    candidates = [
        r
        for r in registrations[1:]
        if r.needs_visa_letter and r.status is RegistrationStatus.CONFIRMED
    ]
    for registration in rng.sample(candidates, min(data.VISA_REQUESTS - 1, len(candidates))):
        born_on = dt.date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
        issued_on = event.starts_on - dt.timedelta(days=rng.randint(200, 3000))
        visa = VisaRequest(
            registration=registration,
            passport_name=(passport_names or {}).get(registration.email)
            or _ascii(registration.full_name).upper(),
            passport_number=f"{rng.choice('ABCDEGHKLMNPRT')}{rng.randint(1000000, 9999999)}",
            nationality=registration.country,
            date_of_birth=born_on,
            passport_issued_on=issued_on,
            passport_expires_on=issued_on.replace(year=issued_on.year + 10, day=1),
            passport_issue_place=country_name(registration.country, "en"),
            status=VisaStatus.REQUESTED,
            created_at=registration.created_at + dt.timedelta(days=1),
        )
        db.session.add(visa)
        visas.append(visa)
    db.session.flush()
    return visas
