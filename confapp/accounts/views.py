"""Sign-in and out, the account page, e-mail verification and password reset."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from confapp.accounts import services
from confapp.accounts.forms import ChangePasswordForm
from confapp.accounts.forms import EmptyForm
from confapp.accounts.forms import LoginForm
from confapp.accounts.forms import ResetPasswordForm
from confapp.accounts.forms import ResetRequestForm
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.extensions import limiter
from confapp.security import safe_next_url
from confapp.web.forms import Form

bp = Blueprint("accounts", __name__)

RESET_SENT = (
    "If an account exists for that address, we have sent it a link to choose a new password. "
    "Check your inbox (and spam folder)."
)


def _auth_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _form_error(form: Form, exc: DomainError) -> None:
    """Show a service refusal next to its field, or at the top of the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    """Sign in with e-mail and password, then go back where the user came from."""
    raw_next = request.args.get("next") or request.form.get("next")
    next_url = safe_next_url(raw_next, url_for("events.index"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, utcnow())
        if user is None:
            # Never tell which of the two was wrong: that would confirm who has an account.
            form.form_errors.append("Wrong email or password.")
        else:
            db.session.commit()
            # A fresh session: nothing from before the sign-in survives into it.
            session.clear()
            login_user(user, remember=form.remember.data)
            flash("You are signed in.", "success")
            return redirect(next_url)
    # Carry only a checked target through the form.
    keep_next = next_url if raw_next and next_url == raw_next.strip() else None
    return render_template("accounts/login.html", form=form, next=keep_next)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and drop the whole session."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("events.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user's e-mail status, password change and registrations."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.old_password.data, form.new_password.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            # The session id carries auth_version; sign in again under the new one.
            login_user(user)
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for(".account"))
    registrations = services.registrations_of(user)
    return render_template(
        "accounts/account.html",
        user=user,
        form=form,
        resend_form=EmptyForm(),
        registrations=registrations,
    )


@bp.route("/verify/<token>", methods=["GET"])
def verify(token: str):
    """Mark the e-mail address as verified from the link we sent."""
    user = services.verify_email(token, utcnow(), current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if user is None:
        return render_template("accounts/verify.html", ok=False), 400
    db.session.commit()
    return render_template("accounts/verify.html", ok=True, user=user)


@bp.route("/account/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_auth_limit)
def resend_verification():
    """Send the verification link again."""
    user = current_user._get_current_object()
    if user.email_verified_at is not None:
        flash("Your e-mail address is already confirmed.", "info")
    else:
        services.send_verification(user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {user.email}.", "success")
    return redirect(url_for(".account"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_request():
    """Ask for a link to choose a new password (same answer whether the account exists)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            services.send_password_reset(user)
            db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password from an e-mailed link; the link works once."""
    config = current_app.config
    user = services.user_for_reset_token(
        token, config["PASSWORD_RESET_MAX_AGE"], config["EMAIL_TOKEN_MAX_AGE"]
    )
    if user is None:
        return render_template("accounts/reset.html", form=None), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data, utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            session.clear()
            login_user(user)
            flash("Your new password is saved and you are signed in.", "success")
            return redirect(url_for(".account"))
    return render_template("accounts/reset.html", form=form, user=user, token=token)
