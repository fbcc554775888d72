"""Account commands: create-user and create-token."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask

from confapp.accounts import services
from confapp.accounts import team
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db


def _event_for_role(role: str, slug: str | None) -> Event | None:
    if role not in ("organiser", "staff"):
        if slug:
            raise click.ClickException("--event only goes with --role organiser or staff.")
        return None
    if not slug:
        raise click.ClickException(f"--event SLUG is needed for the {role} role.")
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with the slug {slug!r}.")
    return event


def _update_existing(user: User, password: str | None, full_name: str) -> str | None:
    """Set the given password (or a generated one when the account has none); return a
    generated password."""
    generated = None
    if password is not None:
        if len(password) < services.MIN_PASSWORD_LENGTH:
            raise click.ClickException(f"Use at least {services.MIN_PASSWORD_LENGTH} characters.")
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


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option(
        "--role",
        type=click.Choice(["organiser", "staff", "admin"]),
        required=True,
        help="organiser or staff of --event, or site administrator.",
    )
    @click.option("--event", "slug", help="Slug of the event (organiser and staff).")
    @click.option("--password", help="Password to set; one is generated when missing.")
    @click.option("--name", "full_name", default="", help="Full name of a new user.")
    def create_user_command(
        email: str, role: str, slug: str | None, password: str | None, full_name: str
    ) -> None:
        """Create a user (or reuse an existing one) and give it a role."""
        event = _event_for_role(role, slug)
        try:
            user, created, generated = _create_or_update(email, role, event, password, full_name)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        where = f" of {event.slug}" if event else ""
        click.echo(f"{'Created' if created else 'Updated'} {user.email}: {role}{where}.")
        if generated:
            click.echo(f"Password: {generated}")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--label", default="cli", help="What the token is for (shown to admins).")
    def create_token_command(email: str, label: str) -> None:
        """Print a new API token for a staff member, organiser or administrator."""
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account with the e-mail address {email!r}.")
        try:
            token = services.issue_api_token(user, label, utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        click.echo(token)
