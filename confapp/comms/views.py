"""Organisers write and send announcements; delegates read them, dismiss the banner and
unsubscribe with one click."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectChoice

from confapp.comms import previews
from confapp.comms import render
from confapp.comms import segments
from confapp.comms import services
from confapp.comms.forms import compose_form
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementStatus
from confapp.errors import ValidationFailed
from confapp.i18n import current_language
from confapp.i18n import format_local
from confapp.registration.services import get_registration
from confapp.security import safe_next_url
from confapp.urls import external_url
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.lifecycle import form_error
from confapp.web.params import parse_int

bp = Blueprint("comms", __name__)
LISTED = 500  # recipients listed on the compose page (the count is always exact)
STATUS_LABELS = {
    "scheduled": _l("Scheduled"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "cancelled": _l("Cancelled"),
}
DELIVERY_LABELS = {
    "queued": _l("Queued"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "opted_out": _l("Opted out"),
}


# --- organisers --------------------------------------------------------------------------


@bp.get("/events/<slug>/manage/announcements")
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """Every announcement of the event: scheduled, sending, sent, cancelled."""
    announcements = services.announcements_of(ctx.event)
    return render_template(
        "comms/manage.html",
        event=ctx.event,
        announcements=announcements,
        counts={a.id: services.counts(a) for a in announcements},
        status_labels=STATUS_LABELS,
    )


def _preview_context(ctx: Ctx, form) -> dict:
    """Check the form's draft; the recipients, their count and one person's preview."""
    checked = services.check(ctx.event, form.draft(ctx.event), ctx.now)
    people = segments.registrations(ctx.event, checked.segment) if checked.email else []
    form.preview_as.choices = [
        SelectChoice(str(r.id), f"{r.full_name} <{r.email}>") for r in people[:LISTED]
    ]
    chosen = parse_int(form.preview_as.data)
    reader = next((r for r in people if r.id == chosen), people[0] if people else None)
    if reader is not None:
        form.preview_as.data = str(reader.id)
    return {
        "checked": checked,
        "people": people,
        "reader": reader,
        "preview": services.preview(ctx.event, checked, reader),
        "conditions": segments.describe(checked.segment, ctx.event),
    }


@bp.route("/events/<slug>/manage/announcements/new", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def compose(ctx: Ctx):
    """Write an announcement; count, list and preview its recipients; test; send or schedule."""
    form = compose_form(ctx.event)
    action = request.form.get("action", "preview")
    context: dict = {}
    if request.method == "POST" and form.validate_on_submit():
        if action == "send":
            done = ctx.perform(
                lambda: services.create(
                    ctx.event, form.draft(ctx.event), user=ctx.user, now=ctx.now
                ),
                form=form,
            )
            if done:
                _flash_sent(ctx, done.value)
                return redirect(url_for(".record", slug=ctx.slug, announcement_id=done.value.id))
        else:
            try:
                context = _preview_context(ctx, form)
            except ValidationFailed as exc:
                form_error(form, exc)
            else:
                if action == "test":
                    checked, reader = context["checked"], context["reader"]
                    ctx.perform(
                        lambda: services.send_test(ctx.event, checked, reader, ctx.user),
                        success=_(
                            "A test message is on its way to %(email)s.", email=ctx.user.email
                        ),
                        detail="test",
                    )
    return render_template(
        "comms/compose.html",
        event=ctx.event,
        form=form,
        action=action,
        placeholders=render.PLACEHOLDERS,
        listed=LISTED,
        **context,
    )


def _flash_sent(ctx: Ctx, announcement: Announcement) -> None:
    from flask import flash

    if announcement.status is AnnouncementStatus.SCHEDULED:
        flash(
            _(
                "The announcement is scheduled for %(time)s.",
                time=format_local(announcement.send_at, ctx.event),
            ),
            "success",
        )
    elif announcement.email:
        count = announcement.recipient_count
        flash(
            ngettext(
                "The announcement is on its way to %(num)d person.",
                "The announcement is on its way to %(num)d people.",
                count,
            ),
            "success",
        )
    else:
        flash(_("The announcement is published."), "success")


@bp.get("/events/<slug>/manage/announcements/<int:announcement_id>")
@event_view(Access.ORGANISER)
def record(ctx: Ctx, announcement_id: int):
    """What was sent, by whom, when, to which segment, and each recipient's delivery."""
    announcement = ctx.get(Announcement, announcement_id)
    default = ctx.event.default_language
    subjects = {default: announcement.subject, **(announcement.subject_i18n or {})}
    bodies = {default: announcement.body, **(announcement.body_i18n or {})}
    return render_template(
        "comms/record.html",
        texts=list(subjects.items()),
        bodies=bodies,
        status_labels=STATUS_LABELS,
        delivery_labels=DELIVERY_LABELS,
        event=ctx.event,
        announcement=announcement,
        counts=services.counts(announcement),
        recipients=services.recipients_of(announcement),
        conditions=segments.describe(announcement.segment, ctx.event),
        delivery_status=services.delivery_status,
    )


@bp.get("/events/<slug>/manage/announcements/<int:announcement_id>.csv")
@event_view(Access.ORGANISER)
def record_csv(ctx: Ctx, announcement_id: int):
    """The record as CSV."""
    announcement = ctx.get(Announcement, announcement_id)
    return Response(
        services.record_csv(announcement),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{ctx.slug}-announcement-{announcement.id}.csv"'
            )
        },
    )


@bp.post("/events/<slug>/manage/announcements/<int:announcement_id>/cancel")
@event_view(Access.ORGANISER)
def cancel(ctx: Ctx, announcement_id: int):
    """Cancel a scheduled announcement (it never leaves)."""
    announcement = ctx.get(Announcement, announcement_id)
    back = url_for(".record", slug=ctx.slug, announcement_id=announcement.id)
    if announcement.status is AnnouncementStatus.SCHEDULED:  # else the service says why not
        consequences = [
            _(
                "It will not be sent at %(time)s (%(zone)s): nobody receives it.",
                time=format_local(announcement.send_at, ctx.event),
                zone=ctx.event.timezone,
            )
        ]
        if announcement.publish:
            consequences.append(_("It will not appear on the event's pages."))
        consequences.append(
            _("Its record stays. To send it later after all, write it again and schedule it.")
        )
        asked = ctx.confirm(
            title=_("Cancel “%(subject)s”?", subject=announcement.subject),
            consequences=consequences,
            confirm_label=_("Cancel this announcement"),
            back=back,
        )
        if asked is not None:
            return asked
    ctx.perform(
        lambda: services.cancel(announcement, ctx.now),
        subject=announcement,
        success=_("The announcement is cancelled: it will not be sent."),
    )
    return redirect(back)


# --- delegates and the public ---------------------------------------------------------------


def page_text(announcement: Announcement, registration) -> render.Rendered:
    """An announcement as this page's reader sees it (placeholders from their registration)."""
    return render.render_for(
        announcement,
        registration,
        previews.visit_of(announcement),
        language=current_language(),
    )


@bp.get("/events/<slug>/announcements")
@event_view(Access.PUBLIC)
def announcements(ctx: Ctx):
    """The event's published announcements, newest first, in the reader's language."""
    registration = get_registration(ctx.event, ctx.user) if ctx.user else None
    items = services.published(ctx.event)
    return render_template(
        "comms/announcements.html",
        event=ctx.event,
        items=[(a, page_text(a, registration)) for a in items],
        registration=registration,
        opted_out=services.is_opted_out(registration) if registration else False,
    )


@bp.get("/events/<slug>/announcements.atom")
@event_view(Access.PUBLIC)
def feed(ctx: Ctx):
    """The published announcements as an Atom feed (RFC 4287)."""
    items = services.published(ctx.event, limit=50)
    body = render_template(
        "comms/feed.xml",
        event=ctx.event,
        # The HTML as plain text: escaped once into the <content type="html"> element.
        items=[(a, text, str(text.html)) for a in items for text in [page_text(a, None)]],
        feed_url=external_url("comms.feed", slug=ctx.slug),
        page_url=external_url("comms.announcements", slug=ctx.slug),
        updated=items[0].published_at if items else ctx.event.created_at,
        language=current_language(),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.post("/events/<slug>/announcements/<int:announcement_id>/dismiss")
@event_view(Access.SIGNED_IN, log=False)
def dismiss(ctx: Ctx, announcement_id: int):
    """Hide an announcement's banner for the signed-in person."""
    announcement = ctx.get(Announcement, announcement_id)
    if announcement.published_at is not None:
        ctx.perform(lambda: services.dismiss(announcement, ctx.user, ctx.now))
    back = url_for("events.detail", slug=ctx.slug)
    return redirect(safe_next_url(request.form.get("next"), back))


@bp.post("/events/<slug>/announcements/preferences")
@event_view(Access.SIGNED_IN, log=True)
def preferences(ctx: Ctx):
    """A delegate stops or resumes announcements by e-mail (service messages always go)."""
    registration = get_registration(ctx.event, ctx.user)
    if registration is not None:
        if request.form.get("receive") == "yes":
            ctx.perform(
                lambda: services.opt_in(registration),
                success=_("You will receive the organisers' announcements by e-mail again."),
            )
        else:
            ctx.perform(
                lambda: services.opt_out(registration, ctx.now),
                success=_("You will receive no more announcements by e-mail."),
            )
    return redirect(url_for(".announcements", slug=ctx.slug))


@bp.route("/events/<slug>/unsubscribe/<token>", methods=["GET", "POST"])
@event_view(Access.PUBLIC, log=True)
def unsubscribe(ctx: Ctx, token: str):
    """One-click unsubscribe, signed and without signing in: GET asks, POST does it (mail
    clients POST ``List-Unsubscribe=One-Click`` here, RFC 8058)."""
    registration = services.registration_for_token(token, ctx.event)
    done = None
    if request.method == "POST":
        if request.form.get("receive") == "yes":
            ctx.perform(lambda: services.opt_in(registration))
            done = "resubscribed"
        else:
            ctx.perform(lambda: services.opt_out(registration, ctx.now))
            done = "unsubscribed"
    return render_template(
        "comms/unsubscribe.html",
        event=ctx.event,
        token=token,
        done=done,
        opted_out=services.is_opted_out(registration),
    )


def register_template_helpers(app) -> None:
    """The banner of the newest announcement for signed-in delegates (base.html)."""
    from flask_login import current_user

    def banner(event):
        if event is None or not current_user.is_authenticated:
            return None
        announcement = services.banner_for(event, current_user)
        if announcement is None:
            return None
        return announcement, page_text(announcement, None)

    def latest(event, limit: int = 3):
        registration = (
            get_registration(event, current_user) if current_user.is_authenticated else None
        )
        return [(a, page_text(a, registration)) for a in services.published(event, limit=limit)]

    app.add_template_global(banner, "announcement_banner")
    app.add_template_global(latest, "latest_announcements")
