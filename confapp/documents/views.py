"""Documents settings: the organiser's letterhead, logo and signature (organisers only)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from confapp.documents import branding
from confapp.documents.forms import DocumentsForm
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("documents", __name__)


@bp.route("/events/<slug>/manage/documents", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def settings(ctx: Ctx):
    """Letterhead text and images printed on badges, visa letters and certificates."""
    event = ctx.event
    form = DocumentsForm(obj=event)

    def save() -> list:
        uploads = {kind: form[kind].data for kind in branding.KINDS}
        return branding.save_settings(
            event,
            organiser_name=form.organiser_name.data or "",
            organiser_address=form.organiser_address.data or "",
            letter_contact=form.letter_contact.data or "",
            images={
                kind: upload.read()
                for kind, upload in uploads.items()
                if upload and getattr(upload, "filename", "")
            },
            remove={kind for kind in branding.KINDS if form[f"remove_{kind}"].data},
        )

    done = ctx.submit(form, save, subject=event)
    if done:
        for path in done.value:  # replaced files go once the change is committed
            path.unlink(missing_ok=True)
        flash(_("The documents settings are saved."), "success")
        return redirect(url_for(".settings", slug=ctx.slug))
    return (
        render_template(
            "documents/settings.html",
            event=event,
            form=form,
            has_logo=branding.image_path(event, "logo") is not None,
            has_signature=branding.image_path(event, "signature") is not None,
        ),
        422 if request.method == "POST" else 200,
    )


@bp.get("/events/<slug>/manage/documents/<kind>")
@event_view(Access.ORGANISER)
def image(ctx: Ctx, kind: str):
    """The stored logo or signature, for the organisers' preview only."""
    event = ctx.event
    if kind not in branding.KINDS:
        abort(404)
    path = branding.image_path(event, kind)
    if path is None:
        abort(404)
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
