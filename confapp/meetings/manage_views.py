"""Meeting pages for organisers: slots, tables, topic tags and settings, the request list
and its priorities, the batch scheduler and the linkage report. Routes of the meetings
blueprint (confapp.meetings.views), imported by the wiring before it is registered."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.agenda.services import to_utc
from confapp.agenda.services import zone_label
from confapp.countries import country_name
from confapp.events.models import MeetingBookingMode
from confapp.i18n import sorted_by_name
from confapp.meetings import batch
from confapp.meetings import booking
from confapp.meetings import feedback as feedback_service
from confapp.meetings import listing
from confapp.meetings import profiles
from confapp.meetings import requests
from confapp.meetings.forms import PriorityForm
from confapp.meetings.forms import RequestFilterForm
from confapp.meetings.forms import ScheduleForm
from confapp.meetings.forms import SettingsForm
from confapp.meetings.forms import SlotsForm
from confapp.meetings.forms import TablesForm
from confapp.meetings.forms import TagForm
from confapp.meetings.jobs import start_schedule_all
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import NetworkingTag
from confapp.meetings.views import back_to
from confapp.meetings.views import bp
from confapp.meetings.views import page_arg
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from confapp.web.forms import translation_inputs
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

# A topic's name, given in each of the event's other languages.
TAG_TRANSLATED = {"name": 80}


def _tag_form(ctx: Ctx, **kwargs) -> TagForm:
    return translation_fields(TagForm, ctx.event, TAG_TRANSLATED)(**kwargs)


def _tag_names(form: TagForm) -> dict[str, str]:
    return collect_translations(form, TAG_TRANSLATED)["name"]


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
    found = listing.request_page(ctx.event, filters, page_arg())
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
    return back_to(url_for(".request_list", slug=ctx.slug))


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


@bp.get("/events/<slug>/manage/meetings/report")
@event_view(Access.ORGANISER)
def report(ctx: Ctx):
    """Requested, accepted, scheduled, held; country and sector pairs of meetings held."""
    data = feedback_service.linkage_report(ctx.event)
    peak = max(data.country_pairs.values(), default=0)
    # Rows and columns in the order the reader looks names up: by name in their language.
    countries = sorted_by_name(data.countries, key=country_name)
    return render_template(
        "meetings/report.html",
        event=ctx.event,
        report=data,
        countries=countries,
        peak=peak,
        country_name=country_name,
    )
