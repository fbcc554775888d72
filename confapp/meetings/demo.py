"""Demo data for networking meetings: tags, slots, tables, profiles and requests (flush only)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

import sqlalchemy as sa

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings import batch
from confapp.meetings import booking
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import NetworkingProfile
from confapp.meetings.models import NetworkingTag
from confapp.meetings.models import ProfileTag
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import TagSide
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

TAGS = (
    "technology transfer",
    "finance",
    "export partners",
    "suppliers",
    "training",
    "policy exchange",
    "research collaboration",
    "cluster management",
    "digitalisation",
    "quality and standards",
    "green production",
    "market access",
)
OFFERS = (
    "Experience running a cluster development programme with {n} member firms.",
    "Credit guarantee and working-capital products for MSMEs.",
    "Training of cluster development agents and facilitators.",
    "Testing laboratory and certification services.",
    "Sourcing of components and raw materials for small manufacturers.",
    "Policy advice on industrial parks and special economic zones.",
)
SEEKS = (
    "Buyers and export partners for handloom and leather products.",
    "Technology partners for energy-efficient foundries.",
    "Finance for a common facility centre.",
    "Research collaboration on cluster upgrading and value chains.",
    "Peer exchange with cluster associations from other regions.",
    "Suppliers of machinery and training for food processing.",
)
LANGUAGES = ("en", "fr", "es", "hi", "pt", "ar", "sw")


def _blocks(event: Event) -> list[tuple[dt.datetime, dt.datetime]]:
    """The networking-meeting blocks of the programme, or a default afternoon."""
    sessions = db.session.scalars(
        sa.select(ProgrammeSession).where(
            ProgrammeSession.event_id == event.id, ProgrammeSession.kind == SessionKind.NETWORKING
        )
    )
    blocks = [(s.starts_at, s.ends_at) for s in sessions if "meeting" in s.title.lower()]
    if blocks:
        return blocks
    start = dt.datetime.combine(event.starts_on, dt.time(15, 30), tzinfo=event.tz).astimezone(
        dt.UTC
    )
    return [(start, start + dt.timedelta(minutes=90))]


def seed_meetings(
    event: Event, registrations: Sequence[Registration], now: dt.datetime, *, requests: int = 300
) -> dict:
    """Tags, 20-minute slots in networking blocks, 40 tables, profiles, requests and a batch run."""
    rng = random.Random(20270220)
    tags = [NetworkingTag(event_id=event.id, name=name) for name in TAGS]
    db.session.add_all(tags)
    db.session.flush()
    for start, end in _blocks(event):
        booking.generate_slots(event, start, end, 20)
    booking.add_tables(event, 40, "Table", "Networking lounge")
    people = [r for r in registrations if r.status is RegistrationStatus.CONFIRMED]
    listed = [r for r in people if r.directory_opt_in or rng.random() < 0.6]
    for r in listed:
        r.directory_opt_in = True
        offer, seek = rng.sample(tags, 2), rng.sample(tags, 2)
        profile = NetworkingProfile(
            registration_id=r.id,
            offers=rng.choice(OFFERS).format(n=rng.randint(20, 400)),
            seeks=rng.choice(SEEKS),
            languages=",".join(sorted({"en", rng.choice(LANGUAGES)})),
            updated_at=now,
        )
        profile.tags = [ProfileTag(tag_id=t.id, side=TagSide.OFFER) for t in offer] + [
            ProfileTag(tag_id=t.id, side=TagSide.SEEK) for t in seek
        ]
        db.session.add(profile)
    db.session.flush()
    made = 0
    pairs: set[tuple[int, int]] = set()
    weights = [1 / (k + 1) ** 0.8 for k in range(len(listed))]
    attempts = 0
    while listed and len(listed) > 1 and made < requests and attempts < requests * 20:
        attempts += 1
        a = rng.choice(listed)
        b = rng.choices(listed, weights)[0]
        key = (min(a.id, b.id), max(a.id, b.id))
        if a.id == b.id or key in pairs:
            continue
        pairs.add(key)
        status = rng.choices(
            [
                RequestStatus.ACCEPTED,
                RequestStatus.PENDING,
                RequestStatus.DECLINED,
                RequestStatus.CANCELLED,
            ],
            [0.6, 0.25, 0.1, 0.05],
        )[0]
        created = now - dt.timedelta(hours=rng.randint(1, 240))
        db.session.add(
            MeetingRequest(
                event_id=event.id,
                requester_id=a.id,
                invitee_id=b.id,
                message=(
                    f"Hello {b.full_name.split()[0]}, I would like to discuss {rng.choice(TAGS)}."
                ),
                status=status,
                priority=rng.choice((1, 1, 1, 2)),
                created_at=created,
                responded_at=created + dt.timedelta(hours=3)
                if status is not RequestStatus.PENDING
                else None,
                cancelled_by_id=a.id if status is RequestStatus.CANCELLED else None,
            )
        )
        made += 1
    db.session.flush()
    report = batch.schedule_all(event, now, time_limit=1.0, notify=False)
    return {"meeting_requests": made, "meetings": report.total_scheduled, "directory": len(listed)}
