"""Agenda pages for organisers: the programme's overview, publishing, health, rooms,
tracks, sessions (new, edit, cancel, reinstate, delete) and the CSV export and import.
Routes of the agenda blueprint (confapp.agenda.views), imported by the wiring before it is
registered; the public and delegates' pages and the feeds are in views.py."""

from __future__ import annotations

import datetime as dt

from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from confapp.agenda import csvio
from confapp.agenda import programme as listing
from confapp.agenda import rooms as venue
from confapp.agenda import seats
from confapp.agenda import sessions
from confapp.agenda import times
from confapp.agenda.forms import ImportForm
from confapp.agenda.forms import RoomForm
from confapp.agenda.forms import SessionForm
from confapp.agenda.forms import TrackForm
from confapp.agenda.forms import choices
from confapp.agenda.jobs import runs_as_job
from confapp.agenda.jobs import start_import
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.agenda.views import bp
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from confapp.web.forms import translation_inputs
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view


@bp.get("/events/<slug>/manage/programme")
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """Organiser overview: sessions by day, rooms, tracks, publishing, import/export."""
    return render_template(
        "agenda/manage.html",
        event=ctx.event,
        rooms=listing.list_rooms(ctx.event),
        tracks=listing.list_tracks(ctx.event),
        zone=times.zone_label(ctx.event),
        **listing.manage_overview(ctx.event),
    )


@bp.post("/events/<slug>/manage/programme/publish")
@event_view(Access.ORGANISER)
def publish(ctx: Ctx):
    """Publish the programme; from now on every change is listed publicly."""
    ctx.perform(
        lambda: sessions.publish_programme(ctx.event, ctx.now),
        subject=ctx.event,
        success=_(
            "The programme is published. Changes from now on appear on the public changes page."
        ),
    )
    return redirect(url_for(".manage", slug=ctx.slug))


@bp.get("/events/<slug>/manage/programme/health")
@event_view(Access.ORGANISER)
def health(ctx: Ctx):
    """Agenda health: people in two places at once, sessions without a room, full workshops."""
    return render_template(
        "agenda/health.html",
        event=ctx.event,
        report=listing.health(ctx.event),
        zone=times.zone_label(ctx.event),
    )


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


@bp.route("/events/<slug>/manage/programme/rooms", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def rooms(ctx: Ctx):
    """List rooms and add one."""
    form = RoomForm()
    if ctx.submit(
        form,
        lambda: venue.create_room(ctx.event, **form.values()),
        success=_("Room %(name)s added.", name=form.name.data),
    ):
        return redirect(url_for(".rooms", slug=ctx.slug))
    rooms_ = listing.list_rooms(ctx.event)
    page = render_template("agenda/rooms.html", event=ctx.event, form=form, rooms=rooms_)
    return page, _status(form)


@bp.route("/events/<slug>/manage/programme/rooms/<int:room_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def room_edit(ctx: Ctx, room_id: int):
    """Edit a room."""
    room = ctx.get(Room, room_id)
    form = RoomForm(obj=room)
    if ctx.submit(
        form,
        lambda: venue.update_room(ctx.event, room, **form.values(), now=ctx.now),
        subject=room,
        success=_("Room saved."),
    ):
        return redirect(url_for(".rooms", slug=ctx.slug))
    page = render_template("agenda/room_edit.html", event=ctx.event, form=form, room=room)
    return page, _status(form)


@bp.route("/events/<slug>/manage/programme/tracks", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def tracks(ctx: Ctx):
    """List tracks and add one."""
    form = _track_form(ctx)
    if ctx.submit(
        form,
        lambda: venue.create_track(ctx.event, **form.values(), names=_track_names(form)),
        success=_("Track %(name)s added.", name=form.name.data),
    ):
        return redirect(url_for(".tracks", slug=ctx.slug))
    tracks_ = listing.list_tracks(ctx.event)
    page = render_template(
        "agenda/tracks.html",
        event=ctx.event,
        form=form,
        tracks=tracks_,
        translation_inputs=translation_inputs,
    )
    return page, _status(form)


@bp.route("/events/<slug>/manage/programme/tracks/<int:track_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def track_edit(ctx: Ctx, track_id: int):
    """Edit a track."""
    track = ctx.get(Track, track_id)
    form = _track_form(ctx, track)
    if ctx.submit(
        form,
        lambda: venue.update_track(ctx.event, track, **form.values(), names=_track_names(form)),
        subject=track,
        success=_("Track saved."),
    ):
        return redirect(url_for(".tracks", slug=ctx.slug))
    page = render_template(
        "agenda/track_edit.html",
        event=ctx.event,
        form=form,
        track=track,
        translation_inputs=translation_inputs,
    )
    return page, _status(form)


# Organiser-written text delegates read, given in each of the event's other languages.
TRACK_TRANSLATED = {"name": 100}
SESSION_TRANSLATED = {"title": 300, "description": 20000}


def _track_form(ctx: Ctx, track: Track | None = None) -> TrackForm:
    """The track form with one name input per offered language; on GET, the track's."""
    form = translation_fields(TrackForm, ctx.event, TRACK_TRANSLATED)(obj=track)
    if track is not None and request.method == "GET":
        load_translations(form, track, TRACK_TRANSLATED)
    return form


def _track_names(form: TrackForm) -> dict[str, str]:
    return collect_translations(form, TRACK_TRANSLATED)["name"]


def _session_form(ctx: Ctx, session: ProgrammeSession | None = None) -> SessionForm:
    """The session form with the event's rooms and tracks, one title and description input
    per offered language; on GET, the session's values."""
    form = translation_fields(
        SessionForm, ctx.event, SESSION_TRANSLATED, multiline=("description",)
    )()
    if request.method == "GET":
        if session is not None:
            form.fill(ctx.event, session)
            load_translations(form, session, SESSION_TRANSLATED)
        else:
            form.starts_at.data = dt.datetime.combine(ctx.event.starts_on, dt.time(9, 0))
            form.ends_at.data = dt.datetime.combine(ctx.event.starts_on, dt.time(10, 0))
    form.room_id.choices = choices(
        [(0, _("— no room —"))] + [(r.id, r.name) for r in listing.list_rooms(ctx.event)]
    )
    form.track_id.choices = choices(
        [(0, _("— no track —"))] + [(t.id, t.name) for t in listing.list_tracks(ctx.event)]
    )
    return form


def _session_data(ctx: Ctx, form: SessionForm) -> sessions.SessionData:
    """The form's values as the service takes them (times turned into UTC)."""
    people = [
        sessions.PersonData(
            name=entry.form.name.data or "",
            role=PersonRole(entry.form.role.data),
            organisation=entry.form.organisation.data or "",
            country=entry.form.country.data or "",
        )
        for entry in form.people
        if (entry.form.name.data or "").strip()
    ]
    return sessions.SessionData(
        title=form.title.data,
        kind=SessionKind(form.kind.data),
        starts_at=times.to_utc(ctx.event, form.starts_at.data, field="starts_at"),
        ends_at=times.to_utc(ctx.event, form.ends_at.data, field="ends_at"),
        room_id=form.room_id.data or None,
        track_id=form.track_id.data or None,
        description=form.description.data or "",
        seat_limit=form.seat_limit.data,
        people=people,
        translations=collect_translations(form, SESSION_TRANSLATED),
    )


def _to_manage(ctx: Ctx, session: ProgrammeSession):
    """Back to the organiser overview at the session, with its people's clashes flashed."""
    for warning in listing.session_warnings(ctx.event, session):
        flash(warning, "warning")
    return redirect(url_for(".manage", slug=ctx.slug) + f"#s{session.id}")


def _session_page(ctx: Ctx, form: SessionForm, session: ProgrammeSession | None):
    page = render_template(
        "agenda/session_form.html",
        event=ctx.event,
        form=form,
        session=session,
        warnings=listing.session_warnings(ctx.event, session) if session else [],
        zone=times.zone_label(ctx.event),
        signups=seats.signups_for(session) if session and session.pool else [],
        translation_inputs=translation_inputs,
    )
    return page, _status(form)


@bp.route("/events/<slug>/manage/programme/sessions/new", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def session_new(ctx: Ctx):
    """Add a session."""
    form = _session_form(ctx)
    done = ctx.submit(
        form, lambda: sessions.create_session(ctx.event, _session_data(ctx, form), now=ctx.now)
    )
    if done:
        flash(_("Session “%(title)s” added.", title=done.value.title), "success")
        return _to_manage(ctx, done.value)
    return _session_page(ctx, form, None)


@bp.route("/events/<slug>/manage/programme/sessions/<int:session_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def session_edit(ctx: Ctx, session_id: int):
    """Edit a session; after publishing, a real change is logged and calendars update."""
    session = ctx.get(ProgrammeSession, session_id)
    form = _session_form(ctx, session)
    done = ctx.submit(
        form,
        lambda: sessions.update_session(ctx.event, session, _session_data(ctx, form), now=ctx.now),
        subject=session,
    )
    if done:
        flash(_("Session saved.") if done.value else _("Nothing changed."), "success")
        return _to_manage(ctx, session)
    return _session_page(ctx, form, session)


def _cancel_session(ctx: Ctx, session: ProgrammeSession):
    asked = ctx.confirm(
        title=_("Cancel “%(title)s”?", title=session.title),
        consequences=sessions.cancel_session_consequences(ctx.event, session),
        confirm_label=_("Cancel the session and tell its delegates"),
        back=url_for(".manage", slug=ctx.slug) + f"#s{session.id}",
    )
    if asked is not None:
        return asked
    ctx.perform(
        lambda: sessions.cancel_session(ctx.event, session, now=ctx.now),
        subject=session,
        detail="cancel",
        success=_(
            "“%(title)s” is cancelled; it stays on the programme marked as cancelled.",
            title=session.title,
        ),
    )
    return redirect(url_for(".manage", slug=ctx.slug) + f"#s{session.id}")


def _reinstate_session(ctx: Ctx, session: ProgrammeSession):
    ctx.perform(
        lambda: sessions.reinstate_session(ctx.event, session, now=ctx.now),
        subject=session,
        detail="reinstate",
        success=_("“%(title)s” is back on the programme.", title=session.title),
    )
    return redirect(url_for(".manage", slug=ctx.slug) + f"#s{session.id}")


def _delete_session(ctx: Ctx, session: ProgrammeSession):
    title = session.title
    asked = ctx.confirm(
        title=_("Delete “%(title)s”?", title=title),
        consequences=sessions.delete_session_consequences(ctx.event, session),
        confirm_label=_("Delete the session"),
        back=url_for(".manage", slug=ctx.slug) + f"#s{session.id}",
    )
    if asked is not None:
        return asked
    ctx.perform(
        lambda: sessions.delete_session(ctx.event, session),
        subject=session,
        detail="delete",
        success=_("“%(title)s” was deleted.", title=title),
    )
    return redirect(url_for(".manage", slug=ctx.slug))


_SESSION_ACTIONS = {
    "cancel": _cancel_session,
    "reinstate": _reinstate_session,
    "delete": _delete_session,
}


@bp.post(
    "/events/<slug>/manage/programme/sessions/<int:session_id>"
    "/<any(cancel, reinstate, delete):action>"
)
@event_view(Access.ORGANISER)
def session_action(ctx: Ctx, session_id: int, action: str):
    """Cancel (asked first), reinstate or, before publishing, delete (asked first) a session."""
    session = ctx.get(ProgrammeSession, session_id)
    return _SESSION_ACTIONS[action](ctx, session)


@bp.get("/events/<slug>/manage/programme/export.csv")
@event_view(Access.ORGANISER)
def export_csv(ctx: Ctx):
    """Download the programme as CSV."""
    return Response(
        csvio.export_csv(ctx.event).encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{ctx.slug}-programme.csv"'},
    )


@bp.route("/events/<slug>/manage/programme/import", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def import_csv(ctx: Ctx):
    """Upload a programme CSV: every row is checked; all rows are applied or none."""
    form = ImportForm()
    upload = form.file.data if form.is_submitted() else None
    content = upload.read() if hasattr(upload, "read") else b""
    if content and runs_as_job(content) and form.validate_on_submit():
        # Long files go to a job (its page shows the progress, then the report) so that
        # the request answers at once instead of running into the server's timeout.
        started = ctx.perform(
            lambda: start_import(ctx.event, ctx.user, content, filename=upload.filename or "")
        )
        if started:
            return redirect(url_for("jobs.show", slug=ctx.slug, job_id=started.value.id))
    done = ctx.submit(form, lambda: csvio.import_csv(ctx.event, content, now=ctx.now))
    if done:
        flash(csvio.summary(done.value), "success")
        return redirect(url_for(".manage", slug=ctx.slug))
    page = render_template(
        "agenda/import.html",
        event=ctx.event,
        form=form,
        errors=getattr(done.error, "errors", []),
        columns=csvio.COLUMNS,
        zone=times.zone_label(ctx.event),
    )
    return page, _status(form)
