"""Sign-in and out, the account page, e-mail verification, password reset, invitations."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask import Response
from flask import copy_current_request_context
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from flask_login import logout_user

from confapp import i18n
from confapp.accounts import places as registrations
from confapp.accounts import services
from confapp.accounts import team
from confapp.accounts.forms import AcceptInvitationForm
from confapp.accounts.forms import ChangePasswordForm
from confapp.accounts.forms import EmptyForm
from confapp.accounts.forms import LoginForm
from confapp.accounts.forms import ResetPasswordForm
from confapp.accounts.forms import ResetRequestForm
from confapp.extensions import db
from confapp.extensions import limiter
from confapp.multilingual import tr
from confapp.security import safe_next_url
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import site_view

bp = Blueprint("accounts", __name__)

RESET_SENT = _l(
    "If an account exists for that address, we have sent it a link to choose a new password. "
    "Check your inbox (and spam folder)."
)
# Where each kind of person starts after signing in (issue 19): the tool they came for.
_LANDING = {
    "organiser": "events.manage",
    "staff": "checkin.scan",
    "delegate": "registration.mine",
}


def _auth_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def landing_url(ctx: Ctx, user) -> str:
    """The page a user starts on: their event's management page, scanner or registration."""
    place = registrations.landing(user, ctx.now.date())
    if place is None:
        return url_for("events.index")
    role, event = place
    return url_for(_LANDING[role], slug=event.slug)


def _start_session(user, *, remember: bool = False) -> None:
    # A fresh session: nothing from before the sign-in survives into it but the language
    # chosen on this device, which also becomes the account's if it had none (e-mails).
    language = session.get(i18n.SESSION_KEY)
    session.clear()
    if language in i18n.site_languages():
        session[i18n.SESSION_KEY] = language
        if not user.language:
            user.language = language
            db.session.commit()
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@site_view(Access.PUBLIC)
def login(ctx: Ctx):
    """Sign in with e-mail and password, then go where the user came from (or starts)."""
    raw_next = request.values.get("next")
    next_url = safe_next_url(raw_next, "")
    if ctx.user is not None and request.method == "GET":
        return redirect(next_url or landing_url(ctx, ctx.user))
    form = LoginForm()
    done = ctx.submit(form, lambda: services.sign_in(form.email.data, form.password.data, ctx.now))
    if done:
        _start_session(done.value, remember=form.remember.data)
        flash(_("You are signed in."), "success")
        return redirect(next_url or landing_url(ctx, done.value))
    # Carry only a checked target through the form.
    return render_template("accounts/login.html", form=form, next=next_url or None)


@bp.route("/logout", methods=["POST"])
@site_view(Access.PUBLIC)
def logout(ctx: Ctx):
    """Sign out everywhere this login reached: the session, its copies, "Remember me"."""
    if ctx.user is not None:
        ctx.perform(lambda: services.sign_out(ctx.user))
    language = session.get(i18n.SESSION_KEY)
    session.clear()
    logout_user()  # after clear(): it marks the remember cookie for deletion in the session
    if language:
        session[i18n.SESSION_KEY] = language  # the device keeps its language
    flash(_("You are signed out."), "info")
    return redirect(url_for("events.index"))


@bp.route("/account", methods=["GET", "POST"])
@site_view(Access.SIGNED_IN)
def account(ctx: Ctx):
    """The user's e-mail status, password change and registrations."""
    form = ChangePasswordForm()
    if ctx.submit(
        form,
        lambda: services.change_password(ctx.user, form.old_password.data, form.new_password.data),
        success=_("Your password is changed. Other devices are signed out."),
    ):
        login_user(ctx.user)  # the session id carries auth_version: sign in under the new one
        return redirect(url_for(".account"))
    return render_template(
        "accounts/account.html",
        user=ctx.user,
        form=form,
        resend_form=EmptyForm(),
        registrations=registrations.registrations_of(ctx.user),
        invitations=team.invitations_for(ctx.user, ctx.now),
    )


@bp.route("/verify/<token>", methods=["GET"])
@site_view(Access.PUBLIC)
def verify(ctx: Ctx, token: str):
    """Mark the e-mail address as verified from the link we sent."""
    max_age = current_app.config["EMAIL_TOKEN_MAX_AGE"]
    done = ctx.perform(lambda: services.verify_email(token, ctx.now, max_age))
    if not done.value:
        return render_template("accounts/verify.html", ok=False), 400
    return render_template("accounts/verify.html", ok=True, user=done.value)


@bp.route("/account/verify/resend", methods=["POST"])
@limiter.limit(_auth_limit)
@site_view(Access.SIGNED_IN)
def resend_verification(ctx: Ctx):
    """Send the verification link again."""
    if ctx.user.is_verified:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        ctx.perform(
            lambda: services.send_verification(ctx.user),
            success=_("We sent a new confirmation link to %(email)s.", email=ctx.user.email),
        )
    return redirect(url_for(".account"))


def after_response(response: Response, work: Callable[[], object]) -> Response:
    """Run `work` once the answer has gone (when the server closes the response), so how
    long it takes cannot be read from the answer."""
    response.call_on_close(copy_current_request_context(work))
    return response


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@site_view(Access.PUBLIC)
def reset_request(ctx: Ctx):
    """Ask for a link to choose a new password: the same answer, as fast, whoever asks."""
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("accounts/reset_request.html", form=form)
    flash(str(RESET_SENT), "info")
    email = form.email.data
    return after_response(
        redirect(url_for(".login")),
        lambda: ctx.perform(
            lambda: services.request_password_reset(
                email, ctx.now, current_app.config["PASSWORD_RESET_RESEND_AFTER"]
            )
        ),
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@site_view(Access.PUBLIC)
def reset(ctx: Ctx, token: str):
    """Choose a new password from an e-mailed link; the link works once."""
    config = current_app.config
    user = services.user_for_reset_token(
        token, config["PASSWORD_RESET_MAX_AGE"], config["EMAIL_TOKEN_MAX_AGE"]
    )
    if user is None:
        return render_template("accounts/reset.html", form=None), 400
    form = ResetPasswordForm()
    if ctx.submit(form, lambda: services.reset_password(user, form.password.data, ctx.now)):
        _start_session(user)
        flash(_("Your new password is saved and you are signed in."), "success")
        return redirect(url_for(".account"))
    return render_template("accounts/reset.html", form=form, user=user, token=token)


# --- invitations to an event's team -------------------------------------------------


def _accept(ctx: Ctx, invitation, form: AcceptInvitationForm):
    if ctx.user is not None:
        return team.accept_signed_in(invitation, ctx.user, ctx.now).user
    return team.accept_with_password(
        invitation, full_name=form.full_name.data, password=form.password.data, now=ctx.now
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@site_view(Access.PUBLIC)
def invitation(ctx: Ctx, token: str):
    """Accept a role from the link e-mailed to the address (which proves the address)."""
    invited = team.invitation_for_token(token, ctx.now)
    existing = services.find_user_by_email(invited.email)
    form = AcceptInvitationForm(data={"full_name": invited.full_name})
    ready = ctx.user is not None and ctx.user.email == invited.email
    if ctx.user is None and (existing is None or not existing.is_verified):
        ready = form.validate_on_submit()
    if ready and request.method == "POST":
        done = ctx.perform(lambda: _accept(ctx, invited, form), form=form)
        if done:
            if ctx.user is None:
                _start_session(done.value)
            flash(
                _("Welcome to the team of %(event)s.", event=tr(invited.event, "title")), "success"
            )
            return redirect(url_for(_LANDING[invited.role.value], slug=invited.event.slug))
    return render_template(
        "accounts/invitation.html", invitation=invited, existing=existing, form=form
    )


@bp.post("/account/invitations/<int:invitation_id>/accept")
@site_view(Access.SIGNED_IN)
def accept_invitation(ctx: Ctx, invitation_id: int):
    """Accept, from the account page, an invitation to a confirmed address of this account."""
    invited = team.pending_invitation_for(ctx.user, invitation_id, ctx.now)
    if ctx.perform(lambda: team.accept_signed_in(invited, ctx.user, ctx.now)):
        flash(_("Welcome to the team of %(event)s.", event=tr(invited.event, "title")), "success")
        return redirect(url_for(_LANDING[invited.role.value], slug=invited.event.slug))
    return redirect(url_for(".account"))
