"""A scan's answer as JSON: the delegate, the first check-in, the bus boarded, the next
networking meeting (at the meetings area)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.agenda.models import SeatStatus
from confapp.checkin.checkpoints import CheckinOutcome
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus


def _bus(bus_id: int | None, name: str | None) -> dict | None:
    return {"id": bus_id, "name": name} if bus_id is not None else None


def utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def boarding_json(
    conn: sa.Connection,
    event_id: int,
    visit_id: int,
    outcome: CheckinOutcome,
    at_bus_id: int | None,
) -> dict:
    """What a bus door needs besides the verdict: the bus the person belongs on (and
    whether this bus is it); for someone with no seat on this visit, the visit and bus
    they do have a seat on (departing nearest in time), so staff can send them there."""
    facts = {"bus": None, "wrong_bus": False, "signed_up_for": None}
    holder = outcome.registration
    if holder is None:
        return facts
    signups, buses, visits = VisitSignup.__table__, Bus.__table__, Visit.__table__
    seats = (
        sa.select(
            visits.c.id,
            visits.c.title,
            visits.c.departs_at,
            visits.c.status,
            signups.c.bus_id,
            buses.c.name,
        )
        .select_from(
            signups.join(visits, visits.c.id == signups.c.visit_id).outerjoin(
                buses, buses.c.id == signups.c.bus_id
            )
        )
        .where(
            signups.c.registration_id == holder.id,
            signups.c.status == SeatStatus.CONFIRMED,
            visits.c.event_id == event_id,
        )
    )
    rows = conn.execute(seats).all()
    here = next((row for row in rows if row.id == visit_id), None)
    if here is not None:
        facts["bus"] = _bus(here.bus_id, here.name)
        facts["wrong_bus"] = (
            at_bus_id is not None and here.bus_id is not None and here.bus_id != at_bus_id
        )
        return facts
    departs = conn.execute(sa.select(visits.c.departs_at).where(visits.c.id == visit_id)).first()
    elsewhere = [row for row in rows if row.id != visit_id and row.status != VisitStatus.CANCELLED]
    if departs is not None and elsewhere:

        def distance(row) -> float:
            return abs((_aware(row.departs_at) - _aware(departs.departs_at)).total_seconds())

        nearest = min(elsewhere, key=lambda row: (distance(row), row.id))
        facts["signed_up_for"] = {
            "visit_id": nearest.id,
            "title": nearest.title,
            "departs_at": utc_text(nearest.departs_at),
            "bus": _bus(nearest.bus_id, nearest.name),
        }
    return facts


def next_meeting_json(
    conn: sa.Connection, event_id: int, registration_id: int, at: dt.datetime
) -> dict | None:
    """The person's next booked meeting (the first whose slot has not ended at `at`): its
    times, table and the other person; None when they have none left. One query."""
    meetings, slots, tables = Meeting.__table__, MeetingSlot.__table__, MeetingTable.__table__
    requests, regs = MeetingRequest.__table__, Registration.__table__
    other_id = sa.case(
        (requests.c.requester_id == registration_id, requests.c.invitee_id),
        else_=requests.c.requester_id,
    )
    row = conn.execute(
        sa.select(
            slots.c.starts_at,
            slots.c.ends_at,
            tables.c.name,
            tables.c.location,
            regs.c.id,
            regs.c.full_name,
            regs.c.name_latin,
            regs.c.organisation,
        )
        .select_from(
            meetings.join(slots, slots.c.id == meetings.c.slot_id)
            .join(tables, tables.c.id == meetings.c.table_id)
            .join(requests, requests.c.id == meetings.c.request_id)
            .join(regs, regs.c.id == other_id)
        )
        .where(
            meetings.c.event_id == event_id,
            requests.c.status == RequestStatus.ACCEPTED,
            sa.or_(
                requests.c.requester_id == registration_id,
                requests.c.invitee_id == registration_id,
            ),
            slots.c.ends_at > at,
        )
        .order_by(slots.c.starts_at, meetings.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "starts_at": utc_text(row.starts_at),
        "ends_at": utc_text(row.ends_at),
        "table": {"name": row.name, "location": row.location or ""},
        "with": {
            "registration_id": row.id,
            "full_name": row.full_name,
            "name_latin": row.name_latin,
            "organisation": row.organisation,
        },
    }


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def delegate_json(registration: Registration | None) -> dict | None:
    """What a scanner shows about the person (never the e-mail or phone)."""
    if registration is None:
        return None
    from confapp.countries import country_name

    return {
        "registration_id": registration.id,
        "full_name": registration.full_name,
        "name_latin": registration.name_latin,
        "organisation": registration.organisation,
        "country": registration.country,
        "country_name": country_name(registration.country),
        "category": registration.category.value,
        "status": registration.status.value,
    }


def outcome_json(outcome: CheckinOutcome) -> dict:
    """The API body of a check-in answer."""
    first = outcome.first_scanned_at
    return {
        "result": outcome.result.value,
        "delegate": delegate_json(outcome.registration),
        "first_scanned_at": first.isoformat().replace("+00:00", "Z") if first else None,
        "checkpoint": outcome.checkpoint,
        "scan_id": outcome.scan_id,
        "conflict": outcome.conflict,
        "replayed": outcome.replayed,
    }
