"""The organiser dashboard's figures, each computed by SQL aggregates.

Every figure is a GROUP BY or COUNT in the database; Python only folds the small results
(at most one row per country, day, quarter hour, session or visit) into M49 regions and
groups and into running totals. The number of queries is fixed: it does not grow with the
registrations, sessions, scans or meetings (tests/unit/test_analytics_services.py counts).

Populations: distributions (countries, regions, groups, organisation types, sectors,
categories, gender) count confirmed registrations, the people who hold a place; the
registrations over time count every registration by the day it came in and its status now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from confapp import country_groups as cg
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStatus
from confapp.capacity.models import CapacityPool
from confapp.checkin.checkpoints import ENTRANCE
from confapp.checkin.models import MEETINGS_AREA
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import NetworkingProfile
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Gender
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus

QUARTER_HOUR = 900  # seconds in an entrance bucket
# A meeting counts as held by scans when both people were scanned at the meetings area from
# this long before its slot starts (people arrive early for a table) until the slot ends.
HELD_SCAN_LEAD = dt.timedelta(minutes=15)
UNCLASSIFIED = "unclassified"  # a country M49 does not list (or none given)
NOT_GIVEN = "not_given"  # gender not asked or not answered
OTHER = "other"  # the countries after the top N
# The partition of the linkage matrix by development: every country in exactly one.
DEVELOPMENT_PARTITION = (cg.LDC, "OTHER_DEVELOPING", cg.DEVELOPED)


@dataclasses.dataclass
class DayCount:
    """Registrations that came in on one day (the event's time zone), by status now."""

    day: dt.date
    by_status: dict[str, int]
    cumulative: int
    cumulative_confirmed: int

    @property
    def total(self) -> int:
        """Every registration of the day."""
        return sum(self.by_status.values())


@dataclasses.dataclass
class SessionFigures:
    """One session: its room's capacity, seat limit, sign-ups and people scanned in."""

    id: int
    title: str
    starts_at: dt.datetime
    room: str
    room_capacity: int | None
    seat_limit: int | None
    signups: int
    attended: int

    @property
    def fill_rate(self) -> float | None:
        """Attendance as a share of the room's capacity (None: no capacity known)."""
        return self.attended / self.room_capacity if self.room_capacity else None


@dataclasses.dataclass
class VisitFigures:
    """One visit: seats on its buses, confirmed sign-ups and people scanned on board."""

    id: int
    title: str
    departs_at: dt.datetime
    seats: int
    signed_up: int
    boarded: int


@dataclasses.dataclass
class Funnel:
    """Networking: from profiles to meetings held, with the feedback's outcomes."""

    profiles: int
    requested: int
    accepted: int
    scheduled: int
    held: int
    cooperation_likely: int
    average_rating: float | None

    def steps(self) -> list[tuple[str, int]]:
        """The funnel's steps in order (key, count)."""
        return [
            ("profiles", self.profiles),
            ("requested", self.requested),
            ("accepted", self.accepted),
            ("scheduled", self.scheduled),
            ("held", self.held),
        ]


@dataclasses.dataclass
class Linkage:
    """Meetings held between two groups (unordered pairs, keyed with sorted keys)."""

    keys: list[str]
    pairs: dict[tuple[str, str], int]

    def count(self, a: str, b: str) -> int:
        """Meetings held between a delegate of group `a` and one of group `b`."""
        return self.pairs.get((min(a, b), max(a, b)), 0)

    @property
    def peak(self) -> int:
        """The largest cell (the heat map's scale)."""
        return max(self.pairs.values(), default=0)


@dataclasses.dataclass
class Dashboard:
    """Every figure of the organiser dashboard, the stats API and the funders' report."""

    event_id: int
    generated_at: dt.datetime
    capacity: int | None
    status_counts: dict[str, int]
    days: list[DayCount]
    countries: list[tuple[str, int]]
    regions: list[tuple[str, int]]
    country_groups: list[tuple[str, int]]
    organisation_types: list[tuple[str, int]]
    sectors: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    genders: list[tuple[str, int]]
    visa: dict[str, int]
    entrance: list[tuple[dt.datetime, int]]
    confirmed: int
    checked_in: int
    started: bool
    sessions: list[SessionFigures]
    visits: list[VisitFigures]
    funnel: Funnel
    linkage_regions: Linkage
    linkage_development: Linkage
    south_south: int

    @property
    def no_show(self) -> int:
        """Confirmed registrations never scanned at the entrance."""
        return self.confirmed - self.checked_in

    @property
    def no_show_rate(self) -> float | None:
        """No-shows as a share of confirmed registrations (None before the event starts)."""
        if not self.started or not self.confirmed:
            return None
        return self.no_show / self.confirmed

    @property
    def countries_represented(self) -> int:
        """How many countries the confirmed registrations come from."""
        return sum(1 for code, count in self.countries if count and code)

    def top_countries(self, n: int = 10) -> list[tuple[str, int]]:
        """The `n` countries with most confirmed registrations, then the rest as `OTHER`."""
        top = self.countries[:n]
        rest = sum(count for _, count in self.countries[n:])
        return [*top, (OTHER, rest)] if rest else top

    def women_share(self) -> float | None:
        """Women among those who answered the gender question (None if nobody did)."""
        answers = dict(self.genders)
        answered = sum(answers.get(g.value, 0) for g in Gender)
        return answers.get(Gender.WOMAN.value, 0) / answered if answered else None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _local_day(column, offset_minutes: int):
    """The calendar day of a UTC timestamp shifted by a fixed offset, in SQL."""
    if _dialect() == "sqlite":
        return sa.func.date(column, f"{offset_minutes:+d} minutes")
    utc = sa.func.timezone("UTC", column)  # timestamptz → UTC wall clock, whatever TimeZone says
    return sa.cast(utc + dt.timedelta(minutes=offset_minutes), sa.Date)


def _bucket(column, seconds: int):
    """The number of the `seconds`-long slice since the epoch a UTC timestamp falls in."""
    if _dialect() == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Integer) // seconds
    return sa.cast(sa.extract("epoch", column), sa.BigInteger) // seconds


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _offset_minutes(event: Event) -> int:
    # The zone's offset at the event's start: registrations are counted by the days of the
    # place the event is in (a DST change during the months before shifts a day by an hour).
    start = dt.datetime.combine(event.starts_on, dt.time(12), tzinfo=event.tz)
    return int(start.utcoffset().total_seconds() // 60)


def _every(keys: Iterable[str], rows: Iterable[tuple]) -> list[tuple[str, int]]:
    """Counts for every key (zeros included), in the keys' order, then unknown keys."""
    counts = {str(k.value if hasattr(k, "value") else k): n for k, n in rows}
    ordered = [(key, counts.pop(key, 0)) for key in keys]
    return ordered + sorted(counts.items())


def _confirmed(event: Event):
    return (Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)


def _grouped(event: Event, column) -> list[tuple]:
    return db.session.execute(
        sa.select(column, sa.func.count(Registration.id)).where(*_confirmed(event)).group_by(column)
    ).all()


def _days(event: Event) -> list[DayCount]:
    day = _local_day(Registration.created_at, _offset_minutes(event)).label("day")
    rows = db.session.execute(
        sa.select(day, Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(day, Registration.status)
        .order_by(day)
    ).all()
    by_day: dict[dt.date, dict[str, int]] = {}
    for value, status, count in rows:
        by_day.setdefault(_as_date(value), dict.fromkeys((s.value for s in RegistrationStatus), 0))[
            status.value
        ] = count
    out, total, confirmed = [], 0, 0
    for day_value in sorted(by_day):
        counts = by_day[day_value]
        total += sum(counts.values())
        confirmed += counts[RegistrationStatus.CONFIRMED.value]
        out.append(DayCount(day_value, counts, total, confirmed))
    return out


def _entrance(event: Event) -> list[tuple[dt.datetime, int]]:
    bucket = _bucket(Attendance.first_scanned_at, QUARTER_HOUR).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count(Attendance.id))
        .where(Attendance.event_id == event.id, Attendance.checkpoint == ENTRANCE)
        .group_by(bucket)
        .order_by(bucket)
    ).all()
    counts = {int(b): n for b, n in rows}
    if not counts:
        return []
    # Every quarter hour between the first and the last scan, empty ones included, so the
    # chart's time axis is even (capped: a stray scan days later must not make 1,000 bars).
    first, last = min(counts), max(counts)
    if last - first > 4 * 24 * 3:
        keys = sorted(counts)
    else:
        keys = list(range(first, last + 1))
    return [(dt.datetime.fromtimestamp(k * QUARTER_HOUR, dt.UTC), counts.get(k, 0)) for k in keys]


def _sessions(event: Event) -> list[SessionFigures]:
    signups = (
        sa.select(SessionSignup.session_id, sa.func.count(SessionSignup.id).label("n"))
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(ProgrammeSession.event_id == event.id, SessionSignup.status == SeatStatus.CONFIRMED)
        .group_by(SessionSignup.session_id)
        .subquery()
    )
    attended = (
        sa.select(Attendance.session_id, sa.func.count(Attendance.id).label("n"))
        .where(Attendance.event_id == event.id, Attendance.session_id.is_not(None))
        .group_by(Attendance.session_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            ProgrammeSession.id,
            ProgrammeSession.title,
            ProgrammeSession.starts_at,
            Room.name,
            Room.capacity,
            CapacityPool.capacity,
            sa.func.coalesce(signups.c.n, 0),
            sa.func.coalesce(attended.c.n, 0),
        )
        .outerjoin(Room, Room.id == ProgrammeSession.room_id)
        .outerjoin(CapacityPool, CapacityPool.id == ProgrammeSession.capacity_pool_id)
        .outerjoin(signups, signups.c.session_id == ProgrammeSession.id)
        .outerjoin(attended, attended.c.session_id == ProgrammeSession.id)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.status != SessionStatus.CANCELLED,
            ProgrammeSession.kind != SessionKind.BREAK,  # nobody is scanned into a coffee break
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
    return [SessionFigures(*row[:3], row[3] or "", *row[4:]) for row in rows]


def _visits(event: Event) -> list[VisitFigures]:
    seats = (
        sa.select(Bus.visit_id, sa.func.sum(Bus.seats).label("n"))
        .join(Visit, Visit.id == Bus.visit_id)
        .where(Visit.event_id == event.id)
        .group_by(Bus.visit_id)
        .subquery()
    )
    signed = (
        sa.select(VisitSignup.visit_id, sa.func.count(VisitSignup.id).label("n"))
        .join(Visit, Visit.id == VisitSignup.visit_id)
        .where(Visit.event_id == event.id, VisitSignup.status == SeatStatus.CONFIRMED)
        .group_by(VisitSignup.visit_id)
        .subquery()
    )
    boarded = (
        sa.select(Attendance.visit_id, sa.func.count(Attendance.id).label("n"))
        .where(Attendance.event_id == event.id, Attendance.visit_id.is_not(None))
        .group_by(Attendance.visit_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Visit.id,
            Visit.title,
            Visit.departs_at,
            sa.func.coalesce(seats.c.n, 0),
            sa.func.coalesce(signed.c.n, 0),
            sa.func.coalesce(boarded.c.n, 0),
        )
        .outerjoin(seats, seats.c.visit_id == Visit.id)
        .outerjoin(signed, signed.c.visit_id == Visit.id)
        .outerjoin(boarded, boarded.c.visit_id == Visit.id)
        .where(Visit.event_id == event.id, Visit.status != VisitStatus.CANCELLED)
        .order_by(Visit.departs_at, Visit.id)
    ).all()
    return [VisitFigures(*row) for row in rows]


def _slot_opens(starts_at):
    """When people may come for a meeting, in SQL: HELD_SCAN_LEAD before its slot starts."""
    if _dialect() == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff'; datetime() gives the same order as text.
        minutes = int(HELD_SCAN_LEAD.total_seconds() // 60)
        return sa.func.datetime(starts_at, f"-{minutes} minutes")
    return starts_at - sa.literal(HELD_SCAN_LEAD, sa.Interval())


def _scanned_for_meeting(event: Event, person) -> sa.Exists:
    """Whether `person` (a registration id column of the enclosing meeting) was scanned in
    at the meetings area during the meeting's slot (correlated to MeetingSlot)."""
    return sa.exists().where(
        Scan.registration_id == person,
        Scan.event_id == event.id,
        Scan.area == MEETINGS_AREA,
        Scan.result == ScanResult.OK,
        Scan.scanned_at >= _slot_opens(MeetingSlot.starts_at),
        Scan.scanned_at <= MeetingSlot.ends_at,
    )


def held_requests(event: Event) -> sa.Select:
    """Ids of the meeting requests held: booked, and either the feedback given says it took
    place (at least one of the two said so and neither said it did not) or both people were
    scanned at the meetings area within its slot (HELD_SCAN_LEAD before its start to its
    end). One SQL expression, so every figure built on it stays one query."""
    feedback = (
        sa.select(MeetingFeedback.request_id)
        .group_by(MeetingFeedback.request_id)
        .having(sa.func.min(sa.cast(MeetingFeedback.took_place, sa.Integer)) == 1)
    )
    return (
        sa.select(Meeting.request_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .where(
            Meeting.event_id == event.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            sa.or_(
                Meeting.request_id.in_(feedback),
                sa.and_(
                    _scanned_for_meeting(event, MeetingRequest.requester_id),
                    _scanned_for_meeting(event, MeetingRequest.invitee_id),
                ),
            ),
        )
    )


def _funnel(event: Event) -> Funnel:
    held = held_requests(event)
    of_event = MeetingRequest.event_id == event.id

    def count(stmt):
        return stmt.scalar_subquery()

    row = db.session.execute(
        sa.select(
            count(
                sa.select(sa.func.count(NetworkingProfile.id))
                .join(Registration, Registration.id == NetworkingProfile.registration_id)
                .where(*_confirmed(event))
            ),
            count(sa.select(sa.func.count(MeetingRequest.id)).where(of_event)),
            count(
                sa.select(sa.func.count(MeetingRequest.id)).where(
                    of_event, MeetingRequest.status == RequestStatus.ACCEPTED
                )
            ),
            count(
                sa.select(sa.func.count(Meeting.id))
                .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
                .where(
                    Meeting.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED
                )
            ),
            count(sa.select(sa.func.count()).select_from(held.subquery())),
            count(
                sa.select(sa.func.count(sa.distinct(MeetingFeedback.request_id))).where(
                    MeetingFeedback.request_id.in_(held),
                    MeetingFeedback.cooperation_likely.is_(True),
                )
            ),
            count(
                sa.select(sa.func.avg(MeetingFeedback.rating)).where(
                    MeetingFeedback.request_id.in_(held), MeetingFeedback.rating.is_not(None)
                )
            ),
        )
    ).one()
    *counts, rating = row
    return Funnel(*counts, round(float(rating), 2) if rating is not None else None)


def _held_country_pairs(event: Event) -> list[tuple[str, str, int]]:
    a, b = aliased(Registration), aliased(Registration)
    return [
        (ca or "", cb or "", n)
        for ca, cb, n in db.session.execute(
            sa.select(a.country, b.country, sa.func.count(MeetingRequest.id))
            .join(a, a.id == MeetingRequest.requester_id)
            .join(b, b.id == MeetingRequest.invitee_id)
            .where(MeetingRequest.id.in_(held_requests(event)))
            .group_by(a.country, b.country)
        ).all()
    ]


def region_key(country: str | None) -> str:
    """The M49 region code of a country, or UNCLASSIFIED."""
    return cg.region_of(country) or UNCLASSIFIED


def development_key(country: str | None) -> str:
    """LDC, OTHER_DEVELOPING or DEVELOPED (UNCLASSIFIED if M49 does not list the country)."""
    entry = cg.lookup(country)
    if entry is None:
        return UNCLASSIFIED
    if entry.ldc:
        return cg.LDC
    return cg.DEVELOPED if entry.developed else "OTHER_DEVELOPING"


def _linkage(pairs: list[tuple[str, str, int]], key_of, keys: tuple[str, ...]) -> Linkage:
    cells: Counter = Counter()
    for ca, cb, n in pairs:
        ka, kb = key_of(ca), key_of(cb)
        cells[(min(ka, kb), max(ka, kb))] += n
    unclassified = any(UNCLASSIFIED in pair for pair in cells)
    return Linkage([*keys, *([UNCLASSIFIED] if unclassified else [])], dict(cells))


def dashboard(event: Event, now: dt.datetime) -> Dashboard:
    """Every figure of the organiser dashboard for `event`, as of `now`."""
    status_counts = _every(
        (s.value for s in RegistrationStatus),
        db.session.execute(
            sa.select(Registration.status, sa.func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all(),
    )
    countries = sorted(
        ((code or "", n) for code, n in _grouped(event, Registration.country)),
        key=lambda pair: (-pair[1], pair[0]),
    )
    regions: Counter = Counter()
    groups: Counter = Counter()
    for code, n in countries:
        regions[region_key(code)] += n
        for key in cg.groups_of(code) & {*cg.SPECIAL_GROUPS, cg.DEVELOPING, cg.DEVELOPED}:
            groups[key] += n
    genders = _every(
        [*(g.value for g in Gender), NOT_GIVEN],
        [(g or NOT_GIVEN, n) for g, n in _grouped(event, Registration.gender)],
    )
    visa = dict(
        _every(
            (s.value for s in VisaStatus),
            db.session.execute(
                sa.select(VisaRequest.status, sa.func.count(VisaRequest.id))
                .join(Registration, Registration.id == VisaRequest.registration_id)
                .where(Registration.event_id == event.id)
                .group_by(VisaRequest.status)
            ).all(),
        )
    )
    confirmed, checked_in = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(Attendance.id),
        )
        .outerjoin(
            Attendance,
            sa.and_(
                Attendance.registration_id == Registration.id, Attendance.checkpoint == ENTRANCE
            ),
        )
        .where(*_confirmed(event))
    ).one()
    pairs = _held_country_pairs(event)
    development = _linkage(pairs, development_key, DEVELOPMENT_PARTITION)
    south_south = sum(
        n
        for ca, cb, n in pairs
        if cg.in_group(ca, cg.DEVELOPING) and cg.in_group(cb, cg.DEVELOPING)
    )
    start = dt.datetime.combine(event.starts_on, dt.time(0), tzinfo=event.tz)
    return Dashboard(
        event_id=event.id,
        generated_at=now,
        capacity=event.capacity,
        status_counts=dict(status_counts),
        days=_days(event),
        countries=countries,
        regions=[(k, regions[k]) for k in (*cg.REGIONS, UNCLASSIFIED) if regions[k]],
        country_groups=[
            (k, groups[k]) for k in (cg.LDC, cg.LLDC, cg.SIDS, cg.DEVELOPING, cg.DEVELOPED)
        ],
        organisation_types=_every(
            (t.value for t in OrganisationType), _grouped(event, Registration.organisation_type)
        ),
        sectors=_every((s.value for s in Sector), _grouped(event, Registration.sector)),
        categories=_every(
            (c.value for c in RegistrationCategory), _grouped(event, Registration.category)
        ),
        genders=genders,
        visa=visa,
        entrance=_entrance(event),
        confirmed=confirmed,
        checked_in=checked_in,
        started=now >= start,
        sessions=_sessions(event),
        visits=_visits(event),
        funnel=_funnel(event),
        linkage_regions=_linkage(pairs, region_key, cg.REGIONS),
        linkage_development=development,
        south_south=south_south,
    )


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _pairs_json(linkage: Linkage) -> list[dict]:
    return [{"a": a, "b": b, "count": n} for (a, b), n in sorted(linkage.pairs.items())]


def as_json(d: Dashboard, slug: str) -> dict:
    """The dashboard's figures as the stats API answers them (codes, not names; UTC times)."""
    return {
        "event": slug,
        "generated_at": _utc(d.generated_at),
        "capacity": d.capacity,
        "registrations": {
            "by_status": d.status_counts,
            "by_day": [
                {
                    "day": day.day.isoformat(),
                    "by_status": day.by_status,
                    "total": day.total,
                    "cumulative": day.cumulative,
                    "cumulative_confirmed": day.cumulative_confirmed,
                }
                for day in d.days
            ],
        },
        "confirmed": d.confirmed,
        "countries_represented": d.countries_represented,
        "by_country": [{"country": code or None, "count": n} for code, n in d.countries],
        "by_region": [{"region": code, "count": n} for code, n in d.regions],
        "by_country_group": [{"group": key, "count": n} for key, n in d.country_groups],
        "by_organisation_type": dict(d.organisation_types),
        "by_sector": dict(d.sectors),
        "by_category": dict(d.categories),
        "by_gender": dict(d.genders),
        "visa_letters": d.visa,
        "attendance": {
            "checked_in": d.checked_in,
            "no_show": d.no_show,
            "no_show_rate": round(d.no_show_rate, 4) if d.no_show_rate is not None else None,
            "entrance_per_15_min": [{"from": _utc(m), "count": n} for m, n in d.entrance],
            "sessions": [
                {
                    "id": s.id,
                    "title": s.title,
                    "starts_at": _utc(s.starts_at),
                    "room": s.room or None,
                    "room_capacity": s.room_capacity,
                    "seat_limit": s.seat_limit,
                    "signups": s.signups,
                    "attended": s.attended,
                }
                for s in d.sessions
            ],
            "visits": [
                {
                    "id": v.id,
                    "title": v.title,
                    "departs_at": _utc(v.departs_at),
                    "seats": v.seats,
                    "signed_up": v.signed_up,
                    "boarded": v.boarded,
                }
                for v in d.visits
            ],
        },
        "networking": {
            "funnel": dict(d.funnel.steps()),
            "cooperation_likely": d.funnel.cooperation_likely,
            "average_rating": d.funnel.average_rating,
            "south_south_held": d.south_south,
            "held_by_region": _pairs_json(d.linkage_regions),
            "held_by_development_group": _pairs_json(d.linkage_development),
        },
    }
