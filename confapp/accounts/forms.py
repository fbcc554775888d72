"""Sign-in, password and verification forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import Length

from confapp.accounts.models import EventRoleKind
from confapp.accounts.services import MAX_PASSWORD_LENGTH
from confapp.accounts.services import MIN_PASSWORD_LENGTH
from confapp.web.forms import Form

PASSWORDS_DIFFER = _l("The two passwords differ.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(Form):
    """E-mail address and password."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(Form):
    """The current password and a new one, twice."""

    old_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ResetRequestForm(Form):
    """The address to send a reset link to."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(Form):
    """A new password, twice."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=PASSWORDS_DIFFER)],
        render_kw={"autocomplete": "new-password"},
    )


class EmptyForm(Form):
    """A form with only its CSRF token (buttons)."""


class TeamAddForm(Form):
    """Add an organiser or staff member by e-mail address."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )
    full_name = StringField(
        _l("Full name (for a new account)"), validators=[Length(max=200)], filters=[_strip]
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(EventRoleKind.STAFF.value, _l("Staff (scans badges)")),
            SelectChoice(EventRoleKind.ORGANISER.value, _l("Organiser (manages the event)")),
        ],
    )


class AcceptInvitationForm(Form):
    """Accept an invitation from its link: a name and a password (new or taken-over account)."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
