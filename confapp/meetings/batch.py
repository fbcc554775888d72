"""The batch scheduler against the database: build the problem from the event's slots,
tables, availability and accepted requests, run :func:`scheduler.schedule`, book what it
placed, and say in words why the rest stayed out and what would help. Flush only."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp import mail
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.meetings import scheduler
from confapp.meetings.booking import list_slots
from confapp.meetings.booking import list_tables
from confapp.meetings.booking import slot_label
from confapp.meetings.booking import slot_tables
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import SlotUnavailability
from confapp.meetings.notify import my_meetings_url
from confapp.multilingual import tr
from confapp.registration.models import Registration

SHOWN_SLOTS = 3  # slot times named in one explanation, then "…"


@dataclasses.dataclass
class Unscheduled:
    """An accepted request the scheduler could not place, and why, in words."""

    request: MeetingRequest
    requester: Registration
    invitee: Registration
    reason: str  # a scheduler reason code
    text: str  # who is fully booked, where tables ran out
    suggestion: str  # what would help


@dataclasses.dataclass
class BatchReport:
    """What a batch run did."""

    scheduled: int
    total_scheduled: int
    bound: int
    unscheduled: list[Unscheduled]
    seconds: float


@dataclasses.dataclass
class _Inputs:
    """The event's scheduling data read from the database."""

    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    requests: list[MeetingRequest]
    meetings: dict[int, Meeting]  # request id -> meeting


def _accepted(event: Event) -> list[MeetingRequest]:
    return list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
            )
            .order_by(MeetingRequest.id)
        )
    )


def _read(event: Event, now: dt.datetime) -> _Inputs:
    """Future slots, the tables, accepted requests and the meetings booked now."""
    return _Inputs(
        slots=[s for s in list_slots(event) if s.starts_at > now],
        tables=list_tables(event),
        requests=_accepted(event),
        meetings={
            m.request_id: m
            for m in db.session.scalars(sa.select(Meeting).where(Meeting.event_id == event.id))
        },
    )


def _unavailable(requests: Sequence[MeetingRequest]) -> dict[int, set]:
    people = {r.requester_id for r in requests} | {r.invitee_id for r in requests}
    unavailable: dict[int, set] = defaultdict(set)
    for reg_id, slot_id in db.session.execute(
        sa.select(SlotUnavailability.registration_id, SlotUnavailability.slot_id).where(
            SlotUnavailability.registration_id.in_(people)
        )
    ):
        unavailable[reg_id].add(slot_id)
    return unavailable


def _problem(inputs: _Inputs) -> scheduler.Problem:
    """The scheduler's problem; meetings in future slots are fixed inputs, and requests
    met in a past slot are left out (they are done)."""
    slot_ids = {s.id for s in inputs.slots}
    fixed = {rid: m.slot_id for rid, m in inputs.meetings.items() if m.slot_id in slot_ids}
    return scheduler.Problem(
        slots=[s.id for s in inputs.slots],
        tables={s.id: len(slot_tables(s, inputs.tables)) for s in inputs.slots},
        requests=[
            scheduler.Request(id=r.id, a=r.requester_id, b=r.invitee_id, weight=max(1, r.priority))
            for r in inputs.requests
            if r.id not in inputs.meetings or r.id in fixed
        ],
        unavailable=_unavailable(inputs.requests),
        fixed=fixed,
    )


def _drop_movable(inputs: _Inputs) -> None:
    """Reschedule: meetings the scheduler placed before (not fixed) in future slots go."""
    slot_ids = {s.id for s in inputs.slots}
    for rid, m in list(inputs.meetings.items()):
        if not m.fixed and m.slot_id in slot_ids:
            db.session.delete(m)
            del inputs.meetings[rid]
    db.session.flush()


def _book_placed(
    event: Event,
    inputs: _Inputs,
    assignment: dict[int, int],
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[int, list[Meeting]]:
    """Insert a meeting at a free table for each newly placed request; by person."""
    by_id = {r.id: r for r in inputs.requests}
    slot_by_id = {s.id: s for s in inputs.slots}
    taken: dict[int, set[int]] = defaultdict(set)
    for m in inputs.meetings.values():
        taken[m.slot_id].add(m.table_id)
    touched: dict[int, list[Meeting]] = defaultdict(list)
    for done, (rid, slot_id) in enumerate(sorted(assignment.items(), key=lambda kv: kv[0])):
        if on_progress and done % 50 == 0:
            on_progress(done, len(assignment))
        if rid in inputs.meetings:
            continue
        req = by_id[rid]
        slot = slot_by_id[slot_id]
        table = next(t for t in slot_tables(slot, inputs.tables) if t.id not in taken[slot_id])
        taken[slot_id].add(table.id)
        meeting = Meeting(
            event_id=event.id, request_id=rid, slot_id=slot_id, table_id=table.id, fixed=False
        )
        meeting.attendees = [
            MeetingAttendee(registration_id=req.requester_id, slot_id=slot_id),
            MeetingAttendee(registration_id=req.invitee_id, slot_id=slot_id),
        ]
        db.session.add(meeting)
        touched[req.requester_id].append(meeting)
        touched[req.invitee_id].append(meeting)
    db.session.flush()
    return touched


def _tell(
    event: Event,
    touched: dict[int, list[Meeting]],
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    people = {
        r.id: r
        for r in db.session.scalars(sa.select(Registration).where(Registration.id.in_(touched)))
    }
    for done, (reg_id, items) in enumerate(touched.items()):
        if on_progress:
            on_progress(done, len(touched))
        reg = people[reg_id]
        language = language_of(reg, event)
        with force_language(language):
            mail.send_mail(
                reg.email,
                _("%(event)s: your meeting schedule", event=tr(event, "title")),
                "meeting_scheduled",
                language=language,
                event=event,
                registration=reg,
                count=len(items),
                url=my_meetings_url(event),
            )


# Shares of a "Schedule all" job's progress bar (per cent, cumulative): the greedy, the
# improvement (which may use the whole time limit), booking, then the e-mails.
_PHASES = {"place": (0, 30), "improve": (30, 70), "book": (70, 80), "tell": (80, 100)}


def _phase(on_percent: Callable[[int, int], None] | None, name: str):
    """`report(done, total)` for one phase, mapped into its share of a 0-100 bar."""
    if on_percent is None:
        return None
    low, high = _PHASES[name]

    def report(done: float, total: float = 1) -> None:
        share = min(1.0, done / total) if total else 1.0
        on_percent(low + int((high - low) * share), 100)

    return report


def schedule_all(
    event: Event,
    now: dt.datetime,
    *,
    reschedule: bool = False,
    time_limit: float = 4.0,
    on_progress: Callable[[int, int], None] | None = None,
    on_percent: Callable[[int, int], None] | None = None,
    notify: bool = True,
) -> BatchReport:
    """Place every accepted, unbooked request; existing meetings are kept (non-fixed ones
    may move when `reschedule`). Future slots only. `on_progress(done, total)` follows the
    scheduler's first phase (the command's bar); `on_percent(done, 100)` the whole run
    (placing, improving, booking, e-mails: the web job's bar)."""
    inputs = _read(event, now)
    if reschedule:
        _drop_movable(inputs)
    problem = _problem(inputs)
    place, improve = _phase(on_percent, "place"), _phase(on_percent, "improve")

    def placing(done: int, total: int) -> None:
        if on_progress:
            on_progress(done, total)
        if place:
            place(done, total)

    result = scheduler.schedule(
        problem, time_limit=time_limit, on_progress=placing, on_improve=improve
    )
    touched = _book_placed(event, inputs, result.assignment, _phase(on_percent, "book"))
    if notify:
        _tell(event, touched, _phase(on_percent, "tell"))
    if on_percent:
        on_percent(100, 100)
    return BatchReport(
        scheduled=sum(1 for rid in result.assignment if rid not in inputs.meetings),
        total_scheduled=result.scheduled,
        bound=result.bound,
        unscheduled=_explained(event, inputs, result.why),
        seconds=result.seconds,
    )


# --- explanations ---------------------------------------------------------------------


def explain_unscheduled(
    event: Event, request_ids: Sequence[int], now: dt.datetime
) -> dict[int, Unscheduled]:
    """Why each of these accepted, unbooked requests has no meeting with the meetings
    booked now, and what would help (for the organisers' request list)."""
    if not request_ids:
        return {}
    inputs = _read(event, now)
    wanted = [rid for rid in request_ids if rid not in inputs.meetings]
    problem = _problem(inputs)
    booked = {rid: m.slot_id for rid, m in inputs.meetings.items()}
    why = scheduler.explain(problem, booked, wanted)
    return {u.request.id: u for u in _explained(event, inputs, why)}


def _explained(event: Event, inputs: _Inputs, why: dict) -> list[Unscheduled]:
    by_id = {r.id: r for r in inputs.requests}
    slots = {s.id: s for s in inputs.slots}
    people = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(
                Registration.id.in_(
                    {by_id[rid].requester_id for rid in why}
                    | {by_id[rid].invitee_id for rid in why}
                )
            )
        )
    }
    out = []
    for rid, reason in why.items():
        req = by_id[rid]
        a, b = people[req.requester_id], people[req.invitee_id]
        text, suggestion = describe(
            reason, (a.full_name, b.full_name), lambda ids: _times(event, slots, ids)
        )
        out.append(Unscheduled(req, a, b, reason.reason, text, suggestion))
    return out


def _times(event: Event, slots: dict[int, MeetingSlot], ids: Sequence[int]) -> str:
    labels = [slot_label(event, slots[i]) for i in ids if i in slots]
    shown = ", ".join(labels[:SHOWN_SLOTS])
    if len(labels) > SHOWN_SLOTS:
        return _("%(times)s and %(count)d more", times=shown, count=len(labels) - SHOWN_SLOTS)
    return shown


def _free_elsewhere(why: scheduler.Why, names: tuple[str, str], times) -> str:
    """'Raj is free at …, when Ana is not available: Ana opening one of them would help.'"""
    a, b = names
    if why.free_a:
        return _(
            "%(free)s is still free at %(times)s, when %(busy)s is not available: %(busy)s "
            "making one of those times available would help, or another slot.",
            free=a,
            busy=b,
            times=times(why.free_a),
        )
    if why.free_b:
        return _(
            "%(free)s is still free at %(times)s, when %(busy)s is not available: %(busy)s "
            "making one of those times available would help, or another slot.",
            free=b,
            busy=a,
            times=times(why.free_b),
        )
    return _("Another slot at a time both can make would help.")


def describe(why: scheduler.Why, names: tuple[str, str], times) -> tuple[str, str]:
    """(what happened, what would help) for one unscheduled request, naming the people, in
    the current language; `times(slot ids)` turns slots into words."""
    a, b = names
    if why.reason == scheduler.NO_COMMON_SLOT:
        return (
            _("%(a)s and %(b)s have no slot in common.", a=a, b=b),
            _free_elsewhere(why, names, times),
        )
    if why.reason == scheduler.PERSON_FULLY_BOOKED:
        booked = [n for side, n in zip("ab", names, strict=True) if side in why.fully_booked]
        if len(booked) > 1:
            text = ngettext(
                "%(a)s and %(b)s are fully booked in the one slot both could use (%(times)s).",
                "%(a)s and %(b)s are fully booked in the %(num)d slots both could use (%(times)s).",
                len(why.common),
                a=a,
                b=b,
                times=times(why.common),
            )
        else:
            text = ngettext(
                "%(name)s is fully booked in the one slot both could use (%(times)s).",
                "%(name)s is fully booked in the %(num)d slots both could use (%(times)s).",
                len(why.common),
                name=booked[0] if booked else a,
                times=times(why.common),
            )
        return (text, _free_elsewhere(why, names, times))
    if why.reason == scheduler.TABLES_FULL:
        return (
            _(
                "Both are free at %(times)s, but every table is taken then.",
                times=times(why.tables_full),
            ),
            _("Another table (or a higher table limit for those slots) would place it."),
        )
    return (
        _(
            "In each slot both could use (%(times)s) one of %(a)s and %(b)s already has "
            "another meeting.",
            times=times(why.common),
            a=a,
            b=b,
        ),
        _free_elsewhere(why, names, times),
    )
