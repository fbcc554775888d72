"""Badge pages: the delegate's badge (PDF, QR for the phone) and organisers' print runs."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from confapp.badges import services
from confapp.badges.forms import PrintForm
from confapp.badges.issuing import badge_token
from confapp.badges.issuing import reissue_badge
from confapp.badges.jobs import start_print_run
from confapp.badges.render import LAYOUTS
from confapp.badges.render import qr_png
from confapp.pdf import font_set
from confapp.registration import services as registration_services
from confapp.registration.models import Registration
from confapp.web.forms import Form
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("badges", __name__)


def _download(body: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _own_badge(ctx: Ctx):
    """The event and the signed-in delegate's registration; sends others to register."""
    event, slug = ctx.event, ctx.slug
    reg = registration_services.get_registration(event, ctx.user)
    if reg is None:
        flash(_("You are not registered for this event yet."), "info")
        return event, None, redirect(url_for("registration.register", slug=slug))
    if not services.has_badge(reg):
        flash(_("Badges are issued once your place is confirmed."), "info")
        return event, None, redirect(url_for("registration.mine", slug=slug))
    return event, reg, None


@bp.get("/events/<slug>/my-badge")
@event_view(Access.SIGNED_IN)
def my_badge(ctx: Ctx):
    """The badge QR code, big enough to scan from a phone screen."""
    event, reg, redirect_to = _own_badge(ctx)
    if redirect_to:
        return redirect_to
    return render_template("badges/my_badge.html", event=event, reg=reg)


@bp.get("/events/<slug>/my-badge.png")
@event_view(Access.SIGNED_IN)
def my_badge_png(ctx: Ctx):
    """PNG of the delegate's badge QR code."""
    event, reg, redirect_to = _own_badge(ctx)
    if redirect_to:
        return redirect_to
    return _download(
        qr_png(badge_token(reg)), "image/png", f"{event.slug}-badge-qr.png", inline=True
    )


@bp.get("/events/<slug>/my-badge.pdf")
@event_view(Access.SIGNED_IN)
def my_badge_pdf(ctx: Ctx):
    """The delegate's own badge as an A6 PDF."""
    event, reg, redirect_to = _own_badge(ctx)
    if redirect_to:
        return redirect_to
    run = services.render(event, [reg], layout="a6", config=current_app.config)
    return _download(run.pdf, "application/pdf", f"{event.slug}-badge.pdf")


@bp.route("/events/<slug>/manage/badges", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """Print runs: all or filtered badges in a print layout and order, as one PDF made by a
    background job whose page shows the progress and then offers the download."""
    form = PrintForm()
    started = ctx.submit(
        form,
        lambda: start_print_run(
            ctx.event,
            ctx.user,
            layout=form.layout.data,
            category=form.category.data or None,
            new_only=form.new_only.data,
            order=form.order.data,
            mark_printed=form.mark_printed.data,
        ),
    )
    if started:
        return redirect(url_for("jobs.show", slug=ctx.slug, job_id=started.value.id))
    everyone = services.badge_registrations(ctx.event)
    new_count = sum(1 for r in everyone if r.badge_printed_at is None)
    return render_template(
        "badges/manage.html",
        event=ctx.event,
        form=form,
        all_count=len(everyone),
        new_count=new_count,
        layouts=LAYOUTS,
        undrawable=services.undrawable_badges(everyone, font_set(current_app.config)),
    )


@bp.post("/events/<slug>/manage/registrations/<int:reg_id>/badge/reissue")
@event_view(Access.ORGANISER)
def reissue(ctx: Ctx, reg_id: int):
    """Issue a new badge: every earlier badge of this person stops working."""
    if not Form().validate_on_submit():
        abort(400)
    reg = ctx.get(Registration, reg_id)
    asked = ctx.confirm(
        title=_("Issue a new badge for %(name)s?", name=reg.full_name),
        consequences=[
            _(
                "The badge %(name)s holds now stops working: every door and bus scanner "
                "answers that it was revoked.",
                name=reg.full_name,
            ),
            _(
                "A new badge with a new QR code takes its place: print it here, or "
                "%(name)s downloads it from their registration page. Nobody is e-mailed.",
                name=reg.full_name,
            ),
        ],
        confirm_label=_("Issue a new badge for %(name)s", name=reg.full_name),
        back=url_for("registration.manage_detail", slug=ctx.slug, reg_id=reg.id),
    )
    if asked is not None:
        return asked
    replaces = request.form.get("replaces", "")
    ctx.perform(
        lambda: reissue_badge(reg, int(replaces) if replaces.isdigit() else None),
        subject=reg,
        success=_(
            "A new badge was issued for %(name)s; the old one no longer scans.",
            name=reg.full_name,
        ),
    )
    return redirect(url_for("registration.manage_detail", slug=ctx.slug, reg_id=reg.id))
