"""Meeting pages: my meetings, directory, profile, availability, PDFs; organiser tools, report."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.agenda.services import delegate_registration
from confapp.agenda.services import to_utc
from confapp.agenda.services import zone_label
from confapp.countries import country_name
from confapp.db import MAX_ID
from confapp.errors import NotAllowed
from confapp.events.models import MeetingBookingMode
from confapp.i18n import isolate
from confapp.i18n import isolate_name
from confapp.meetings import batch
from confapp.meetings import booking
from confapp.meetings import directory
from confapp.meetings import feedback as feedback_service
from confapp.meetings import listing
from confapp.meetings import pdf
from confapp.meetings import profiles
from confapp.meetings import requests
from confapp.meetings.forms import AvailabilityForm
from confapp.meetings.forms import FeedbackForm
from confapp.meetings.forms import PriorityForm
from confapp.meetings.forms import ProfileForm
from confapp.meetings.forms import RequestFilterForm
from confapp.meetings.forms import RequestForm
from confapp.meetings.forms import ScheduleForm
from confapp.meetings.forms import SettingsForm
from confapp.meetings.forms import SlotsForm
from confapp.meetings.forms import TablesForm
from confapp.meetings.forms import TagForm
from confapp.meetings.forms import choices
from confapp.meetings.jobs import start_schedule_all
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import NetworkingTag
from confapp.multilingual import tr
from confapp.registration.choices import ORGANISATION_TYPE_LABELS
from confapp.registration.choices import SECTOR_LABELS
from confapp.registration.models import Registration
from confapp.security import safe_next_url
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from confapp.web.forms import translation_inputs
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg
from confapp.web.params import parse_int

bp = Blueprint("meetings", __name__)

DIRECTORY_PAGE_SIZE = 24  # profiles per directory page: a light page on a slow phone
_FILTER_KEYS = ("country", "region", "sector", "organisation_type", "tag", "q")


def _me(ctx: Ctx) -> Registration:
    """The caller's confirmed registration: meetings are for confirmed delegates only."""
    me = delegate_registration(ctx.event, ctx.user)
    if me is None:
        raise NotAllowed(
            _(
                "Only delegates with a confirmed registration for %(event)s can book "
                "networking meetings.",
                event=tr(ctx.event, "title"),
            )
        )
    return me


def _back_to(fallback: str):
    """Back to the page the form was on (a local path only), else `fallback`."""
    return redirect(safe_next_url(request.form.get("back"), fallback))


def _to_mine(ctx: Ctx, req: MeetingRequest | None = None):
    anchor = f"request-{req.id}" if req is not None else None
    return redirect(url_for(".mine", slug=ctx.slug, _anchor=anchor))


def _pdf_response(data: bytes, filename: str, disposition: str = "inline") -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


# --- delegate pages -------------------------------------------------------------------


def _free_slots(ctx: Ctx, rows: list[listing.MeetingRow]) -> dict[int, list[tuple[int, str]]]:
    """Slots each unbooked open request could still take (instant booking only)."""
    if ctx.event.meeting_booking_mode is not MeetingBookingMode.INSTANT:
        return {}
    return {
        row.request.id: [
            (s.id, booking.slot_label(ctx.event, s))
            for s in booking.common_free_slots(ctx.event, row.request, ctx.now)
        ]
        for row in rows
        if row.request.status in requests.OPEN and row.slot is None
    }


@bp.get("/events/<slug>/meetings")
@event_view(Access.SIGNED_IN)
def mine(ctx: Ctx):
    """My meetings (time, table, counterpart) and my sent and received requests."""
    me = _me(ctx)
    rows = listing.my_requests(ctx.event, me)
    return render_template(
        "meetings/mine.html",
        event=ctx.event,
        me=me,
        rows=rows,
        free=_free_slots(ctx, rows),
        now=ctx.now,
        pending=requests.pending_count(me),
        zone=zone_label(ctx.event),
        feedback_form=FeedbackForm(),
    )


def _accept(ctx: Ctx, req: MeetingRequest, me: Registration):
    slot_id = parse_int(request.form.get("slot_id"))
    done = ctx.perform(lambda: requests.accept_request(ctx.event, req, me, ctx.now, slot_id))
    if done and done.value is not None:
        flash(_("Request accepted. Your meeting is booked."), "success")
    elif done and ctx.event.meeting_booking_mode is MeetingBookingMode.INSTANT:
        flash(
            _(
                "Request accepted. No slot both of you have free is left with a table; "
                "the request stays accepted."
            ),
            "warning",
        )
    elif done:
        flash(_("Request accepted. The organisers will give it a time and a table."), "success")
    return _to_mine(ctx, req)


def _decline(ctx: Ctx, req: MeetingRequest, me: Registration):
    ctx.perform(
        lambda: requests.decline_request(ctx.event, req, me, ctx.now),
        success=_("Request declined."),
    )
    return _to_mine(ctx, req)


def _book(ctx: Ctx, req: MeetingRequest, me: Registration):
    slot_id = parse_int(request.form.get("slot_id"))
    ctx.perform(
        lambda: requests.book_slot(ctx.event, req, me, ctx.now, slot_id),
        success=_("Meeting booked."),
    )
    return _to_mine(ctx, req)


def _cancel(ctx: Ctx, req: MeetingRequest, me: Registration):
    other = requests.counterpart_of(req, me)
    if req.meeting is not None:  # a booked meeting: say what happens first
        asked = ctx.confirm(
            title=_("Cancel your meeting with %(name)s?", name=other.full_name),
            consequences=requests.cancel_consequences(ctx.event, req, me, ctx.now),
            confirm_label=_("Cancel the meeting with %(name)s", name=other.full_name),
            back=url_for(".mine", slug=ctx.slug),
        )
        if asked is not None:
            return asked
    ctx.perform(
        lambda: requests.cancel_request(ctx.event, req, me, ctx.now),
        success=_("Cancelled; %(name)s is told by e-mail.", name=other.full_name),
    )
    return _to_mine(ctx, req)


_ANSWERS = {"accept": _accept, "decline": _decline, "book": _book, "cancel": _cancel}


@bp.post("/events/<slug>/meetings/<int:request_id>/<any(accept, decline, cancel, book):action>")
@event_view(Access.SIGNED_IN)
def answer(ctx: Ctx, request_id: int, action: str):
    """Accept, decline, cancel (a booked meeting: after a confirmation) or book a request."""
    me = _me(ctx)
    req = ctx.get(MeetingRequest, request_id)
    return _ANSWERS[action](ctx, req, me)


@bp.post("/events/<slug>/meetings/<int:request_id>/feedback")
@event_view(Access.SIGNED_IN)
def feedback(ctx: Ctx, request_id: int):
    """Say whether the meeting took place, rate it, and whether cooperation is likely."""
    me = _me(ctx)
    req = ctx.get(MeetingRequest, request_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        ctx.perform(
            lambda: feedback_service.submit_feedback(ctx.event, req, me, ctx.now, **form.answers()),
            success=_("Thank you for your feedback."),
        )
    else:
        flash(_("Say whether the meeting took place."), "error")
    return _to_mine(ctx, req)


def _directory_filters() -> directory.Filters:
    return directory.Filters(**{k: request.args.get(k, "")[:100] for k in _FILTER_KEYS})


def _page_arg() -> int:
    """The asked page; a number too large for an id means "the last page"."""
    raw = request.args.get("page", "").strip()
    too_large = raw.isascii() and raw.isdigit()  # parse_int refuses it: beyond any page
    return int_arg("page", default=MAX_ID if too_large else 1)


def _page_url(ctx: Ctx, filters: directory.Filters):
    kept = {k: getattr(filters, k) for k in _FILTER_KEYS if getattr(filters, k)}
    return lambda number: url_for(".directory_page", slug=ctx.slug, **kept, page=number)


@bp.get("/events/<slug>/meetings/directory")
@event_view(Access.SIGNED_IN)
def directory_page(ctx: Ctx):
    """The networking directory with filters, pages and recommendations."""
    me = _me(ctx)
    filters = _directory_filters()
    view = directory.page(ctx.event, me, filters, _page_arg(), DIRECTORY_PAGE_SIZE)
    return render_template(
        "meetings/directory.html",
        event=ctx.event,
        me=me,
        view=view,
        page_url=_page_url(ctx, filters),
        filters=filters,
        regions=directory.REGION_NAMES,
        sector_labels=SECTOR_LABELS,
        organisation_type_labels=ORGANISATION_TYPE_LABELS,
        tags=profiles.list_tags(ctx.event),
        language_names=profiles.language_names,
        region_name=directory.region_name,
        form=RequestForm(),
    )


@bp.post("/events/<slug>/meetings/request/<int:registration_id>")
@event_view(Access.SIGNED_IN)
def send(ctx: Ctx, registration_id: int):
    """Send a meeting request with a message."""
    me = _me(ctx)
    invitee = ctx.get(Registration, registration_id)
    form = RequestForm()
    if form.validate_on_submit():
        ctx.perform(
            lambda: requests.send_request(ctx.event, me, invitee, form.message.data or "", ctx.now),
            success=_("Request sent to %(name)s.", name=invitee.full_name),
        )
    else:
        flash(_("The message can be at most 1,000 characters."), "error")
    return _back_to(url_for(".directory_page", slug=ctx.slug))


@bp.route("/events/<slug>/meetings/profile", methods=["GET", "POST"])
@event_view(Access.SIGNED_IN)
def profile(ctx: Ctx):
    """Edit my networking profile and directory opt-in."""
    me = _me(ctx)
    form = ProfileForm()
    tag_choices = choices((t.id, t.name) for t in profiles.list_tags(ctx.event))
    form.fill(profiles.profile_of(me), me, tag_choices)
    if ctx.submit(
        form,
        lambda: profiles.save_profile(ctx.event, me, **form.profile_data(), now=ctx.now),
        success=_("Your networking profile is saved."),
    ):
        return redirect(url_for(".directory_page", slug=ctx.slug))
    status = 422 if form.errors else 200
    return render_template("meetings/profile.html", event=ctx.event, form=form), status


@bp.route("/events/<slug>/meetings/availability", methods=["GET", "POST"])
@event_view(Access.SIGNED_IN)
def availability(ctx: Ctx):
    """Tick the slots I can make (all by default)."""
    me = _me(ctx)
    slots = booking.list_slots(ctx.event)
    form = AvailabilityForm()
    form.slots.choices = choices((s.id, booking.slot_label(ctx.event, s)) for s in slots)
    if not form.is_submitted():
        off = booking.unavailable_slot_ids(me)
        form.slots.data = [s.id for s in slots if s.id not in off]
    if ctx.submit(
        form,
        lambda: booking.set_availability(ctx.event, me, form.slots.data or []),
        success=_("Your availability is saved."),
    ):
        return _to_mine(ctx)
    zone = zone_label(ctx.event)
    return render_template("meetings/availability.html", event=ctx.event, form=form, zone=zone)


def _my_schedule_rows(ctx: Ctx, me: Registration) -> list[tuple[str, str, str]]:
    return [
        (
            booking.slot_label(ctx.event, r.slot),
            isolate_name(r.table.name)
            + (f" ({isolate_name(r.table.location)})" if r.table.location else ""),
            f"{isolate_name(r.counterpart.full_name)}, {isolate_name(r.counterpart.organisation)} "
            f"({country_name(r.counterpart.country)})",
        )
        for r in listing.my_requests(ctx.event, me)
        if r.booked
    ]


@bp.get("/events/<slug>/meetings/schedule.pdf")
@event_view(Access.SIGNED_IN)
def my_pdf(ctx: Ctx):
    """My meeting schedule to print."""
    me = _me(ctx)
    data = pdf.schedule_pdf(
        _(
            "%(event)s: meetings of %(name)s",
            event=isolate_name(tr(ctx.event, "title")),
            name=isolate_name(me.full_name),
        ),
        _("Times in %(zone)s", zone=isolate(zone_label(ctx.event))),
        [_("Time"), _("Table"), _("With")],
        [("", _my_schedule_rows(ctx, me))],
    )
    return _pdf_response(data, f"{ctx.event.slug}-my-meetings.pdf")


# --- organiser ------------------------------------------------------------------------


def _manage_page(ctx: Ctx, status: int = 200, **forms):
    event = ctx.event
    forms.setdefault("slots_form", SlotsForm(formdata=None))
    forms.setdefault("tables_form", TablesForm(formdata=None))
    forms.setdefault("tag_form", _tag_form(ctx, formdata=None))
    forms.setdefault(
        "settings_form",
        SettingsForm(
            formdata=None,
            meeting_booking_mode=event.meeting_booking_mode.value,
            max_pending_requests=event.max_pending_requests,
        ),
    )
    return render_template(
        "meetings/manage.html",
        event=event,
        slots=booking.list_slots(event),
        tables=booking.list_tables(event),
        tags=profiles.list_tags(event),
        counts=listing.status_counts(event),
        status_filters=listing.STATUS_FILTERS,
        schedule_form=ScheduleForm(formdata=None),
        zone=zone_label(event),
        translation_inputs=translation_inputs,
        **forms,
    ), status


def _back(ctx: Ctx):
    return redirect(url_for(".manage", slug=ctx.slug))


@bp.get("/events/<slug>/manage/meetings")
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """Slots, tables, tags, settings, the batch scheduler and the requests in figures."""
    return _manage_page(ctx)


def _generate_slots(ctx: Ctx, form: SlotsForm) -> list[MeetingSlot]:
    return booking.generate_slots(
        ctx.event,
        to_utc(ctx.event, form.starts_at.data),
        to_utc(ctx.event, form.ends_at.data, field="ends_at"),
        form.minutes.data,
        form.gap.data or 0,
        form.table_limit.data,
    )


@bp.post("/events/<slug>/manage/meetings/slots")
@event_view(Access.ORGANISER)
def add_slots(ctx: Ctx):
    """Generate slots in a time range (times in the event's zone)."""
    form = SlotsForm()
    done = ctx.submit(form, lambda: _generate_slots(ctx, form))
    if done:
        flash(ngettext("%(num)d slot added.", "%(num)d slots added.", len(done.value)), "success")
        return _back(ctx)
    return _manage_page(ctx, 422, slots_form=form)


@bp.post("/events/<slug>/manage/meetings/slots/<int:slot_id>/delete")
@event_view(Access.ORGANISER)
def delete_slot(ctx: Ctx, slot_id: int):
    """Delete a slot without meetings (after a confirmation)."""
    slot = ctx.get(MeetingSlot, slot_id)
    label = booking.slot_label(ctx.event, slot)
    asked = ctx.confirm(
        title=_("Delete the slot %(slot)s?", slot=label),
        consequences=booking.delete_slot_consequences(slot),
        confirm_label=_("Delete the slot %(slot)s", slot=label),
        back=url_for(".manage", slug=ctx.slug),
    )
    if asked is not None:
        return asked
    ctx.perform(lambda: booking.delete_slot(slot), success=_("Slot deleted."))
    return _back(ctx)


@bp.post("/events/<slug>/manage/meetings/tables")
@event_view(Access.ORGANISER)
def add_tables(ctx: Ctx):
    """Add numbered tables."""
    form = TablesForm()
    if ctx.submit(
        form,
        lambda: booking.add_tables(
            ctx.event, form.count.data, form.prefix.data, form.location.data or ""
        ),
        success=_("Tables added."),
    ):
        return _back(ctx)
    return _manage_page(ctx, 422, tables_form=form)


@bp.post("/events/<slug>/manage/meetings/tags")
@event_view(Access.ORGANISER)
def add_tag(ctx: Ctx):
    """Add a topic tag (with its name in the event's other languages)."""
    form = _tag_form(ctx)
    if ctx.submit(
        form,
        lambda: profiles.add_tag(ctx.event, form.name.data, _tag_names(form)),
        success=_("Tag added."),
    ):
        return _back(ctx)
    return _manage_page(ctx, 422, tag_form=form)


# A topic's name, given in each of the event's other languages.
TAG_TRANSLATED = {"name": 80}


def _tag_form(ctx: Ctx, **kwargs) -> TagForm:
    return translation_fields(TagForm, ctx.event, TAG_TRANSLATED)(**kwargs)


def _tag_names(form: TagForm) -> dict[str, str]:
    return collect_translations(form, TAG_TRANSLATED)["name"]


@bp.route("/events/<slug>/manage/meetings/tags/<int:tag_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def edit_tag(ctx: Ctx, tag_id: int):
    """Rename a topic tag or give its name in the event's other languages."""
    tag = ctx.get(NetworkingTag, tag_id)
    form = _tag_form(ctx, obj=tag)
    if request.method == "GET":
        load_translations(form, tag, TAG_TRANSLATED)
    done = ctx.submit(
        form, lambda: profiles.update_tag(ctx.event, tag, form.name.data, _tag_names(form))
    )
    if done:
        flash(_("Topic saved.") if done.value else _("Nothing changed."), "success")
        return _back(ctx)
    page = render_template(
        "meetings/tag_edit.html",
        event=ctx.event,
        form=form,
        tag=tag,
        translation_inputs=translation_inputs,
    )
    return page, 422 if form.errors or form.form_errors else 200


@bp.post("/events/<slug>/manage/meetings/tags/<int:tag_id>/delete")
@event_view(Access.ORGANISER)
def delete_tag(ctx: Ctx, tag_id: int):
    """Remove a tag (after a confirmation)."""
    tag = ctx.get(NetworkingTag, tag_id)
    asked = ctx.confirm(
        title=_("Remove the topic “%(name)s”?", name=tag.name),
        consequences=profiles.delete_tag_consequences(tag),
        confirm_label=_("Remove “%(name)s”", name=tag.name),
        back=url_for(".manage", slug=ctx.slug),
    )
    if asked is not None:
        return asked
    ctx.perform(lambda: profiles.delete_tag(tag), success=_("Tag removed."))
    return _back(ctx)


@bp.post("/events/<slug>/manage/meetings/settings")
@event_view(Access.ORGANISER)
def settings(ctx: Ctx):
    """Booking mode and the pending-request cap."""
    form = SettingsForm()
    if ctx.submit(
        form,
        lambda: booking.update_settings(
            ctx.event,
            booking_mode=MeetingBookingMode(form.meeting_booking_mode.data),
            max_pending_requests=form.max_pending_requests.data,
        ),
        success=_("Meeting settings saved."),
    ):
        return _back(ctx)
    return _manage_page(ctx, 422, settings_form=form)


def _request_list_page(ctx: Ctx, status: int = 200):
    form = RequestFilterForm(formdata=request.args)
    form.validate()
    filters = form.filters()
    found = listing.request_page(ctx.event, filters, _page_arg())
    accepted = [r.request.id for r in found.rows if r.request.status.value == "accepted"]
    return render_template(
        "meetings/requests.html",
        event=ctx.event,
        form=form,
        filters=filters,
        found=found,
        why=batch.explain_unscheduled(ctx.event, accepted, ctx.now),
        priority_form=PriorityForm(formdata=None),
        priority_labels={w: str(n) for w, n in requests.PRIORITY_NAMES.items()},
        zone=zone_label(ctx.event),
    ), status


@bp.get("/events/<slug>/manage/meetings/requests")
@event_view(Access.ORGANISER)
def request_list(ctx: Ctx):
    """Requests, paged and filtered by status, delegate name and priority, with why an
    accepted request has no meeting yet."""
    return _request_list_page(ctx)


@bp.post("/events/<slug>/manage/meetings/requests/<int:request_id>/priority")
@event_view(Access.ORGANISER)
def set_priority(ctx: Ctx, request_id: int):
    """Set how strongly the batch scheduler favours one open request."""
    req = ctx.get(MeetingRequest, request_id)
    form = PriorityForm()
    if not form.validate_on_submit():  # nothing saved: the list again, saying why (400)
        flash(
            _("Priority not changed: %(errors)s", errors=" ".join(map(str, form.priority.errors))),
            "error",
        )
        return _request_list_page(ctx, 400)
    label = requests.PRIORITY_NAMES[form.priority.data]
    ctx.perform(
        lambda: requests.set_request_priority(req, form.priority.data),
        success=_("Priority set to %(priority)s.", priority=label),
    )
    return _back_to(url_for(".request_list", slug=ctx.slug))


@bp.post("/events/<slug>/manage/meetings/schedule")
@event_view(Access.ORGANISER)
def schedule(ctx: Ctx):
    """Start the batch scheduler as a job; its page shows the progress, then what it did
    (a GET page: reloading it never schedules again)."""
    form = ScheduleForm()
    started = ctx.submit(
        form,
        lambda: start_schedule_all(ctx.event, ctx.user, reschedule=bool(form.reschedule.data)),
    )
    if not started:
        return _back(ctx)
    return redirect(url_for("jobs.show", slug=ctx.slug, job_id=started.value.id))


@bp.get("/events/<slug>/manage/meetings/tables.pdf")
@event_view(Access.ORGANISER)
def tables_pdf(ctx: Ctx):
    """One page per table with its meetings, to put on the table."""
    data = pdf.schedule_pdf(
        _("%(event)s: meetings by table", event=isolate_name(tr(ctx.event, "title"))),
        _("Times in %(zone)s", zone=isolate(zone_label(ctx.event))),
        [_("Time"), _("Delegate"), _("Delegate")],
        pdf.table_pages(ctx.event),
    )
    return _pdf_response(data, f"{ctx.event.slug}-tables.pdf")


@bp.get("/events/<slug>/manage/meetings/report")
@event_view(Access.ORGANISER)
def report(ctx: Ctx):
    """Requested, accepted, scheduled, held; country and sector pairs of meetings held."""
    data = feedback_service.linkage_report(ctx.event)
    peak = max(data.country_pairs.values(), default=0)
    return render_template(
        "meetings/report.html", event=ctx.event, report=data, peak=peak, country_name=country_name
    )


@bp.get("/events/<slug>/manage/meetings/report.csv")
@event_view(Access.ORGANISER)
def report_csv(ctx: Ctx):
    """The meetings held, one row each, with countries, regions and sectors."""
    data = feedback_service.held_csv(feedback_service.linkage_report(ctx.event))
    return Response(
        data,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{ctx.event.slug}-meetings-held.csv"'
        },
    )
