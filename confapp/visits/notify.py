"""Telling everyone signed up when a visit is cancelled, retimed or meets elsewhere: who
is told is decided in the change's transaction, a job writes the messages."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.mails import SUBJECTS
from confapp.visits.mails import mail_delegate
from confapp.visits.models import Visit
from confapp.visits.models import VisitStatus
from confapp.visits.roster import signups_for


def notify_change(
    event: Event,
    visit: Visit,
    *,
    was_cancelled: bool,
    old_departs: dt.datetime,
    old_returns: dt.datetime,
    old_meeting_point: str,
) -> None:
    """E-mail everyone signed up (seat or waiting list) when the visit is cancelled, retimed
    or meets somewhere else: the things that decide whether a delegate catches the bus."""
    if visit.status is VisitStatus.CANCELLED:
        if was_cancelled:
            return
        template, subject, context = "visit_cancelled", SUBJECTS["cancelled"], {}
    else:
        retimed = (old_departs, old_returns) != (visit.departs_at, visit.returns_at)
        moved = (old_meeting_point or "") != (visit.meeting_point or "")
        if not (retimed or moved):
            return
        what = "retimed_moved" if retimed and moved else "retimed" if retimed else "moved_point"
        template, subject = "visit_changed", SUBJECTS[what]
        context = {
            "retimed": retimed,
            "moved": moved,
            "old_departs": old_departs,
            "old_returns": old_returns,
            "old_meeting_point": old_meeting_point,
        }
    ids = [
        registration.id
        for _holder, registration in signups_for(visit, include_cancelled=False)
        # A delegate who cancelled their registration is no longer coming.
        if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    ]
    if not ids:
        return
    # Who is told is decided now; the messages are written by a job this transaction
    # records, so the change answers at once and a rollback tells nobody.
    subject_key = next(key for key, value in SUBJECTS.items() if value is subject)
    jobs.start(
        "visits.notify_change",
        event=event,
        user=None,
        visit_id=visit.id,
        template=template,
        subject_key=subject_key,
        registration_ids=ids,
        context={k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in context.items()},
    )


@jobs.job("visits.notify_change", title=_l("Visit change e-mails"))
def notify_change_job(
    run: jobs.Run,
    visit_id: int,
    template: str,
    subject_key: str,
    registration_ids: list[int],
    context: dict,
) -> None:
    """Write the e-mails about one change of a visit to the outbox."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        return  # deleted since: nothing left to announce
    values = {
        key: dt.datetime.fromisoformat(value) if key in ("old_departs", "old_returns") else value
        for key, value in context.items()
    }
    recipients = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(registration_ids))
        .order_by(Registration.id)
    ).all()
    run.progress(0, len(recipients))
    for done, registration in enumerate(recipients, start=1):
        mail_delegate(visit.event, visit, registration, template, SUBJECTS[subject_key], **values)
        run.progress(done)
