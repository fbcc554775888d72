"""Reminders of meeting requests awaiting an answer (`confapp remind-meetings`, for cron)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.orm import aliased

from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import RequestStatus
from confapp.meetings.notify import notify
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus


@dataclasses.dataclass
class ReminderReport:
    """What remind_pending() sent: delegates e-mailed and the requests named."""

    delegates: int
    requests: int


def _meetings_over(event: Event, now: dt.datetime) -> bool:
    """Whether the last meeting slot has begun (an answer could no longer lead to a meeting)."""
    slots, last_start = db.session.execute(
        sa.select(sa.func.count(MeetingSlot.id), sa.func.max(MeetingSlot.starts_at)).where(
            MeetingSlot.event_id == event.id
        )
    ).one()
    return bool(slots) and last_start <= now


def _claim(event: Event, now: dt.datetime, older_than: dt.timedelta) -> list[int]:
    """Mark the waiting requests reminded with one conditional UPDATE; their ids."""
    requester, invitee = aliased(Registration), aliased(Registration)
    waiting = (
        sa.select(MeetingRequest.id)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(invitee, invitee.id == MeetingRequest.invitee_id)
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == RequestStatus.PENDING,
            MeetingRequest.reminded_at.is_(None),
            MeetingRequest.created_at <= now - older_than,
            requester.status == RegistrationStatus.CONFIRMED,
            invitee.status == RegistrationStatus.CONFIRMED,
        )
    )
    return list(
        db.session.scalars(
            sa.update(MeetingRequest)
            .where(
                MeetingRequest.id.in_(waiting.scalar_subquery()),
                MeetingRequest.reminded_at.is_(None),
            )
            .values(reminded_at=now)
            .returning(MeetingRequest.id)
            .execution_options(synchronize_session=False)
        )
    )


def _by_invitee(claimed: list[int]) -> dict[int, list[tuple[MeetingRequest, Registration]]]:
    requester = aliased(Registration)
    rows = db.session.execute(
        sa.select(MeetingRequest, requester)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .where(MeetingRequest.id.in_(claimed))
        .order_by(MeetingRequest.invitee_id, MeetingRequest.created_at, MeetingRequest.id)
    ).all()
    grouped: dict[int, list[tuple[MeetingRequest, Registration]]] = {}
    for req, sender in rows:
        grouped.setdefault(req.invitee_id, []).append((req, sender))
    return grouped


def remind_pending(
    event: Event,
    now: dt.datetime,
    *,
    older_than: dt.timedelta,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReminderReport:
    """E-mail each invitee once about requests that have waited longer than `older_than`.

    One e-mail per invitee lists all their waiting requests; a request is named in at
    most one reminder (reminded_at). The requests are claimed with one conditional UPDATE,
    so two runs at once cannot remind anyone twice. Only requests between delegates who
    are still confirmed count, and none once the last meeting slot has begun: an answer
    could no longer lead to a meeting. `on_progress(done, total)` is called per delegate
    e-mailed. Flushes only.
    """
    if _meetings_over(event, now):
        return ReminderReport(0, 0)
    claimed = _claim(event, now, older_than)
    if not claimed:
        return ReminderReport(0, 0)
    grouped = _by_invitee(claimed)
    people = {
        r.id: r
        for r in db.session.scalars(sa.select(Registration).where(Registration.id.in_(grouped)))
    }
    for done, (invitee_id, waiting) in enumerate(grouped.items(), start=1):
        notify(
            event,
            waiting[0][0],
            people[invitee_id],
            "meeting_reminder",
            functools.partial(
                ngettext,
                "%(num)d meeting request awaits your answer",
                "%(num)d meeting requests await your answer",
                len(waiting),
            ),
            waiting=waiting,
        )
        if on_progress is not None:
            on_progress(done, len(grouped))
    return ReminderReport(len(grouped), len(claimed))
