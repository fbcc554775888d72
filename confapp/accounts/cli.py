"""Account commands: create-user and create-token.

They speak the site's language (the first of CONFAPP_LANGUAGES), create-user the default
language of its --event once that is known, as the other organiser commands do; their help
is in the site's language (confapp.i18n.TranslatedCommand).
"""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp.accounts import services
from confapp.accounts import team
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import CommandError
from confapp.i18n import TranslatedCommand
from confapp.i18n import TranslatedOption
from confapp.i18n import force_language
from confapp.i18n import site_language


def _event_for_role(role: str, slug: str | None) -> Event | None:
    if role not in ("organiser", "staff"):
        if slug:
            raise CommandError(_("--event only goes with --role organiser or staff."))
        return None
    if not slug:
        raise CommandError(_("--event SLUG is needed for --role %(role)s.", role=role))
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise CommandError(_("No event with slug %(slug)r.", slug=slug))
    return event


def _update_existing(user: User, password: str | None, full_name: str) -> str | None:
    """Set the given password (or a generated one when the account has none); return a
    generated password."""
    generated = None
    if password is not None:
        if len(password) < services.MIN_PASSWORD_LENGTH:
            raise CommandError(
                _("Use at least %(count)s characters.", count=services.MIN_PASSWORD_LENGTH)
            )
        user.set_password(password)
    elif not user.password_hash:
        # An imported delegate has no password yet: they need one to sign in.
        generated = secrets.token_urlsafe(12)
        user.set_password(generated)
    if full_name:
        user.full_name = full_name[:200]
    return generated


def _create_or_update(
    email: str, role: str, event: Event | None, password: str | None, full_name: str
) -> tuple[User, bool, str | None]:
    user = services.find_user_by_email(email)
    if user is None:
        generated = None if password is not None else secrets.token_urlsafe(12)
        user = services.create_user(
            email, full_name or email.split("@")[0], password or generated, admin=role == "admin"
        )
        created = True
    else:
        generated = _update_existing(user, password, full_name)
        created = False
    if role == "admin":
        user.is_admin = True
    else:
        team.grant_role(user, event, EventRoleKind(role))
    return user, created, generated


def _role_label(role: str) -> str:
    if role == "admin":
        return _("site administrator")
    return EventRoleKind(role).label.lower()


def _done_message(user: User, created: bool, role: str, event: Event | None) -> str:
    role_label = _role_label(role)
    if event is None:
        if created:
            return _("Created %(email)s: %(role)s.", email=user.email, role=role_label)
        return _("Updated %(email)s: %(role)s.", email=user.email, role=role_label)
    if created:
        return _(
            "Created %(email)s: %(role)s of %(event)s.",
            email=user.email,
            role=role_label,
            event=event.slug,
        )
    return _(
        "Updated %(email)s: %(role)s of %(event)s.",
        email=user.email,
        role=role_label,
        event=event.slug,
    )


def _create_user(
    email: str, role: str, event: Event | None, password: str | None, full_name: str
) -> None:
    try:
        user, created, generated = _create_or_update(email, role, event, password, full_name)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise CommandError(exc.message) from exc
    click.echo(_done_message(user, created, role, event))
    if generated:
        click.echo(_("Password: %(password)s", password=generated))


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""

    @app.cli.command(
        "create-user",
        cls=TranslatedCommand,
        help=_l("Create a user (or reuse an existing one) and give it a role."),
    )
    @click.argument("email")
    @click.option(
        "--role",
        type=click.Choice(["organiser", "staff", "admin"]),
        required=True,
        cls=TranslatedOption,
        help=_l("organiser or staff of --event, or site administrator."),
    )
    @click.option(
        "--event",
        "slug",
        cls=TranslatedOption,
        help=_l("Slug of the event (organiser and staff)."),
    )
    @click.option(
        "--password",
        cls=TranslatedOption,
        help=_l("Password to set; one is generated when missing."),
    )
    @click.option(
        "--name",
        "full_name",
        default="",
        cls=TranslatedOption,
        help=_l("Full name of a new user."),
    )
    def create_user_command(
        email: str, role: str, slug: str | None, password: str | None, full_name: str
    ) -> None:
        """Create a user (or reuse an existing one) and give it a role."""
        with force_language(site_language()):
            event = _event_for_role(role, slug)
        # The event's organisers read the rest in the event's default language.
        with force_language(event.default_language if event else site_language()):
            _create_user(email, role, event, password, full_name)

    @app.cli.command(
        "create-token",
        cls=TranslatedCommand,
        help=_l("Print a new API token for a staff member, organiser or administrator."),
    )
    @click.argument("email")
    @click.option(
        "--label",
        default="cli",
        cls=TranslatedOption,
        help=_l("What the token is for (shown to admins)."),
    )
    def create_token_command(email: str, label: str) -> None:
        """Print a new API token for a staff member, organiser or administrator."""
        with force_language(site_language()):
            user = services.find_user_by_email(email)
            if user is None:
                raise CommandError(_("No account with the e-mail address %(email)r.", email=email))
            try:
                token = services.issue_api_token(user, label, utcnow())
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                raise CommandError(exc.message) from exc
        click.echo(token)
