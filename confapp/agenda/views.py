"""Agenda pages: public programme, sessions, changes, personal agenda, feeds, organiser tools."""

from __future__ import annotations

import datetime as dt

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

from confapp.agenda import csvio
from confapp.agenda import display
from confapp.agenda import feeds
from confapp.agenda import personal
from confapp.agenda import services
from confapp.agenda.forms import ImportForm
from confapp.agenda.forms import RoomForm
from confapp.agenda.forms import SessionForm
from confapp.agenda.forms import TrackForm
from confapp.agenda.forms import choices
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.security import organiser_event
from confapp.security import safe_next_url
from confapp.urls import external_url

bp = Blueprint("agenda", __name__)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None):
    """Render Markdown safely in templates."""
    return display.render_markdown(text)


def _can_preview(event: Event) -> bool:
    return current_user.is_authenticated and current_user.is_staff(event)


def _programme_visible(event: Event) -> bool:
    return event.programme_published_at is not None or _can_preview(event)


def _session_or_404(event: Event, session_id: int) -> ProgrammeSession:
    session = services.get_session_or_none(event, session_id)
    if session is None or not _programme_visible(event):
        abort(404)
    return session


def _back(event: Event, session: ProgrammeSession | None = None) -> str:
    fallback = (
        url_for("agenda.session_detail", slug=event.slug, session_id=session.id)
        if session is not None
        else url_for("agenda.programme", slug=event.slug)
    )
    return safe_next_url(request.form.get("next"), fallback)


# --- public programme --------------------------------------------------------------------


@bp.get("/events/<slug>/programme")
def programme(slug: str):
    """The programme of one day: a room x time grid on wide screens, a list on phones."""
    event = get_event_or_404(slug, current_user)
    if not _programme_visible(event):
        return render_template("agenda/not_published.html", event=event)
    # Only a text search reads descriptions; the grid never shows them.
    loaded = services.load_programme_with(
        event, for_grid=True, with_descriptions=bool(request.args.get("q"))
    )
    rooms, tracks = loaded.rooms, loaded.tracks
    filters = display.Filters.from_args(request.args, rooms, [t.id for t in tracks])
    days = display.event_days(event)
    by_day: dict[dt.date, list[ProgrammeSession]] = {d: [] for d in days}
    for s in loaded.sessions:
        if filters.keep(s, loaded.people.get(s.id, ())):
            by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    day = _chosen_day(request.args.get("day"), days, by_day)
    registration = services.delegate_registration(event, current_user)
    starred, seats = set(), {}
    if registration is not None:
        starred, seats = _personal_marks(registration)
    return render_template(
        "agenda/programme.html",
        event=event,
        day=day,
        days=days,
        counts={d: len(v) for d, v in by_day.items()},
        grid=display.layout(by_day.get(day, []), rooms),
        rooms=rooms,
        tracks=tracks,
        people=loaded.people,
        kinds=list(SessionKind),
        filters=filters,
        registration=registration,
        starred=starred,
        seats=seats,
        zone=services.zone_label(event),
        preview=event.programme_published_at is None,
    )


def _chosen_day(value: str | None, days: list[dt.date], by_day: dict) -> dt.date:
    try:
        chosen = dt.date.fromisoformat(value or "")
    except ValueError:
        chosen = None
    if chosen in days:
        return chosen
    # With a search, open on the first day that has a match.
    return next((d for d in days if by_day.get(d)), days[0])


def _personal_marks(registration) -> tuple[set[int], dict[int, SeatStatus]]:
    import sqlalchemy as sa

    from confapp.agenda.models import SessionSignup
    from confapp.agenda.models import SessionStar

    starred = set(
        db.session.scalars(
            sa.select(SessionStar.session_id).where(SessionStar.registration_id == registration.id)
        )
    )
    seats = dict(
        db.session.execute(
            sa.select(SessionSignup.session_id, SessionSignup.status).where(
                SessionSignup.registration_id == registration.id,
                SessionSignup.status != SeatStatus.CANCELLED,
            )
        ).all()
    )
    return starred, seats


@bp.get("/events/<slug>/sessions/<int:session_id>")
def session_detail(slug: str, session_id: int):
    """A session: time, room, people, description, star and sign-up buttons."""
    event = get_event_or_404(slug, current_user)
    session = _session_or_404(event, session_id)
    registration = services.delegate_registration(event, current_user)
    starred, seats = (set(), {}) if registration is None else _personal_marks(registration)
    position = None
    if seats.get(session.id) is SeatStatus.WAITLISTED:
        queue = [s for s, _ in services.signups_for(session) if s.status is SeatStatus.WAITLISTED]
        position = next(
            (i + 1 for i, s in enumerate(queue) if s.registration_id == registration.id), None
        )
    return render_template(
        "agenda/session.html",
        event=event,
        session=session,
        registration=registration,
        starred=session.id in starred,
        seat=seats.get(session.id),
        queue_position=position,
        warnings=services.session_warnings(event, session) if _can_preview(event) else [],
        zone=services.zone_label(event, session.starts_at),
        now=utcnow(),
    )


@bp.get("/events/<slug>/programme/changes")
def changes(slug: str):
    """Every change since the programme was published, newest first."""
    event = get_event_or_404(slug, current_user)
    if not _programme_visible(event):
        return render_template("agenda/not_published.html", event=event)
    return render_template(
        "agenda/changes.html",
        event=event,
        changes=services.list_changes(event),
        zone=services.zone_label(event),
    )


# --- delegates ---------------------------------------------------------------------------


def _delegate_or_redirect(event: Event, session: ProgrammeSession | None):
    registration = services.delegate_registration(event, current_user)
    if registration is None:
        flash("Only delegates with a confirmed registration can build a personal agenda.", "error")
    return registration


@bp.post("/events/<slug>/sessions/<int:session_id>/star")
@login_required
def star(slug: str, session_id: int):
    """Star or unstar a session in the personal agenda."""
    event = get_event_or_404(slug, current_user)
    session = _session_or_404(event, session_id)
    registration = _delegate_or_redirect(event, session)
    if registration is None:
        return redirect(_back(event, session))
    try:
        starred = services.toggle_star(registration, session, utcnow())
        db.session.commit()
    except IntegrityError:
        # A double click raced itself; the first click won.
        db.session.rollback()
        starred = True
    flash(f"“{session.title}” {'added to' if starred else 'removed from'} your agenda.", "success")
    return redirect(_back(event, session))


@bp.post("/events/<slug>/sessions/<int:session_id>/signup")
@login_required
def signup(slug: str, session_id: int):
    """Take a seat in a limited-seat session, or join its waiting list."""
    event = get_event_or_404(slug, current_user)
    session = _session_or_404(event, session_id)
    registration = _delegate_or_redirect(event, session)
    if registration is None:
        return redirect(_back(event, session))
    try:
        holder = services.signup(event, session, registration, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_back(event, session))
    except IntegrityError:
        db.session.rollback()
        flash("You are already signed up.", "info")
        return redirect(_back(event, session))
    if holder.status is SeatStatus.CONFIRMED:
        flash(
            f"Your seat at “{session.title}” is confirmed. A calendar file is in your e-mail.",
            "success",
        )
    else:
        flash(
            f"“{session.title}” is full: you are on the waiting list "
            "and will get an e-mail if a seat frees up.",
            "warning",
        )
    return redirect(_back(event, session))


@bp.post("/events/<slug>/sessions/<int:session_id>/cancel")
@login_required
def cancel_signup(slug: str, session_id: int):
    """Give up a seat or a waiting-list place."""
    event = get_event_or_404(slug, current_user)
    session = _session_or_404(event, session_id)
    registration = _delegate_or_redirect(event, session)
    if registration is None:
        return redirect(_back(event, session))
    try:
        services.cancel_signup(event, session, registration, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_back(event, session))
    flash(f"You are no longer signed up for “{session.title}”.", "success")
    return redirect(_back(event, session))


@bp.get("/events/<slug>/my-agenda")
@login_required
def my_agenda(slug: str):
    """Starred and signed-up sessions in time order, clashes highlighted, calendar links."""
    event = get_event_or_404(slug, current_user)
    registration = services.delegate_registration(event, current_user)
    if registration is None:
        return render_template(
            "agenda/my_agenda.html", event=event, registration=None, items=[]
        ), 403
    feed_url = webcal_url = None
    if registration.calendar_token:
        feed_url = external_url(
            "agenda.personal_ics", slug=event.slug, token=registration.calendar_token
        )
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render_template(
        "agenda/my_agenda.html",
        event=event,
        registration=registration,
        items=services.my_agenda(event, registration),
        feed_url=feed_url,
        webcal_url=webcal_url,
        zone=services.zone_label(event),
        published=event.programme_published_at is not None,
    )


@bp.post("/events/<slug>/my-agenda/calendar")
@login_required
def calendar_link(slug: str):
    """Create the personal calendar link, or replace it (the old one stops working)."""
    event = get_event_or_404(slug, current_user)
    registration = services.delegate_registration(event, current_user)
    if registration is None:
        abort(403)
    had = bool(registration.calendar_token)
    services.reset_calendar_token(registration)
    db.session.commit()
    flash(
        (
            "Your calendar link was reset: calendars using the old link will stop updating; "
            "subscribe again with the new one."
        )
        if had
        else "Your personal calendar link is ready.",
        "success",
    )
    return redirect(url_for("agenda.my_agenda", slug=event.slug) + "#calendar")


# --- calendar feeds ----------------------------------------------------------------------


def _published_or_404(event: Event) -> None:
    if event.programme_published_at is None:
        abort(404)


@bp.get("/events/<slug>/programme.ics")
def programme_ics(slug: str):
    """The whole published programme as iCalendar."""
    event = get_event_or_404(slug, None)
    _published_or_404(event)
    return feeds.respond(feeds.programme_feed(event), f"{event.slug}.ics")


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int):
    """One session as iCalendar."""
    event = get_event_or_404(slug, None)
    _published_or_404(event)
    session = services.get_session_or_none(event, session_id)
    if session is None:
        abort(404)
    return feeds.respond(
        feeds.session_feed(event, session), f"{event.slug}-session-{session.id}.ics"
    )


@bp.get("/events/<slug>/calendar/<token>.ics")
def personal_ics(slug: str, token: str):
    """A delegate's own sessions at a secret, resettable URL (no sign-in: calendar apps poll it)."""
    event = get_event_or_404(slug, None)
    registration = services.registration_by_calendar_token(event, token)
    if registration is None:
        abort(404)
    sessions = (
        services.personal_sessions(event, registration) if event.programme_published_at else []
    )
    extra = [entry.cal_item for entry in personal.personal_entries(event, registration)]
    return feeds.respond(
        feeds.personal_feed(event, sessions, registration.full_name, extra),
        f"{event.slug}-my-agenda.ics",
        private=True,
    )


# --- organiser ---------------------------------------------------------------------------


@bp.get("/events/<slug>/manage/programme")
def manage(slug: str):
    """Organiser overview: sessions by day, rooms, tracks, publishing, import/export."""
    event = organiser_event(slug)
    sessions = services.load_programme(event)
    by_day: dict[dt.date, list[ProgrammeSession]] = {}
    for s in sessions:
        by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    clashes = services.person_clashes(sessions)
    clashing = {c.first.id for c in clashes} | {c.second.id for c in clashes}
    return render_template(
        "agenda/manage.html",
        event=event,
        by_day=by_day,
        rooms=services.list_rooms(event),
        tracks=services.list_tracks(event),
        clashing=clashing,
        clash_count=len(clashes),
        zone=services.zone_label(event),
    )


@bp.post("/events/<slug>/manage/programme/publish")
def publish(slug: str):
    """Publish the programme; from now on every change is listed publicly."""
    event = organiser_event(slug)
    try:
        services.publish_programme(event, utcnow())
        db.session.commit()
        flash(
            "The programme is published. Changes from now on appear on the public changes page.",
            "success",
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("agenda.manage", slug=event.slug))


@bp.get("/events/<slug>/manage/programme/health")
def health(slug: str):
    """Agenda health: people in two places at once, sessions without a room, full workshops."""
    event = organiser_event(slug)
    return render_template(
        "agenda/health.html",
        event=event,
        report=services.health(event),
        zone=services.zone_label(event),
    )


@bp.route("/events/<slug>/manage/programme/rooms", methods=["GET", "POST"])
def rooms(slug: str):
    """List rooms and add one."""
    event = organiser_event(slug)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            services.create_room(
                event,
                name=form.name.data,
                capacity=form.capacity.data,
                location=form.location.data or "",
            )
            db.session.commit()
            flash(f"Room {form.name.data} added.", "success")
            return redirect(url_for("agenda.rooms", slug=event.slug))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template(
        "agenda/rooms.html", event=event, form=form, rooms=services.list_rooms(event)
    ), (422 if form.errors else 200)


@bp.route("/events/<slug>/manage/programme/rooms/<int:room_id>", methods=["GET", "POST"])
def room_edit(slug: str, room_id: int):
    """Edit a room."""
    event = organiser_event(slug)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        abort(404)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            services.update_room(
                event,
                room,
                name=form.name.data,
                capacity=form.capacity.data,
                location=form.location.data or "",
                now=utcnow(),
            )
            db.session.commit()
            flash("Room saved.", "success")
            return redirect(url_for("agenda.rooms", slug=event.slug))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template("agenda/room_edit.html", event=event, form=form, room=room), (
        422 if form.errors else 200
    )


@bp.route("/events/<slug>/manage/programme/tracks", methods=["GET", "POST"])
def tracks(slug: str):
    """List tracks and add one."""
    event = organiser_event(slug)
    form = TrackForm()
    if form.validate_on_submit():
        try:
            services.create_track(event, name=form.name.data, colour=form.colour.data)
            db.session.commit()
            flash(f"Track {form.name.data} added.", "success")
            return redirect(url_for("agenda.tracks", slug=event.slug))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template(
        "agenda/tracks.html", event=event, form=form, tracks=services.list_tracks(event)
    ), (422 if form.errors else 200)


@bp.route("/events/<slug>/manage/programme/tracks/<int:track_id>", methods=["GET", "POST"])
def track_edit(slug: str, track_id: int):
    """Edit a track."""
    event = organiser_event(slug)
    track = db.session.get(Track, track_id)
    if track is None or track.event_id != event.id:
        abort(404)
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        try:
            services.update_track(event, track, name=form.name.data, colour=form.colour.data)
            db.session.commit()
            flash("Track saved.", "success")
            return redirect(url_for("agenda.tracks", slug=event.slug))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template("agenda/track_edit.html", event=event, form=form, track=track), (
        422 if form.errors else 200
    )


def _form_error(form, exc: DomainError) -> None:
    """Show a service's refusal next to its field (or above the form)."""
    field = getattr(form, exc.field, None) if exc.field and exc.field != "people" else None
    if field is not None and hasattr(field, "errors"):
        field.errors = (
            [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
        )
    else:
        form.form_errors.append(exc.message)


def _session_form(event: Event, session: ProgrammeSession | None = None) -> SessionForm:
    form = SessionForm()
    if session is not None and request.method == "GET":
        form.title.data = session.title
        form.kind.data = session.kind.value
        form.starts_at.data = event.local(session.starts_at).replace(tzinfo=None)
        form.ends_at.data = event.local(session.ends_at).replace(tzinfo=None)
        form.room_id.data = session.room_id or 0
        form.track_id.data = session.track_id or 0
        form.description.data = session.description
        form.seat_limit.data = session.pool.capacity if session.pool else None
        while len(form.people.entries):
            form.people.pop_entry()
        for p in session.people:
            form.people.append_entry(
                {
                    "name": p.name,
                    "role": p.role.value,
                    "organisation": p.organisation,
                    "country": p.country,
                }
            )
        for _ in range(max(2, 4 - len(session.people))):
            form.people.append_entry()
    elif session is None and request.method == "GET":
        form.starts_at.data = dt.datetime.combine(event.starts_on, dt.time(9, 0))
        form.ends_at.data = dt.datetime.combine(event.starts_on, dt.time(10, 0))
    form.room_id.choices = choices(
        [(0, "— no room —")] + [(r.id, r.name) for r in services.list_rooms(event)]
    )
    form.track_id.choices = choices(
        [(0, "— no track —")] + [(t.id, t.name) for t in services.list_tracks(event)]
    )
    return form


def _session_data(event: Event, form: SessionForm) -> services.SessionData:
    people = [
        services.PersonData(
            name=entry.form.name.data or "",
            role=PersonRole(entry.form.role.data),
            organisation=entry.form.organisation.data or "",
            country=entry.form.country.data or "",
        )
        for entry in form.people
        if (entry.form.name.data or "").strip()
    ]
    return services.SessionData(
        title=form.title.data,
        kind=SessionKind(form.kind.data),
        starts_at=services.to_utc(event, form.starts_at.data, field="starts_at"),
        ends_at=services.to_utc(event, form.ends_at.data, field="ends_at"),
        room_id=form.room_id.data or None,
        track_id=form.track_id.data or None,
        description=form.description.data or "",
        seat_limit=form.seat_limit.data,
        people=people,
    )


@bp.route("/events/<slug>/manage/programme/sessions/new", methods=["GET", "POST"])
def session_new(slug: str):
    """Add a session."""
    event = organiser_event(slug)
    form = _session_form(event)
    if form.validate_on_submit():
        try:
            session = services.create_session(event, _session_data(event, form), now=utcnow())
            db.session.commit()
            flash(f"Session “{session.title}” added.", "success")
            for warning in services.session_warnings(event, session):
                flash(warning, "warning")
            return redirect(url_for("agenda.manage", slug=event.slug) + f"#s{session.id}")
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template(
        "agenda/session_form.html",
        event=event,
        form=form,
        session=None,
        zone=services.zone_label(event),
    ), (422 if form.errors or form.form_errors else 200)


@bp.route("/events/<slug>/manage/programme/sessions/<int:session_id>", methods=["GET", "POST"])
def session_edit(slug: str, session_id: int):
    """Edit a session; after publishing, the change is logged and calendars update."""
    event = organiser_event(slug)
    session = services.get_session_or_none(event, session_id)
    if session is None:
        abort(404)
    form = _session_form(event, session)
    if form.validate_on_submit():
        try:
            changed = services.update_session(
                event, session, _session_data(event, form), now=utcnow()
            )
            db.session.commit()
            flash("Session saved." if changed else "Nothing changed.", "success")
            for warning in services.session_warnings(event, session):
                flash(warning, "warning")
            return redirect(url_for("agenda.manage", slug=event.slug) + f"#s{session.id}")
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
    return render_template(
        "agenda/session_form.html",
        event=event,
        form=form,
        session=session,
        warnings=services.session_warnings(event, session),
        zone=services.zone_label(event),
        signups=services.signups_for(session) if session.pool else [],
    ), (422 if form.errors or form.form_errors else 200)


@bp.post(
    "/events/<slug>/manage/programme/sessions/<int:session_id>"
    "/<any(cancel, reinstate, delete):action>"
)
def session_action(slug: str, session_id: int, action: str):
    """Cancel, reinstate or (before publishing) delete a session."""
    event = organiser_event(slug)
    session = services.get_session_or_none(event, session_id)
    if session is None:
        abort(404)
    title = session.title
    try:
        if action == "cancel":
            services.cancel_session(event, session, now=utcnow())
        elif action == "reinstate":
            services.reinstate_session(event, session, now=utcnow())
        else:
            services.delete_session(event, session)
        db.session.commit()
        flash(
            {
                "cancel": f"“{title}” is cancelled; it stays on the programme marked as cancelled.",
                "reinstate": f"“{title}” is back on the programme.",
                "delete": f"“{title}” was deleted.",
            }[action],
            "success",
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("agenda.manage", slug=event.slug))


@bp.get("/events/<slug>/manage/programme/export.csv")
def export_csv(slug: str):
    """Download the programme as CSV."""
    event = organiser_event(slug)
    return Response(
        csvio.export_csv(event).encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-programme.csv"'},
    )


@bp.route("/events/<slug>/manage/programme/import", methods=["GET", "POST"])
def import_csv(slug: str):
    """Upload a programme CSV: every row is checked; all rows are applied or none."""
    event = organiser_event(slug)
    form = ImportForm()
    errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        try:
            result = csvio.import_csv(event, form.file.data.read(), now=utcnow())
            db.session.commit()
            flash(
                f"Imported: {result['created']} added, {result['updated']} updated, "
                f"{result['unchanged']} unchanged.",
                "success",
            )
            return redirect(url_for("agenda.manage", slug=event.slug))
        except csvio.ImportFailed as exc:
            db.session.rollback()
            errors = exc.errors
            form.form_errors.append(exc.message)
    status = 422 if (errors or form.errors) else 200
    return render_template(
        "agenda/import.html",
        event=event,
        form=form,
        errors=errors,
        columns=csvio.COLUMNS,
        zone=services.zone_label(event),
    ), status
