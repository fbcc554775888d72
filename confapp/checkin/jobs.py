"""Certificates of participation for everyone scanned in, made as a background job."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.checkin import reports
from confapp.checkin.certificates import available_from
from confapp.checkin.certificates import build_certificates
from confapp.checkin.certificates import certificate_of
from confapp.checkin.certificates import issue_all
from confapp.db import utcnow
from confapp.pdf import font_set


@jobs.job(
    "checkin.certificates",
    title=_l("Certificates of participation"),
    report_template="checkin/_certificates_report.html",
    back="checkin.attendance",
)
def certificates_pdf(run: jobs.Run) -> None:
    """One certificate per delegate scanned in at the entrance or a session, as one PDF;
    each is issued (numbered) here if it was not yet. None before the event has begun."""
    event = run.event
    now = utcnow()
    rows = [r for r in reports.delegate_rows(event) if r["attended"]]
    issued = issue_all(event, [r["registration"] for r in rows], now)
    rows = [r for r in rows if r["registration"].id in issued]
    run.progress(0, len(rows))
    body = build_certificates(
        [
            certificate_of(
                event, r["registration"], len(r["sessions"]), issued[r["registration"].id]
            )
            for r in rows
        ],
        font_set(current_app.config),
        on_progress=lambda done, total: run.progress(done, total),
    )
    run.save_result(
        body,
        filename="certificates.pdf",
        download_name=f"{event.slug}-certificates.pdf",
        mime="application/pdf",
    )
    run.report = {
        "count": len(rows),
        "not_begun": now < available_from(event),
    }
