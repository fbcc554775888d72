"""Meeting pages for delegates: my meetings and my answers to requests, the directory,
sending a request, my profile and my availability. The organisers' tools are in
manage_views.py and the downloads (PDFs, the CSV of meetings held) in download_views.py,
both on this module's blueprint.

Every route runs through the request lifecycle (:mod:`confapp.web.lifecycle`): the event
and the caller come from ``ctx``, ids from the URL through ``ctx.get``, and each action is
one service call run by ``ctx.perform``/``ctx.submit``, which logs and commits it.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from confapp.agenda.services import zone_label
from confapp.db import MAX_ID
from confapp.events.models import MeetingBookingMode
from confapp.meetings import booking
from confapp.meetings import directory
from confapp.meetings import feedback as feedback_service
from confapp.meetings import listing
from confapp.meetings import profiles
from confapp.meetings import requests
from confapp.meetings.forms import AvailabilityForm
from confapp.meetings.forms import FeedbackForm
from confapp.meetings.forms import ProfileForm
from confapp.meetings.forms import RequestForm
from confapp.meetings.forms import choices
from confapp.meetings.models import MeetingRequest
from confapp.registration.choices import ORGANISATION_TYPE_LABELS
from confapp.registration.choices import SECTOR_LABELS
from confapp.registration.models import Registration
from confapp.security import safe_next_url
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg
from confapp.web.params import parse_int

bp = Blueprint("meetings", __name__)

DIRECTORY_PAGE_SIZE = 24  # profiles per directory page: a light page on a slow phone
_FILTER_KEYS = ("country", "region", "sector", "organisation_type", "tag", "q")


def back_to(fallback: str):
    """Back to the page the form was on (a local path only), else `fallback`."""
    return redirect(safe_next_url(request.form.get("back"), fallback))


def page_arg() -> int:
    """The asked page; a number too large for an id means "the last page"."""
    raw = request.args.get("page", "").strip()
    too_large = raw.isascii() and raw.isdigit()  # parse_int refuses it: beyond any page
    return int_arg("page", default=MAX_ID if too_large else 1)


def _to_mine(ctx: Ctx, req: MeetingRequest | None = None):
    anchor = f"request-{req.id}" if req is not None else None
    return redirect(url_for(".mine", slug=ctx.slug, _anchor=anchor))


@bp.get("/events/<slug>/meetings")
@event_view(Access.SIGNED_IN)
def mine(ctx: Ctx):
    """My meetings (time, table, counterpart) and my sent and received requests."""
    me = requests.meeting_delegate(ctx.event, ctx.user)
    rows = listing.my_requests(ctx.event, me)
    return render_template(
        "meetings/mine.html",
        event=ctx.event,
        me=me,
        rows=rows,
        free=listing.bookable_slots(ctx.event, rows, ctx.now),
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
    me = requests.meeting_delegate(ctx.event, ctx.user)
    req = ctx.get(MeetingRequest, request_id)
    return _ANSWERS[action](ctx, req, me)


@bp.post("/events/<slug>/meetings/<int:request_id>/feedback")
@event_view(Access.SIGNED_IN)
def feedback(ctx: Ctx, request_id: int):
    """Say whether the meeting took place, rate it, and whether cooperation is likely."""
    me = requests.meeting_delegate(ctx.event, ctx.user)
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


def _page_url(ctx: Ctx, filters: directory.Filters):
    kept = {k: getattr(filters, k) for k in _FILTER_KEYS if getattr(filters, k)}
    return lambda number: url_for(".directory_page", slug=ctx.slug, **kept, page=number)


@bp.get("/events/<slug>/meetings/directory")
@event_view(Access.SIGNED_IN)
def directory_page(ctx: Ctx):
    """The networking directory with filters, pages and recommendations."""
    me = requests.meeting_delegate(ctx.event, ctx.user)
    filters = _directory_filters()
    view = directory.page(ctx.event, me, filters, page_arg(), DIRECTORY_PAGE_SIZE)
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
    me = requests.meeting_delegate(ctx.event, ctx.user)
    invitee = ctx.get(Registration, registration_id)
    form = RequestForm()
    if form.validate_on_submit():
        ctx.perform(
            lambda: requests.send_request(ctx.event, me, invitee, form.message.data or "", ctx.now),
            success=_("Request sent to %(name)s.", name=invitee.full_name),
        )
    else:
        flash(_("The message can be at most 1,000 characters."), "error")
    return back_to(url_for(".directory_page", slug=ctx.slug))


@bp.route("/events/<slug>/meetings/profile", methods=["GET", "POST"])
@event_view(Access.SIGNED_IN)
def profile(ctx: Ctx):
    """Edit my networking profile and directory opt-in."""
    me = requests.meeting_delegate(ctx.event, ctx.user)
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
    me = requests.meeting_delegate(ctx.event, ctx.user)
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
