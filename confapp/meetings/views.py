"""Meeting pages: my meetings, directory, profile, availability, PDFs; organiser tools, report."""

from __future__ import annotations

import csv
import dataclasses
import io

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from confapp.agenda.services import delegate_registration
from confapp.agenda.services import to_utc
from confapp.agenda.services import zone_label
from confapp.countries import country_name
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.meetings import directory
from confapp.meetings import pdf
from confapp.meetings import scheduler
from confapp.meetings import services
from confapp.meetings.forms import AnswerForm
from confapp.meetings.forms import AvailabilityForm
from confapp.meetings.forms import FeedbackForm
from confapp.meetings.forms import PriorityForm
from confapp.meetings.forms import ProfileForm
from confapp.meetings.forms import RequestForm
from confapp.meetings.forms import ScheduleForm
from confapp.meetings.forms import SettingsForm
from confapp.meetings.forms import SlotsForm
from confapp.meetings.forms import TablesForm
from confapp.meetings.forms import TagForm
from confapp.meetings.forms import choices
from confapp.meetings.models import Meeting
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import Sector
from confapp.security import organiser_event

bp = Blueprint("meetings", __name__)


def _delegate(slug: str) -> tuple[Event, Registration | None]:
    event = get_event_or_404(slug, current_user)
    return event, delegate_registration(event, current_user)


def _slot_label(event: Event, slot) -> str:
    return f"{event.local(slot.starts_at):%a %d %b, %H:%M}–{event.local(slot.ends_at):%H:%M}"


def _not_delegate(event: Event):
    return render_template("meetings/not_delegate.html", event=event), 403


# --- delegate pages -------------------------------------------------------------------


@bp.get("/events/<slug>/meetings")
@login_required
def mine(slug: str):
    """My meetings (time, table, counterpart) and my sent and received requests."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    rows = services.my_requests(event, me)
    now = utcnow()
    free = {
        row.request.id: [
            (s.id, _slot_label(event, s))
            for s in services.common_free_slots(event, row.request, now)
        ]
        for row in rows
        if row.request.status.value in ("pending", "accepted")
        and row.slot is None
        and event.meeting_booking_mode is MeetingBookingMode.INSTANT
    }
    return render_template(
        "meetings/mine.html",
        event=event,
        me=me,
        rows=rows,
        free=free,
        now=now,
        pending=services.pending_count(me),
        zone=zone_label(event),
        feedback_form=FeedbackForm(),
    )


def _act(event: Event, action, success: str):
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return None
    except IntegrityError:
        db.session.rollback()
        flash("Someone changed this at the same moment; please try again.", "error")
        return None
    flash(success, "success")
    return result or True


@bp.post("/events/<slug>/meetings/<int:request_id>/<any(accept, decline, cancel, book):action>")
@login_required
def answer(slug: str, request_id: int, action: str):
    """Accept, decline, cancel or book a request."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    slot_id = form.slot_id.data or None
    if action == "accept":
        result = _act(
            event,
            lambda: services.accept_request(event, request_id, me, now, slot_id=slot_id) or "none",
            "Request accepted.",
        )
        if result == "none" and event.meeting_booking_mode is MeetingBookingMode.INSTANT:
            flash(
                "No slot both of you have free is left with a table; the request stays accepted.",
                "warning",
            )
    elif action == "decline":
        _act(
            event, lambda: services.decline_request(event, request_id, me, now), "Request declined."
        )
    elif action == "cancel":
        _act(
            event, lambda: services.cancel_request(event, request_id, me, now), "Request cancelled."
        )
    else:
        _act(
            event,
            lambda: services.book_slot(event, request_id, me, now, slot_id),
            "Meeting booked.",
        )
    return redirect(url_for("meetings.mine", slug=event.slug))


@bp.post("/events/<slug>/meetings/<int:request_id>/feedback")
@login_required
def feedback(slug: str, request_id: int):
    """Say whether the meeting took place, rate it, and whether cooperation is likely."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash("Say whether the meeting took place.", "error")
        return redirect(url_for("meetings.mine", slug=event.slug))
    took_place = form.took_place.data == "yes"
    _act(
        event,
        lambda: services.submit_feedback(
            event,
            request_id,
            me,
            utcnow(),
            took_place=took_place,
            rating=int(form.rating.data) if form.rating.data else None,
            cooperation_likely=form.cooperation_likely.data,
            comment=form.comment.data or "",
        ),
        "Thank you for your feedback.",
    )
    return redirect(url_for("meetings.mine", slug=event.slug))


DIRECTORY_PAGE_SIZE = 24  # profiles per directory page: a light page on a slow phone


def _page_number(raw: str | None, pages: int) -> int:
    """The requested page clamped to 1..pages; garbage means page 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), pages)


@bp.get("/events/<slug>/meetings/directory")
@login_required
def directory_page(slug: str):
    """The networking directory with filters, pages and recommendations."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    f = directory.Filters(
        **{
            k: request.args.get(k, "")[:100]
            for k in ("country", "region", "sector", "organisation_type", "tag", "q")
        }
    )
    # The whole directory is loaded in a fixed number of queries (filters need every
    # profile's tags and text); only one page of it is rendered.
    items = directory.entries(event)
    used_countries = sorted({e.registration.country for e in items})
    shown = directory.filter_entries(items, f)
    pages = max(1, -(-len(shown) // DIRECTORY_PAGE_SIZE))
    page = _page_number(request.args.get("page", "")[:10], pages)
    first = (page - 1) * DIRECTORY_PAGE_SIZE
    # Page links keep the filters that are set (empty ones would only lengthen the URL).
    kept = {k: v for k, v in dataclasses.asdict(f).items() if v}

    def page_url(number: int) -> str:
        return url_for("meetings.directory_page", slug=event.slug, **kept, page=number)

    return render_template(
        "meetings/directory.html",
        event=event,
        me=me,
        entries=shown[first : first + DIRECTORY_PAGE_SIZE],
        first=first,
        total=len(shown),
        page=page,
        pages=pages,
        page_url=page_url,
        filters=f,
        countries=[(c, country_name(c)) for c in used_countries],
        regions=directory.REGION_NAMES,
        sectors=[s.value for s in Sector],
        organisation_types=[o.value for o in OrganisationType],
        tags=services.list_tags(event),
        # Recommendations head the first page only: later pages stay light on slow phones.
        recommendations=directory.recommend(event, me, items=items)
        if me.directory_opt_in and page == 1
        else [],
        form=RequestForm(),
    )


@bp.post("/events/<slug>/meetings/request/<int:registration_id>")
@login_required
def send(slug: str, registration_id: int):
    """Send a meeting request with a message."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    form = RequestForm()
    if not form.validate_on_submit():
        flash("The message can be at most 1,000 characters.", "error")
        return redirect(url_for("meetings.directory_page", slug=event.slug))
    _act(
        event,
        lambda: services.send_request(
            event, me, registration_id, form.message.data or "", utcnow()
        ),
        "Request sent.",
    )
    return redirect(url_for("meetings.directory_page", slug=event.slug))


@bp.route("/events/<slug>/meetings/profile", methods=["GET", "POST"])
@login_required
def profile(slug: str):
    """Edit my networking profile and directory opt-in."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    current = directory.profile_of(me)
    form = ProfileForm(obj=current)
    tag_choices = choices((t.id, t.name) for t in services.list_tags(event))
    form.offer_tags.choices = tag_choices
    form.seek_tags.choices = tag_choices
    if request.method == "GET":
        form.directory_opt_in.data = me.directory_opt_in
        if current:
            form.offer_tags.data = [t.tag_id for t in current.tags if t.side.value == "offer"]
            form.seek_tags.data = [t.tag_id for t in current.tags if t.side.value == "seek"]
    if form.validate_on_submit():
        try:
            directory.save_profile(
                event,
                me,
                offers=form.offers.data or "",
                seeks=form.seeks.data or "",
                languages=form.languages.data or "",
                offer_tag_ids=form.offer_tags.data or [],
                seek_tag_ids=form.seek_tags.data or [],
                opt_in=form.directory_opt_in.data,
                now=utcnow(),
            )
            db.session.commit()
            flash("Your networking profile is saved.", "success")
            return redirect(url_for("meetings.directory_page", slug=event.slug))
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field or "offers").errors = [exc.message]
    return render_template("meetings/profile.html", event=event, form=form), (
        422 if form.errors else 200
    )


@bp.route("/events/<slug>/meetings/availability", methods=["GET", "POST"])
@login_required
def availability(slug: str):
    """Tick the slots I can make (all by default)."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    slots = services.list_slots(event)
    form = AvailabilityForm()
    form.slots.choices = choices((s.id, _slot_label(event, s)) for s in slots)
    if request.method == "GET":
        off = services.unavailable_slot_ids(me)
        form.slots.data = [s.id for s in slots if s.id not in off]
    if form.validate_on_submit():
        if _act(
            event,
            lambda: services.set_availability(event, me, form.slots.data or []),
            "Your availability is saved.",
        ):
            return redirect(url_for("meetings.mine", slug=event.slug))
    return render_template(
        "meetings/availability.html", event=event, form=form, zone=zone_label(event)
    )


@bp.get("/events/<slug>/meetings/schedule.pdf")
@login_required
def my_pdf(slug: str):
    """My meeting schedule to print."""
    event, me = _delegate(slug)
    if me is None:
        return _not_delegate(event)
    rows = [
        (
            _slot_label(event, r.slot),
            r.table.name + (f" ({r.table.location})" if r.table.location else ""),
            f"{r.counterpart.full_name}, {r.counterpart.organisation} "
            f"({country_name(r.counterpart.country)})",
        )
        for r in services.my_requests(event, me)
        if r.slot is not None and r.request.status.value == "accepted"
    ]
    data = pdf.schedule_pdf(
        f"{event.title}: meetings of {me.full_name}",
        f"Times in {zone_label(event)}",
        ["Time", "Table", "With"],
        [("", rows)],
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{event.slug}-my-meetings.pdf"'},
    )


# --- organiser ------------------------------------------------------------------------


@bp.get("/events/<slug>/manage/meetings")
def manage(slug: str):
    """Slots, tables, tags, settings, the batch scheduler, open requests and booked meetings."""
    return _manage_page(organiser_event(slug))


def _manage_page(event: Event, status: int = 200):
    settings = SettingsForm(
        meeting_booking_mode=event.meeting_booking_mode.value,
        max_pending_requests=event.max_pending_requests,
    )
    requests, requests_total = services.open_requests(event)
    booked = set(
        db.session.scalars(sa.select(Meeting.request_id).where(Meeting.event_id == event.id))
    )
    return render_template(
        "meetings/manage.html",
        event=event,
        slots=services.list_slots(event),
        tables=services.list_tables(event),
        tags=services.list_tags(event),
        meetings=services.event_meetings(event),
        slots_form=SlotsForm(),
        tables_form=TablesForm(),
        tag_form=TagForm(),
        settings_form=settings,
        schedule_form=ScheduleForm(),
        zone=zone_label(event),
        regs={
            r.id: r
            for r in db.session.scalars(
                sa.select(Registration).where(Registration.event_id == event.id)
            )
        },
        requests=requests,
        requests_total=requests_total,
        booked=booked,
        priority_form=PriorityForm(),
        priority_labels=services.PRIORITY_LABELS,
    ), status


def _back(event: Event):
    return redirect(url_for("meetings.manage", slug=event.slug))


@bp.post("/events/<slug>/manage/meetings/slots")
def add_slots(slug: str):
    """Generate slots in a time range (times in the event's zone)."""
    event = organiser_event(slug)
    form = SlotsForm()
    if not form.validate_on_submit():
        flash(
            "Check the slot range: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            "error",
        )
        return _back(event)

    def run():
        made = services.generate_slots(
            event,
            to_utc(event, form.starts_at.data),
            to_utc(event, form.ends_at.data, field="ends_at"),
            form.minutes.data,
            form.gap.data or 0,
            form.table_limit.data,
        )
        flash(f"{len(made)} slot(s) added.", "info")

    _act(event, run, "Slots saved.")
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/slots/<int:slot_id>/delete")
def delete_slot(slug: str, slot_id: int):
    """Delete a slot without meetings."""
    event = organiser_event(slug)
    _act(event, lambda: services.delete_slot(event, slot_id), "Slot deleted.")
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/tables")
def add_tables(slug: str):
    """Add numbered tables."""
    event = organiser_event(slug)
    form = TablesForm()
    if not form.validate_on_submit():
        flash("Give a number of tables between 1 and 2,000 and a name.", "error")
        return _back(event)
    _act(
        event,
        lambda: services.add_tables(
            event, form.count.data, form.prefix.data, form.location.data or ""
        ),
        "Tables added.",
    )
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/tags")
def add_tag(slug: str):
    """Add a topic tag."""
    event = organiser_event(slug)
    form = TagForm()
    if not form.validate_on_submit():
        flash("A tag needs a name of at most 80 characters.", "error")
        return _back(event)
    _act(event, lambda: services.add_tag(event, form.name.data), "Tag added.")
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/tags/<int:tag_id>/delete")
def delete_tag(slug: str, tag_id: int):
    """Remove a tag."""
    event = organiser_event(slug)
    _act(event, lambda: services.delete_tag(event, tag_id), "Tag removed.")
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/settings")
def settings(slug: str):
    """Booking mode and the pending-request cap."""
    event = organiser_event(slug)
    form = SettingsForm()
    if not form.validate_on_submit():
        flash("Choose a booking mode and a cap between 1 and 500.", "error")
        return _back(event)
    mode, cap = MeetingBookingMode(form.meeting_booking_mode.data), form.max_pending_requests.data
    _act(
        event,
        lambda: services.update_settings(event, booking_mode=mode, max_pending_requests=cap),
        "Meeting settings saved.",
    )
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/requests/<int:request_id>/priority")
def set_priority(slug: str, request_id: int):
    """Set how strongly the batch scheduler favours one open request."""
    event = organiser_event(slug)
    form = PriorityForm()
    if not form.validate_on_submit():
        # Nothing is saved; the page is shown again (400) saying what was wrong.
        problems = " ".join(
            form.priority.errors or [m for errors in form.errors.values() for m in errors]
        )
        flash(f"Priority not changed: {problems or 'the form was incomplete.'}", "error")
        return _manage_page(event, 400)
    label = services.PRIORITY_LABELS[form.priority.data].title()
    _act(
        event,
        lambda: services.set_request_priority(event, request_id, form.priority.data),
        f"Priority set to {label}.",
    )
    return _back(event)


@bp.post("/events/<slug>/manage/meetings/schedule")
def schedule(slug: str):
    """Run the batch scheduler now and show what it did."""
    event = organiser_event(slug)
    form = ScheduleForm()
    if not form.validate_on_submit():
        abort(400)
    report = services.schedule_all(event, utcnow(), reschedule=form.reschedule.data)
    db.session.commit()
    regs = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)
        )
    }
    return render_template(
        "meetings/schedule_report.html",
        event=event,
        report=report,
        regs=regs,
        reason_text=scheduler.REASON_TEXT,
    )


@bp.get("/events/<slug>/manage/meetings/tables.pdf")
def tables_pdf(slug: str):
    """One page per table with its meetings, to put on the table."""
    event = organiser_event(slug)
    regs = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)
        )
    }
    by_table: dict[int, list] = {}
    for _meeting, slot, table, req in services.event_meetings(event):
        a, b = regs[req.requester_id], regs[req.invitee_id]
        by_table.setdefault(table.id, []).append(
            (
                _slot_label(event, slot),
                f"{a.full_name} ({a.country})",
                f"{b.full_name} ({b.country})",
            )
        )
    pages = [
        (t.name + (f" – {t.location}" if t.location else ""), by_table.get(t.id, []))
        for t in services.list_tables(event)
        if t.id in by_table
    ]
    data = pdf.schedule_pdf(
        f"{event.title}: meetings by table",
        f"Times in {zone_label(event)}",
        ["Time", "Delegate", "Delegate"],
        pages,
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{event.slug}-tables.pdf"'},
    )


@bp.get("/events/<slug>/manage/meetings/report")
def report(slug: str):
    """Requested, accepted, scheduled, held; country and sector pairs of meetings held."""
    event = organiser_event(slug)
    data = services.linkage_report(event)
    peak = max(data.country_pairs.values(), default=0)
    return render_template(
        "meetings/report.html", event=event, report=data, peak=peak, country_name=country_name
    )


@bp.get("/events/<slug>/manage/meetings/report.csv")
def report_csv(slug: str):
    """The meetings held, one row each, with countries, regions and sectors."""
    event = organiser_event(slug)
    data = services.linkage_report(event)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "registration_a",
            "country_a",
            "region_a",
            "sector_a",
            "registration_b",
            "country_b",
            "region_b",
            "sector_b",
        ]
    )
    for a, b in data.held_rows:
        writer.writerow(
            [
                a.id,
                a.country,
                directory.region_of(a.country),
                a.sector.value,
                b.id,
                b.country,
                directory.region_of(b.country),
                b.sector.value,
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-meetings-held.csv"'},
    )
