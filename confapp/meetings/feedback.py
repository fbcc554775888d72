"""After the meetings: the delegates' feedback and the organisers' linkage report."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings.directory import region_of
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration


def submit_feedback(
    event: Event,
    req: MeetingRequest,
    actor: Registration,
    now: dt.datetime,
    *,
    took_place: bool,
    rating: int | None,
    cooperation_likely: bool | None,
    comment: str = "",
) -> MeetingFeedback:
    """After a booked meeting's start, one of the two says whether it happened and how it went."""
    if actor.id not in (req.requester_id, req.invitee_id):
        raise NotAllowed(_("Only the two delegates can give feedback on this meeting."))
    if req.meeting is None:
        raise DomainError(_("This meeting was never booked."))
    slot = db.session.get(MeetingSlot, req.meeting.slot_id)
    if now < slot.starts_at:
        raise DomainError(_("Feedback opens when the meeting starts."))
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationFailed(_("The rating goes from 1 to 5."), field="rating")
    if not took_place:
        rating = None
        cooperation_likely = None
    feedback = db.session.scalar(
        sa.select(MeetingFeedback).where(
            MeetingFeedback.request_id == req.id, MeetingFeedback.registration_id == actor.id
        )
    )
    if feedback is None:
        feedback = MeetingFeedback(
            request_id=req.id, registration_id=actor.id, created_at=now, took_place=took_place
        )
        db.session.add(feedback)
    feedback.took_place = took_place
    feedback.rating = rating
    feedback.cooperation_likely = cooperation_likely
    feedback.comment = (comment or "").strip()[:1000]
    db.session.flush()
    return feedback


@dataclasses.dataclass
class LinkageReport:
    """Funnel figures and who met whom among the meetings held."""

    requested: int
    accepted: int
    scheduled: int
    held: int
    cooperation_likely: int
    average_rating: float | None
    countries: list[str]
    country_pairs: dict[tuple[str, str], int]
    sector_pairs: dict[tuple[str, str], int]
    held_rows: list[tuple[Registration, Registration]]


def linkage_report(event: Event) -> LinkageReport:
    """Requested, accepted, scheduled, held; country-pair and sector-pair counts of held meetings.

    A meeting counts as held when at least one of the two said it took place and neither
    said it did not.
    """
    reqs = list(
        db.session.scalars(sa.select(MeetingRequest).where(MeetingRequest.event_id == event.id))
    )
    accepted_ids = {r.id for r in reqs if r.status is RequestStatus.ACCEPTED}
    booked = set(
        db.session.scalars(sa.select(Meeting.request_id).where(Meeting.event_id == event.id))
    )
    feedback: dict[int, list[MeetingFeedback]] = defaultdict(list)
    if reqs:
        for f in db.session.scalars(
            sa.select(MeetingFeedback)
            .join(MeetingRequest)
            .where(MeetingRequest.event_id == event.id)
        ):
            feedback[f.request_id].append(f)
    held_ids = [rid for rid in booked if feedback[rid] and all(f.took_place for f in feedback[rid])]
    by_id = {r.id: r for r in reqs}
    regs = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)
        )
    }
    country_pairs: Counter = Counter()
    sector_pairs: Counter = Counter()
    held_rows = []
    for rid in sorted(held_ids):
        a, b = regs[by_id[rid].requester_id], regs[by_id[rid].invitee_id]
        country_pairs[tuple(sorted((a.country, b.country)))] += 1
        sector_pairs[tuple(sorted((a.sector.value, b.sector.value)))] += 1
        held_rows.append((a, b))
    ratings = [f.rating for rid in held_ids for f in feedback[rid] if f.rating]
    coop = sum(1 for rid in held_ids if any(f.cooperation_likely for f in feedback[rid]))
    countries = sorted({c for pair in country_pairs for c in pair})
    return LinkageReport(
        requested=len(reqs),
        accepted=len(accepted_ids),
        scheduled=len(booked & accepted_ids),
        held=len(held_ids),
        cooperation_likely=coop,
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        countries=countries,
        country_pairs=dict(country_pairs),
        sector_pairs=dict(sector_pairs),
        held_rows=held_rows,
    )


CSV_COLUMNS = (
    "registration_a",
    "country_a",
    "region_a",
    "sector_a",
    "registration_b",
    "country_b",
    "region_b",
    "sector_b",
)


def held_csv(report: LinkageReport) -> str:
    """The meetings held, one CSV row each, with countries, world regions and sectors."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for a, b in report.held_rows:
        writer.writerow(
            [
                *(a.id, a.country, region_of(a.country), a.sector.value),
                *(b.id, b.country, region_of(b.country), b.sector.value),
            ]
        )
    return out.getvalue()
