"""Agenda pages: public programme, sessions, changes, personal agenda, feeds, organiser tools.

Every route runs through the request lifecycle (:mod:`confapp.web.lifecycle`): the event
and the caller come from ``ctx``, ids from the URL through ``ctx.get``, and each action is
one service call run by ``ctx.perform``/``ctx.submit``, which logs and commits it.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from confapp.agenda import changes as change_log
from confapp.agenda import csvio
from confapp.agenda import display
from confapp.agenda import feeds
from confapp.agenda import programme as listing
from confapp.agenda import rooms as venue
from confapp.agenda import seats
from confapp.agenda import sessions
from confapp.agenda import stars
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
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.multilingual import tr
from confapp.security import safe_next_url
from confapp.urls import external_url
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from confapp.web.forms import translation_inputs
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("agenda", __name__)

_TEAM = {"organiser", "staff", "admin"}


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    """Render Markdown safely in templates."""
    return display.render_markdown(text)


@bp.app_template_filter("change_text")
def change_text_filter(change, event=None) -> str:
    """A change's summary without repeating its kind, which its badge shows, in the reader's
    language."""
    return display.change_text(change, event)


@bp.app_template_filter("change_kind")
def change_kind_filter(change) -> str:
    """A change's kind, for its badge, in the reader's language."""
    return display.change_kind(change)


# Kinds of the other features' entries in My agenda (confapp.agenda.personal).
_ENTRY_KINDS = {"meeting": _l("Networking meeting"), "visit": _l("Cluster visit")}


@bp.app_template_filter("entry_kind")
def entry_kind_filter(kind: str) -> str:
    """The kind of a meeting or visit entry in My agenda, in the reader's language."""
    return str(_ENTRY_KINDS.get(kind, kind))


@bp.app_template_filter("isotime")
def isotime_filter(moment: dt.datetime | None) -> str:
    """A moment for ``<time datetime>``: UTC to the second (HTML allows no microseconds)."""
    return display.iso_utc(moment)


def _team(ctx: Ctx) -> bool:
    return ctx.role in _TEAM


def _shown(ctx: Ctx) -> bool:
    """The programme is public once published; before that only the event team sees it."""
    return ctx.event.programme_published_at is not None or _team(ctx)


def _require_shown(ctx: Ctx) -> None:
    if not _shown(ctx):
        raise NotFound(_("The programme is not published yet."))


def _back(ctx: Ctx, session: ProgrammeSession) -> str:
    """Where a delegate's button returns to: the page it was on, at the session's card."""
    fallback = url_for(".session_detail", slug=ctx.slug, session_id=session.id)
    target = safe_next_url(request.form.get("next"), fallback).split("#", 1)[0]
    return f"{target}#session-{session.id}"


def _delegate(ctx: Ctx):
    """The caller's confirmed registration, or None with a message saying why not."""
    registration = stars.delegate_registration(ctx.event, ctx.user)
    if registration is None:
        flash(
            _("Only delegates with a confirmed registration can build a personal agenda."),
            "error",
        )
    return registration


# --- public programme --------------------------------------------------------------------


@bp.get("/events/<slug>/programme")
@event_view(Access.PUBLIC)
def programme(ctx: Ctx):
    """The programme of one day: a room x time grid on wide screens, a list on phones."""
    if not _shown(ctx):
        return render_template("agenda/not_published.html", event=ctx.event)
    registration = stars.delegate_registration(ctx.event, ctx.user)
    page = display.programme_page(ctx.event, request.args, registration)
    return render_template(
        "agenda/programme.html",
        event=ctx.event,
        registration=registration,
        preview=ctx.event.programme_published_at is None,
        **page,
    )


@bp.get("/events/<slug>/sessions/<int:session_id>")
@event_view(Access.PUBLIC)
def session_detail(ctx: Ctx, session_id: int):
    """A session: time, room, people, description, star and sign-up buttons."""
    _require_shown(ctx)
    session = ctx.get(ProgrammeSession, session_id)
    registration = stars.delegate_registration(ctx.event, ctx.user)
    return render_template(
        "agenda/session.html",
        event=ctx.event,
        session=session,
        registration=registration,
        warnings=listing.session_warnings(ctx.event, session) if _team(ctx) else [],
        zone=times.zone_label(ctx.event, session.starts_at),
        now=ctx.now,
        **stars.personal_state(session, registration),
    )


@bp.get("/events/<slug>/programme/changes")
@event_view(Access.PUBLIC)
def changes(ctx: Ctx):
    """Every change since the programme was published, newest first."""
    if not _shown(ctx):
        return render_template("agenda/not_published.html", event=ctx.event)
    return render_template(
        "agenda/changes.html",
        event=ctx.event,
        changes=change_log.list_changes(ctx.event),
        zone=times.zone_label(ctx.event),
    )


# --- delegates ---------------------------------------------------------------------------


@bp.post("/events/<slug>/sessions/<int:session_id>/star")
@event_view(Access.SIGNED_IN)
def star(ctx: Ctx, session_id: int):
    """Star or unstar a session in the personal agenda (``star=1``/``0``; none: toggle)."""
    _require_shown(ctx)
    session = ctx.get(ProgrammeSession, session_id)
    registration = _delegate(ctx)
    wanted = {"1": True, "0": False}.get(request.form.get("star", ""))
    if registration is not None:
        done = ctx.perform(lambda: stars.set_star(registration, session, wanted, ctx.now))
        if done:
            title = tr(session, "title")
            if done.value:
                flash(_("“%(title)s” added to your agenda.", title=title), "success")
            else:
                flash(_("“%(title)s” removed from your agenda.", title=title), "success")
    return redirect(_back(ctx, session))


def _signup_message(session: ProgrammeSession, status: SeatStatus) -> tuple[str, str]:
    title = tr(session, "title")
    if status is SeatStatus.CONFIRMED:
        return (
            _(
                "Your seat at “%(title)s” is confirmed. A calendar file is in your e-mail.",
                title=title,
            ),
            "success",
        )
    return (
        _(
            "“%(title)s” is full: you are on the waiting list "
            "and will get an e-mail if a seat frees up.",
            title=title,
        ),
        "warning",
    )


@bp.post("/events/<slug>/sessions/<int:session_id>/signup")
@event_view(Access.SIGNED_IN, log=True)
def signup(ctx: Ctx, session_id: int):
    """Take a seat in a limited-seat session, or join its waiting list."""
    _require_shown(ctx)
    session = ctx.get(ProgrammeSession, session_id)
    registration = _delegate(ctx)
    if registration is not None:
        done = ctx.perform(
            lambda: seats.signup(ctx.event, session, registration, now=ctx.now),
            subject=session,
        )
        if done:
            flash(*_signup_message(session, done.value.status))
    return redirect(_back(ctx, session))


@bp.post("/events/<slug>/sessions/<int:session_id>/cancel")
@event_view(Access.SIGNED_IN, log=True)
def cancel_signup(ctx: Ctx, session_id: int):
    """Give up a seat or a waiting-list place (a single POST: the seat passes on)."""
    _require_shown(ctx)
    session = ctx.get(ProgrammeSession, session_id)
    registration = _delegate(ctx)
    if registration is not None:
        ctx.perform(
            lambda: seats.cancel_signup(ctx.event, session, registration, now=ctx.now),
            subject=session,
            success=_("You are no longer signed up for “%(title)s”.", title=tr(session, "title")),
        )
    return redirect(_back(ctx, session))


@bp.get("/events/<slug>/my-agenda")
@event_view(Access.SIGNED_IN)
def my_agenda(ctx: Ctx):
    """Starred and signed-up sessions in time order, clashes highlighted, calendar links."""
    registration = stars.delegate_registration(ctx.event, ctx.user)
    if registration is None:
        page = render_template("agenda/my_agenda.html", event=ctx.event, registration=None)
        return page, 403
    return render_template(
        "agenda/my_agenda.html",
        event=ctx.event,
        registration=registration,
        items=stars.my_agenda(ctx.event, registration),
        zone=times.zone_label(ctx.event),
        published=ctx.event.programme_published_at is not None,
        **_feed_links(ctx, registration),
    )


def _feed_links(ctx: Ctx, registration) -> dict[str, str | None]:
    if not registration.calendar_token:
        return {"feed_url": None, "webcal_url": None}
    feed_url = external_url("agenda.personal_ics", slug=ctx.slug, token=registration.calendar_token)
    return {"feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[1]}


@bp.post("/events/<slug>/my-agenda/calendar")
@event_view(Access.SIGNED_IN)
def calendar_link(ctx: Ctx):
    """Create the personal calendar link, or replace it (the old one stops working)."""
    registration = stars.delegate_registration(ctx.event, ctx.user)
    if registration is None:
        raise NotAllowed(_("Only delegates with a confirmed registration have a calendar link."))
    had = bool(registration.calendar_token)
    ctx.perform(
        lambda: stars.reset_calendar_token(registration),
        success=(
            _(
                "Your calendar link was reset: calendars using the old link will stop updating; "
                "subscribe again with the new one."
            )
        )
        if had
        else _("Your personal calendar link is ready."),
    )
    return redirect(url_for(".my_agenda", slug=ctx.slug) + "#calendar")


# --- calendar feeds ----------------------------------------------------------------------


def calendar_response(feed: feeds.Feed, filename: str, *, private: bool = False) -> Response:
    """Serve a feed with ETag and Last-Modified; answer conditional requests with 304."""
    response = Response(feed.body, mimetype="text/calendar")
    response.charset = "utf-8"
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = (
        "private" if private else "public"
    ) + ", max-age=0, must-revalidate"
    if private:
        # A secret URL must not leak through logs of third-party referrers.
        response.headers["Referrer-Policy"] = "no-referrer"
    return response.make_conditional(request)


def _require_published(ctx: Ctx) -> None:
    # Calendar apps are never signed in: feeds exist only once the programme is public.
    if ctx.event.programme_published_at is None:
        raise NotFound(_("The programme is not published yet."))


@bp.get("/events/<slug>/programme.ics")
@event_view(Access.PUBLIC)
def programme_ics(ctx: Ctx):
    """The whole published programme as iCalendar, in the page's language (``?lang=fr``)."""
    _require_published(ctx)
    return calendar_response(feeds.programme_feed(ctx.event), f"{ctx.slug}.ics")


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
@event_view(Access.PUBLIC)
def session_ics(ctx: Ctx, session_id: int):
    """One session as iCalendar."""
    _require_published(ctx)
    session = ctx.get(ProgrammeSession, session_id)
    feed = feeds.session_feed(ctx.event, session)
    return calendar_response(feed, f"{ctx.slug}-session-{session.id}.ics")


@bp.get("/events/<slug>/calendar/<token>.ics")
@event_view(Access.PUBLIC)
def personal_ics(ctx: Ctx, token: str):
    """A delegate's own sessions at a secret, resettable URL (no sign-in: calendar apps poll
    it), in the delegate's language."""
    registration = stars.registration_by_calendar_token(ctx.event, token)
    if registration is None:
        raise NotFound(_("There is no calendar at this address."))
    with force_language(language_of(registration, ctx.event)):
        feed = stars.personal_calendar(ctx.event, registration)
    return calendar_response(feed, f"{ctx.slug}-my-agenda.ics", private=True)


# --- organiser ---------------------------------------------------------------------------


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
