"""Large delegation imports as a background job, with progress and a report of line errors."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.eventlog.services import Recorder
from confapp.eventlog.services import caller_role
from confapp.registration.imports import MAX_ERRORS_SHOWN
from confapp.registration.imports import import_delegates
from confapp.registration.models import RegistrationStatus


def rows_in(data: bytes) -> int:
    """About how many delegates a file holds (its non-empty lines after the header)."""
    return max(0, sum(1 for line in data.splitlines() if line.strip()) - 1)


def runs_as_job(data: bytes) -> bool:
    """Files longer than IMPORT_JOB_ROWS rows are imported by a job instead of the request."""
    return rows_in(data) > int(current_app.config.get("IMPORT_JOB_ROWS", 200))


def start_import(event, user, data: bytes, *, filename: str = ""):
    """Queue the import of `data` as a job (returned); the file waits in its folder."""
    return jobs.start_with_upload(
        "registration.import", event=event, user=user, content=data, label=filename
    )


@jobs.job(
    "registration.import",
    title=_l("Delegation import"),
    report_template="registration/_import_report.html",
    back="registration.import_csv",
)
def import_job(run: jobs.Run) -> None:
    """Check every row, then import all or none (as the web form and the command do)."""
    data = jobs.upload_of(run)
    event, user = run.event, run.user
    phases: dict[str, int] = {}

    def on_start(phase: str, total: int) -> None:
        # Two phases on one bar: checking the rows, then registering them.
        phases[phase] = total
        if phase == "validate":
            run.progress(0, 2 * total, _("Checking rows"))
        else:
            run.progress(phases.get("validate", total), phases.get("validate", total) + total,
                         _("Importing"))  # fmt: skip

    recorder = Recorder(
        event_id=event.id,
        actor=user,
        actor_role=caller_role(user, event),
        kind="registration.import_csv",
        via="job",
    )
    with recorder:
        result = import_delegates(
            event, data, actor=user, now=utcnow(), on_validate=run.advance,
            on_import=run.advance, on_start=on_start,
        )  # fmt: skip
        errors = [{"line": e.line, "message": e.message} for e in result.errors]
        run.report = {
            "rows": result.rows,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
        }
        if not result.ok:
            raise DomainError(_("Nothing was imported: the file has problems (see below)."))
        recorder.finish()
    waiting = sum(1 for r in result.registrations if r.status is RegistrationStatus.WAITLISTED)
    run.report.update(imported=len(result.registrations), waiting=waiting)
    run.progress(run.total, run.total, "")


@jobs.job("registration.welcome_mails", title=_l("Welcome e-mails of an import"))
def welcome_mails(run: jobs.Run, registration_ids: list[int]) -> None:
    """Write the welcome e-mail of each imported registration (its status as it is now)."""
    import sqlalchemy as sa

    from confapp.extensions import db
    from confapp.registration import states
    from confapp.registration.models import Registration

    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(registration_ids))
        .order_by(Registration.status_changed_at, Registration.id)
    ).all()
    run.progress(0, len(registrations))
    # Places in line counted once, then numbered on (the rows are in the queue's order).
    place = None
    for done, reg in enumerate(registrations, start=1):
        if reg.status is RegistrationStatus.WAITLISTED:
            place = states.waitlist_position(reg) if place is None else place + 1
        states.status_mail(
            reg,
            welcome=True,
            position=place if reg.status is RegistrationStatus.WAITLISTED else None,
        )
        run.progress(done)
