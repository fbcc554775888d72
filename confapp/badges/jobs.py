"""Badge print runs as a job: organisers watch the progress and download the PDF."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.badges import services
from confapp.db import utcnow
from confapp.errors import ValidationFailed


def start_print_run(
    event,
    user,
    *,
    layout: str,
    category: str | None = None,
    new_only: bool = False,
    order: str = "name",
    mark_printed: bool = True,
):
    """Check the choices, then queue a print run as a job (returned; it starts after the
    commit). Refused at once when nothing matches, not minutes later in the worker."""
    from confapp.badges.render import LAYOUTS

    if layout not in LAYOUTS:
        raise ValidationFailed(_l("Unknown layout."), field="layout")
    count = len(
        services.badge_registrations(event, category=category, new_only=new_only, order=order)
    )
    if not count:
        raise ValidationFailed(_l("No badge matches this choice: there is nothing to print."))
    return jobs.start(
        "badges.pdf",
        event=event,
        user=user,
        layout=layout,
        category=category,
        new_only=new_only,
        order=order,
        mark_printed=mark_printed,
    )


@jobs.job(
    "badges.pdf",
    title=_l("Badge PDF"),
    report_template="badges/_job_report.html",
    back="badges.manage",
)
def badges_pdf(
    run: jobs.Run,
    layout: str,
    category: str | None = None,
    new_only: bool = False,
    order: str = "name",
    mark_printed: bool = True,
) -> None:
    """Render the chosen badges to one PDF; record the ones that came out whole as printed."""
    event = run.event
    registrations = services.badge_registrations(
        event, category=category, new_only=new_only, order=order
    )
    if not registrations:
        raise ValidationFailed(_l("No badge matches this choice: there is nothing to print."))
    run.progress(0, len(registrations))
    result = services.render(
        event,
        registrations,
        layout=layout,
        config=current_app.config,
        on_progress=lambda done, total: run.progress(done, total),
    )
    run.save_result(
        result.pdf,
        filename="badges.pdf",
        download_name=f"{event.slug}-badges-{layout}.pdf",
        mime="application/pdf",
    )
    if mark_printed:
        services.mark_printed(services.printed_well(registrations, result), utcnow())
    run.report = {
        "count": result.count,
        "layout": layout,
        "undrawable": [
            {"registration_id": p.registration_id, "name": p.full_name, "letters": p.labelled()}
            for p in result.undrawable
        ],
    }
