"""Visit pages: delegates' cards with sign-up, .ics per visit, organiser tools and manifests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from confapp.agenda.models import SeatStatus
from confapp.agenda.services import delegate_registration
from confapp.agenda.services import to_utc
from confapp.agenda.services import zone_label
from confapp.agenda.views import calendar_response
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import time_span
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.visits import ical
from confapp.visits import manifest
from confapp.visits import services
from confapp.visits.forms import AddDelegateForm
from confapp.visits.forms import MoveForm
from confapp.visits.forms import SignupForm
from confapp.visits.forms import VisitForm
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from confapp.web.forms import translation_inputs
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg

bp = Blueprint("visits", __name__)
T = TypeVar("T")

# A sign-up's status as organisers read it, in their language.
SEAT_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
}


def _render_index(
    ctx: Ctx,
    *,
    errors: dict[int, list[str]] | None = None,
    posted: dict | None = None,
    status: int = 200,
):
    event, now = ctx.event, ctx.now
    registration = delegate_registration(event, ctx.user)
    visits = services.list_visits(event)
    # visit id -> (status, waiting-list position, the name of their bus if they have one)
    mine: dict[int, tuple[SeatStatus, int | None, str | None]] = {}
    if registration is not None:
        for visit, holder in services.my_signups(event, registration, visits):
            bus = next((b.name for b in visit.buses if b.id == holder.bus_id), None)
            mine[visit.id] = (holder.status, services.waitlist_position(visit, holder), bus)
    return render_template(
        "visits/index.html",
        event=event,
        visits=visits,
        states={v.id: services.signup_state(v, now) for v in visits},
        mine=mine,
        registration=registration,
        errors=errors or {},
        posted=posted or {},
        zone=zone_label(event),
    ), status


@bp.get("/events/<slug>/visits")
@event_view(Access.PUBLIC)
def index(ctx: Ctx):
    """Visit cards: cluster, times, meeting point, seats left or queue place, requirements."""
    return _render_index(ctx)


def _back(event: Event, visit: Visit) -> str:
    return url_for("visits.index", slug=event.slug) + f"#visit-{visit.id}"


def _visit_and_delegate(ctx: Ctx, visit_id: int):
    """The visit and the caller's confirmed registration (None, with a flash, without one)."""
    visit = ctx.get(Visit, visit_id)
    registration = delegate_registration(ctx.event, ctx.user)
    if registration is None:
        flash(_("Only delegates with a confirmed registration can sign up for visits."), "error")
    return visit, registration


@bp.post("/events/<slug>/visits/<int:visit_id>/signup")
@event_view(Access.SIGNED_IN, log=True)
def signup(ctx: Ctx, visit_id: int):
    """Sign up for a visit: a seat, or the waiting list; clashes warn or refuse."""
    event = ctx.event
    visit, registration = _visit_and_delegate(ctx, visit_id)
    if registration is None:
        return redirect(_back(event, visit))
    form = SignupForm()
    posted = {
        visit.id: {"group_code": form.group_code.data or "", "id_number": form.id_number.data or ""}
    }
    if not form.validate_on_submit():
        messages = [m for errs in form.errors.values() for m in errs]
        return _render_index(ctx, errors={visit.id: messages}, posted=posted, status=422)
    try:
        # form=: a refusal lands on the form (unused), so this view decides how it is shown.
        done = ctx.perform(
            lambda: services.signup(
                event,
                visit,
                registration,
                now=ctx.now,
                group_code=form.group_code.data or "",
                id_number=form.id_number.data or "",
                confirm_clash=bool(form.confirm_clash.data),
            ),
            form=form,
            subject=visit,
        )
    except IntegrityError:
        # A double click raced itself; the first click won.
        flash(_("You are already signed up for this visit."), "info")
        return redirect(_back(event, visit))
    if isinstance(done.error, services.ClashWarning):
        return render_template(
            "visits/confirm.html",
            event=event,
            visit=visit,
            form=form,
            clashes=done.error.clashes,
            zone=zone_label(event, visit.departs_at),
        )
    if done.error is not None:
        if done.error.field in ("group_code", "id_number"):
            errors = {visit.id: [done.error.message]}
            return _render_index(ctx, errors=errors, posted=posted, status=422)
        flash(done.error.message, "error")
        return redirect(_back(event, visit))
    holder = done.value
    if holder.status is SeatStatus.CONFIRMED:
        flash(
            _(
                "Your seat on “%(title)s” is confirmed. A calendar file is in your e-mail.",
                title=tr(visit, "title"),
            ),
            "success",
        )
    else:
        position = services.waitlist_position(visit, holder)
        flash(
            _(
                "“%(title)s” is full: you are number %(position)s on the waiting list and will "
                "get an e-mail if a seat frees up.",
                title=tr(visit, "title"),
                position=position,
            ),
            "warning",
        )
    return redirect(_back(event, visit))


@bp.post("/events/<slug>/visits/<int:visit_id>/cancel")
@event_view(Access.SIGNED_IN, log=True)
def cancel(ctx: Ctx, visit_id: int):
    """Give up a seat or a waiting-list place (the next in line gets it)."""
    event = ctx.event
    visit, registration = _visit_and_delegate(ctx, visit_id)
    if registration is None:
        return redirect(_back(event, visit))
    ctx.perform(
        lambda: services.cancel(event, visit, registration, now=ctx.now),
        subject=visit,
        success=_("You are no longer signed up for “%(title)s”.", title=tr(visit, "title")),
    )
    return redirect(_back(event, visit))


@bp.get("/events/<slug>/visits/<int:visit_id>.ics")
@event_view(Access.PUBLIC)
def visit_ics(ctx: Ctx, visit_id: int):
    """One visit as iCalendar (STATUS:CANCELLED once cancelled), with ETag/304."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    # ETag and Last-Modified: calendar apps that poll it get 304 until the visit changes.
    return calendar_response(ical.visit_feed(event, visit), f"{event.slug}-visit-{visit.id}.ics")


def _refused_at(field: str | None, action: Callable[[], T], *, of: str) -> Callable[[], T]:
    """`action`, with a refusal about the service's field `of` shown at this form's `field`
    (None: atop the form)."""

    def run() -> T:
        try:
            return action()
        except DomainError as exc:
            if exc.field != of:
                raise
            raise DomainError(exc.message, field=field, code=exc.code) from exc

    return run


@bp.get("/events/<slug>/manage/visits")
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """All visits with seats, waiting lists and links to their sign-ups."""
    event = ctx.event
    return render_template(
        "visits/manage.html",
        event=event,
        visits=services.list_visits(event),
        counts=services.counts(event),
        zone=zone_label(event),
    )


def _local(event: Event, moment: dt.datetime | None) -> dt.datetime | None:
    return event.local(moment).replace(tzinfo=None) if moment else None


# Delegate-facing text an organiser can give in each of the event's other languages.
TRANSLATED = {"title": 200, "description": 20000, "requirements": 5000}


def _visit_form(event: Event, visit: Visit | None) -> VisitForm:
    form_class = translation_fields(
        VisitForm, event, TRANSLATED, multiline=("description", "requirements")
    )
    form = form_class()
    if request.method == "GET":
        if visit is not None:
            load_translations(form, visit, TRANSLATED)
            for name in (
                "title",
                "cluster_name",
                "cluster_sector",
                "cluster_location",
                "description",
                "meeting_point",
                "capacity_cap",
                "requirements",
                "requires_id_number",
            ):
                getattr(form, name).data = getattr(visit, name)
            for name in ("departs_at", "returns_at", "signup_opens_at", "signup_closes_at"):
                getattr(form, name).data = _local(event, getattr(visit, name))
            form.status.data = visit.status.value
            while len(form.buses.entries):
                form.buses.pop_entry()
            for bus in visit.buses:
                form.buses.append_entry(
                    {"bus_id": str(bus.id), "name": bus.name, "seats": bus.seats}
                )
            for _spare in range(2):
                form.buses.append_entry()
        else:
            form.departs_at.data = dt.datetime.combine(event.starts_on, dt.time(8, 0))
            form.returns_at.data = dt.datetime.combine(event.starts_on, dt.time(18, 0))
    return form


def _visit_data(event: Event, form: VisitForm) -> services.VisitData:
    buses = []
    for entry in form.buses:
        name, seats = (entry.form.name.data or "").strip(), entry.form.seats.data
        if not name and seats is None:
            continue
        raw_id = (entry.form.bus_id.data or "").strip()
        buses.append(
            services.BusData(name=name, seats=seats, id=int(raw_id) if raw_id.isdigit() else None)
        )
    opens, closes = form.signup_opens_at.data, form.signup_closes_at.data
    return services.VisitData(
        title=form.title.data or "",
        cluster_name=form.cluster_name.data or "",
        cluster_sector=form.cluster_sector.data or "",
        cluster_location=form.cluster_location.data or "",
        description=form.description.data or "",
        departs_at=to_utc(event, form.departs_at.data, field="departs_at"),
        returns_at=to_utc(event, form.returns_at.data, field="returns_at"),
        meeting_point=form.meeting_point.data or "",
        capacity_cap=form.capacity_cap.data,
        signup_opens_at=to_utc(event, opens, field="signup_opens_at") if opens else None,
        signup_closes_at=to_utc(event, closes, field="signup_closes_at") if closes else None,
        requirements=form.requirements.data or "",
        requires_id_number=bool(form.requires_id_number.data),
        status=VisitStatus(form.status.data),
        buses=buses,
        translations=collect_translations(form, TRANSLATED),
    )


def _visit_page(event: Event, form: VisitForm, visit: Visit | None):
    """The visit form (new or edit): 422 when it comes back with errors."""
    return render_template(
        "visits/form.html",
        event=event,
        form=form,
        visit=visit,
        zone=zone_label(event),
        translation_inputs=translation_inputs,
    ), (422 if form.errors or form.form_errors else 200)


@bp.route("/events/<slug>/manage/visits/new", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def visit_new(ctx: Ctx):
    """Add a visit with its buses."""
    event = ctx.event
    form = _visit_form(event, None)

    # The bus rows have no place for a message: a refusal about the buses goes atop the form.
    def create() -> Visit:
        return services.create_visit(event, _visit_data(event, form), now=ctx.now)

    done = ctx.submit(form, _refused_at(None, create, of="buses"))
    if done:
        visit = done.value
        flash(
            ngettext(
                "Visit “%(title)s” added (%(num)d seat).",
                "Visit “%(title)s” added (%(num)d seats).",
                visit.pool.capacity,
                title=tr(visit, "title"),
            ),
            "success",
        )
        return redirect(url_for("visits.manage", slug=event.slug))
    return _visit_page(event, form, None)


def _ask_before_cancelling(ctx: Ctx, visit: Visit, form):
    """Setting a visit's status to cancelled says who is e-mailed first (the form's fields
    are posted again with the confirmation); any other save goes on at once."""
    cancelling = (
        form.is_submitted()
        and form.status.data == VisitStatus.CANCELLED.value
        and visit.status is not VisitStatus.CANCELLED
    )
    if not cancelling or not form.validate():
        return None  # not a cancellation, or a form with errors that it shows itself
    signed = services.counts(ctx.event).get(visit.id, {})
    seated, waiting = signed.get(SeatStatus.CONFIRMED, 0), signed.get(SeatStatus.WAITLISTED, 0)
    title = tr(visit, "title")
    lines = [
        ngettext(
            "%(num)d delegate with a seat is e-mailed that the visit is cancelled.",
            "%(num)d delegates with a seat are e-mailed that the visit is cancelled.",
            seated,
        ),
        ngettext(
            "%(num)d delegate on the waiting list is e-mailed too.",
            "%(num)d delegates on the waiting list are e-mailed too.",
            waiting,
        ),
        _("Nobody can sign up for it any more; other changes in the form are saved with it."),
    ]
    return ctx.confirm(
        title=_("Cancel the visit “%(title)s”?", title=title),
        consequences=lines,
        confirm_label=ngettext(
            "Cancel the visit and e-mail %(num)d delegate",
            "Cancel the visit and e-mail %(num)d delegates",
            seated + waiting,
        ),
        back=url_for("visits.visit_edit", slug=ctx.slug, visit_id=visit.id),
    )


@bp.route("/events/<slug>/manage/visits/<int:visit_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def visit_edit(ctx: Ctx, visit_id: int):
    """Edit a visit and its buses; more seats promote the waiting list at once."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    form = _visit_form(event, visit)

    def update() -> list:
        return services.update_visit(event, visit, _visit_data(event, form), now=ctx.now)

    asked = _ask_before_cancelling(ctx, visit, form)
    if asked is not None:
        return asked
    done = ctx.submit(form, _refused_at(None, update, of="buses"), subject=visit)
    if done:
        promoted = done.value
        flash(
            ngettext(
                "Visit saved. %(num)d delegate moved up from the waiting list.",
                "Visit saved. %(num)d delegates moved up from the waiting list.",
                len(promoted),
            )
            if promoted
            else _("Visit saved."),
            "success",
        )
        return redirect(url_for("visits.manage", slug=event.slug))
    return _visit_page(event, form, visit)


@bp.get("/events/<slug>/manage/visits/<int:visit_id>/signups")
@event_view(Access.ORGANISER)
def signups(ctx: Ctx, visit_id: int):
    """Who is on the visit: confirmed (with bus), waiting list in order, cancelled."""
    return _render_signups(ctx.event, ctx.get(Visit, visit_id), AddDelegateForm())


def _render_signups(event: Event, visit: Visit, add_form: AddDelegateForm, status: int = 200):
    rows = services.signups_for(visit)
    others = [
        v
        for v in services.list_visits(event)
        if v.id != visit.id and v.status is not VisitStatus.CANCELLED
    ]
    aboard: dict[int, int] = {}
    for holder, _reg in rows:
        if holder.bus_id and holder.status is SeatStatus.CONFIRMED:
            aboard[holder.bus_id] = aboard.get(holder.bus_id, 0) + 1
    return render_template(
        "visits/signups.html",
        event=event,
        visit=visit,
        rows=rows,
        others=others,
        aboard=aboard,
        unseated=services.unseated_count(visit),
        bus_names={b.id: b.name for b in visit.buses},
        add_form=add_form,
        zone=zone_label(event),
        seat_labels=SEAT_LABELS,
    ), status


def _signups_url(event: Event, visit: Visit) -> str:
    return url_for("visits.signups", slug=event.slug, visit_id=visit.id)


@bp.post("/events/<slug>/manage/visits/<int:visit_id>/signups/add")
@event_view(Access.ORGANISER)
def add_delegate(ctx: Ctx, visit_id: int):
    """Add a delegate by hand (a seat if free, else the waiting list)."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    form = AddDelegateForm()
    if form.validate_on_submit():
        registration = services.find_registration(event, form.who.data)
        if registration is None:
            form.who.errors.append(_("No confirmed registration with this e-mail or number."))
            return _render_signups(event, visit, form, status=422)
        try:

            def add() -> VisitSignup:
                return services.add_by_hand(
                    event,
                    visit,
                    registration,
                    now=ctx.now,
                    group_code=form.group_code.data or "",
                    id_number=form.id_number.data or "",
                )

            # The service names the delegate's e-mail; this form asks for it in "who".
            done = ctx.perform(_refused_at("who", add, of="email"), form=form, subject=visit)
        except IntegrityError:
            form.who.errors.append(_("This delegate is already on the visit."))
            return _render_signups(event, visit, form, status=422)
        if done:
            flash(
                _("%(name)s added: seat confirmed.", name=registration.full_name)
                if done.value.status is SeatStatus.CONFIRMED
                else _("%(name)s added to the waiting list.", name=registration.full_name),
                "success",
            )
            return redirect(_signups_url(event, visit))
    return _render_signups(event, visit, form, status=422)


@bp.post("/events/<slug>/manage/visits/<int:visit_id>/signups/<int:signup_id>/move")
@event_view(Access.ORGANISER)
def move_signup(ctx: Ctx, visit_id: int, signup_id: int):
    """Move a delegate to another visit."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    holder = ctx.get(VisitSignup, signup_id, visit=visit)
    form = MoveForm()
    target = (
        services.get_visit(event, form.visit_id.data)
        if form.validate_on_submit() and form.visit_id.data
        else None
    )
    if target is None:
        flash(_("Choose the visit to move the delegate to."), "error")
        return redirect(_signups_url(event, visit))
    if holder.status is not SeatStatus.CANCELLED and target.id != visit.id:
        person = db.session.get(Registration, holder.registration_id)
        asked = ctx.confirm(
            title=_(
                "Move %(name)s to “%(title)s”?", name=person.full_name, title=tr(target, "title")
            ),
            consequences=services.move_consequences(visit, holder, target),
            confirm_label=_("Move %(name)s", name=person.full_name),
            back=_signups_url(event, visit),
            danger=False,
        )
        if asked is not None:
            return asked
    try:
        done = ctx.perform(
            lambda: services.move(event, holder, target, now=ctx.now), subject=holder
        )
    except IntegrityError:
        flash(_("The delegate is already on that visit."), "error")
        return redirect(_signups_url(event, visit))
    if done:
        flash(
            _("Moved to “%(title)s”: seat confirmed.", title=target.title)
            if done.value.status is SeatStatus.CONFIRMED
            else _("Moved to the waiting list of “%(title)s”.", title=target.title),
            "success",
        )
    return redirect(_signups_url(event, visit))


@bp.post("/events/<slug>/manage/visits/<int:visit_id>/signups/<int:signup_id>/bus")
@event_view(Access.ORGANISER)
def set_bus(ctx: Ctx, visit_id: int, signup_id: int):
    """Put a confirmed delegate on a bus (or none)."""
    visit = ctx.get(Visit, visit_id)
    holder = ctx.get(VisitSignup, signup_id, visit=visit)
    form = MoveForm()
    if not form.validate_on_submit() or form.bus_id.data is None:
        flash(_("Choose a bus."), "error")
        return redirect(_signups_url(ctx.event, visit))
    ctx.perform(
        lambda: services.set_bus(visit, holder, form.bus_id.data or None),
        subject=holder,
        success=_("Bus changed."),
    )
    return redirect(_signups_url(ctx.event, visit))


@bp.post("/events/<slug>/manage/visits/<int:visit_id>/signups/<int:signup_id>/cancel")
@event_view(Access.ORGANISER)
def remove_signup(ctx: Ctx, visit_id: int, signup_id: int):
    """Cancel a delegate's sign-up; the first on the waiting list gets the seat."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    holder = ctx.get(VisitSignup, signup_id, visit=visit)
    if holder.status is not SeatStatus.CANCELLED:  # an old page's button: the service says so
        person = db.session.get(Registration, holder.registration_id)
        asked = ctx.confirm(
            title=_(
                "Remove %(name)s from “%(title)s”?", name=person.full_name, title=tr(visit, "title")
            ),
            consequences=services.remove_consequences(visit, holder),
            confirm_label=_("Remove %(name)s from the visit", name=person.full_name),
            back=_signups_url(event, visit),
        )
        if asked is not None:
            return asked
    done = ctx.perform(lambda: services.remove(event, visit, holder, now=ctx.now), subject=holder)
    if done:
        flash(
            _("Sign-up cancelled. The first on the waiting list got the seat.")
            if done.value
            else _("Sign-up cancelled."),
            "success",
        )
    return redirect(_signups_url(event, visit))


@bp.post("/events/<slug>/manage/visits/<int:visit_id>/assign-buses")
@event_view(Access.ORGANISER)
def assign_buses(ctx: Ctx, visit_id: int):
    """Seat every confirmed delegate on a bus, balanced, keeping groups together."""
    visit = ctx.get(Visit, visit_id)
    done = ctx.perform(
        lambda: services.assign_buses(visit), subject=visit, success=_("Buses assigned.")
    )
    for note in done.value or []:
        flash(note, "warning")
    return redirect(_signups_url(ctx.event, visit))


def _manifest_scope(event: Event, visit: Visit) -> tuple[Bus | None, str]:
    if not request.args.get("bus"):
        return None, ""
    bus_id = int_arg("bus")  # plain in-range digits only ("²" and 25 digits are not ids)
    bus = db.session.get(Bus, bus_id) if bus_id is not None else None
    if bus is None or bus.visit_id != visit.id:
        abort(404)
    return bus, f"-bus-{bus.id}"


@bp.get("/events/<slug>/manage/visits/<int:visit_id>/manifest.csv")
@event_view(Access.ORGANISER)
def manifest_csv(ctx: Ctx, visit_id: int):
    """Passenger list as CSV (whole visit, or ?bus=<id>)."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    bus, suffix = _manifest_scope(event, visit)
    body = manifest.manifest_csv(
        services.manifest_rows(visit, bus), with_id=visit.requires_id_number
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{event.slug}-visit-{visit.id}{suffix}.csv"'
            )
        },
    )


@bp.get("/events/<slug>/manage/visits/<int:visit_id>/manifest.pdf")
@event_view(Access.ORGANISER)
def manifest_pdf(ctx: Ctx, visit_id: int):
    """Passenger list as PDF for the bus crew and the gate (whole visit, or ?bus=<id>)."""
    event = ctx.event
    visit = ctx.get(Visit, visit_id)
    bus, suffix = _manifest_scope(event, visit)
    when = (
        f"{time_span(visit.departs_at, visit.returns_at, event, '%A %d %B %Y')} ({event.timezone})"
    )
    subtitle = " · ".join(
        p
        for p in (
            ngettext(
                "Bus %(name)s (%(num)d seat)",
                "Bus %(name)s (%(num)d seats)",
                bus.seats,
                name=bus.name,
            )
            if bus
            else _("All buses"),
            when,
            _("Meeting point: %(place)s", place=visit.meeting_point) if visit.meeting_point else "",
            visit.cluster_name,
            visit.cluster_location,
        )
        if p
    )
    body = manifest.manifest_pdf(
        services.manifest_rows(visit, bus),
        with_id=visit.requires_id_number,
        title=_("%(title)s — passenger manifest", title=tr(visit, "title")),
        subtitle=subtitle,
        requirements=visit.requirements,
        generated_at=utcnow(),
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{event.slug}-visit-{visit.id}{suffix}.pdf"'
        },
    )
