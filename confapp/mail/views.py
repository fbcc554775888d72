"""The organisers' delivery log: every message of the event, its status and error."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.mail import services
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxMessage
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg

bp = Blueprint("mail", __name__)
PER_PAGE = 50


def _filters() -> dict:
    status = request.args.get("status", "")
    return {
        "status": status if status in {s.value for s in MailStatus} else "",
        "q": " ".join(request.args.get("q", "").split())[:200],
    }


@bp.get("/events/<slug>/manage/mail")
@event_view(Access.ORGANISER)
def log(ctx: Ctx):
    """Messages of the event, newest first: filter by status, search by recipient."""
    filters = _filters()
    page = int_arg("page", default=1) or 1
    messages, total = services.messages_of(
        ctx.event, status=filters["status"], query=filters["q"], page=page, per_page=PER_PAGE
    )
    return render_template(
        "mail/log.html",
        event=ctx.event,
        messages=messages,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        filters=filters,
        counts=services.status_counts(ctx.event),
        statuses=list(MailStatus),
    )


def _back(ctx: Ctx):
    return redirect(
        url_for(
            ".log",
            slug=ctx.slug,
            status=request.form.get("status") or None,
            q=request.form.get("q") or None,
        )
    )


@bp.post("/events/<slug>/manage/mail/<int:message_id>/send-again")
@event_view(Access.ORGANISER)
def send_again(ctx: Ctx, message_id: int):
    """Queue one failed message again."""
    message = ctx.get(OutboxMessage, message_id)
    ctx.perform(
        lambda: services.send_again(message, ctx.now),
        success=_("The message to %(recipient)s is queued again.", recipient=message.recipient),
        subject=message,
        detail="send again",
    )
    return _back(ctx)


@bp.post("/events/<slug>/manage/mail/send-again")
@event_view(Access.ORGANISER)
def send_all_again(ctx: Ctx):
    """Queue every failed message of the event again."""
    outcome = ctx.perform(
        lambda: services.send_all_failed_again(ctx.event, ctx.now), detail="send again"
    )
    if outcome:
        count = outcome.value
        if count:
            flash(
                ngettext(
                    "%(num)d failed message is queued again.",
                    "%(num)d failed messages are queued again.",
                    count,
                ),
                "success",
            )
        else:
            flash(_("No failed messages to send again."), "info")
    return _back(ctx)
