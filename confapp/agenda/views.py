"""Agenda pages: public programme, sessions, changes, personal agenda, feeds; the organisers'
tools are in manage_views.py, on this module's blueprint.

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
from confapp.agenda import display
from confapp.agenda import feeds
from confapp.agenda import programme as listing
from confapp.agenda import seats
from confapp.agenda import stars
from confapp.agenda import times
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.multilingual import tr
from confapp.security import safe_next_url
from confapp.urls import external_url
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
