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
from flask_login import login_required

from confapp.documents import branding
from confapp.documents.forms import DocumentsForm
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.security import organiser_event

bp = Blueprint("documents", __name__)


@bp.route("/events/<slug>/manage/documents", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """Letterhead text and images printed on badges, visa letters and certificates."""
    event = organiser_event(slug)
    form = DocumentsForm(obj=event)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            stale = []
            try:
                event.organiser_name = form.organiser_name.data or ""
                event.organiser_address = form.organiser_address.data or ""
                event.letter_contact = form.letter_contact.data or ""
                for kind in branding.KINDS:
                    upload = form[kind].data
                    if upload and getattr(upload, "filename", ""):
                        stale.append(branding.save_image(event, kind, upload.read()))
                    elif form[f"remove_{kind}"].data:
                        stale.append(branding.remove_image(event, kind))
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                target = form[exc.field] if exc.field in form else None
                if target is not None:
                    target.errors = [*target.errors, exc.message]
                else:
                    form.form_errors.append(exc.message)
            else:
                for path in stale:
                    if path is not None:
                        path.unlink(missing_ok=True)
                flash(_("The documents settings are saved."), "success")
                return redirect(url_for(".settings", slug=slug))
        status = 422
    return (
        render_template(
            "documents/settings.html",
            event=event,
            form=form,
            has_logo=branding.image_path(event, "logo") is not None,
            has_signature=branding.image_path(event, "signature") is not None,
        ),
        status,
    )


@bp.get("/events/<slug>/manage/documents/<kind>")
@login_required
def image(slug: str, kind: str):
    """The stored logo or signature, for the organisers' preview only."""
    event = organiser_event(slug)
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
