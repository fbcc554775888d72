"""An event's team: roles, and invitations that attach a role once the address is proved.

A role is power over an event and its delegates' data, so it goes only to the proven owner
of the address the organiser typed: at once to an account whose address is verified, else
through an invitation e-mailed to the address. Opening that link proves the address (as
GitHub's and Slack's invitations do): it creates the account, or lets the owner of an
unconfirmed account take it over with a new password (signing out whoever made it), and
only then grants the role. Invitations expire, can be revoked and are listed for organisers.
Flush only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import mail
from confapp.accounts import services as accounts
from confapp.accounts.models import EventInvitation
from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.db import lock_and_reread
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import lazy_tr
from confapp.urls import external_url

INVITATION_LIFETIME = dt.timedelta(days=14)


def grant_role(user: User, event: Event, role: EventRoleKind) -> EventRole:
    """Give a user a role for the event (idempotent)."""
    existing = db.session.scalar(
        sa.select(EventRole).where(
            EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role
        )
    )
    if existing:
        return existing
    grant = EventRole(user=user, event=event, role=role)
    db.session.add(grant)
    db.session.flush()
    return grant


def list_roles(event: Event) -> list[EventRole]:
    """The event's organisers and staff, organisers first, then by e-mail."""
    return list(
        db.session.scalars(
            sa.select(EventRole)
            .join(User, EventRole.user_id == User.id)
            .where(EventRole.event_id == event.id)
            .order_by(EventRole.role, User.email)
        )
    )


def events_with_roles(user: User) -> list[tuple[Event, EventRoleKind]]:
    """The events the user holds a role in, with the strongest role, soonest first."""
    rows = db.session.execute(
        sa.select(Event, EventRole.role)
        .join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.user_id == user.id)
        .order_by(Event.starts_on, Event.id)
    ).all()
    strongest: dict[int, tuple[Event, EventRoleKind]] = {}
    for event, role in rows:
        if event.id not in strongest or role is EventRoleKind.ORGANISER:
            strongest[event.id] = (event, role)
    return list(strongest.values())


# --- adding people ------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_url(raw: str) -> str:
    """The absolute link of an invitation (carries its secret)."""
    return external_url("accounts.invitation", token=raw)


def add_team_member(
    event: Event,
    email: str,
    role: EventRoleKind,
    *,
    full_name: str = "",
    actor: User | None,
    now: dt.datetime,
) -> EventRole | EventInvitation:
    """Give the role to a verified account at once, else invite the address.

    Returns the role, or the invitation that will grant it once accepted.
    """
    email = accounts.normalise_email(email)
    role = EventRoleKind(role)
    user = accounts.find_user_by_email(email)
    if user is not None and user.is_verified:
        if _holds(user, event, role):
            raise ValidationFailed(
                _("%(email)s is already an organiser of this event.", email=email)
                if role is EventRoleKind.ORGANISER
                else _("%(email)s is already on the staff of this event.", email=email),
                field="email",
            )
        grant = grant_role(user, event, role)
        mail.send_mail(
            user.email,
            _l("You are now an organiser of %(event)s", event=lazy_tr(event, "title"))
            if role is EventRoleKind.ORGANISER
            else _l("You are now on the staff of %(event)s", event=lazy_tr(event, "title")),
            "team_added",
            user=user,
            event=event,
            role=role.value,
            link=external_url("events.manage" if role is EventRoleKind.ORGANISER
                              else "events.detail", slug=event.slug),
        )  # fmt: skip
        return grant
    return invite(event, email, role, full_name=full_name, actor=actor, now=now)


def _holds(user: User, event: Event, role: EventRoleKind) -> bool:
    return any(r.event_id == event.id and r.role is role for r in user.roles)


def invite(
    event: Event,
    email: str,
    role: EventRoleKind,
    *,
    full_name: str = "",
    actor: User | None,
    now: dt.datetime,
) -> EventInvitation:
    """E-mail an invitation link to the address (a pending one for the same role is renewed)."""
    for old in pending_invitations(event, now):
        if old.email == email and old.role is role:
            # Sending again replaces the link: the newest e-mail is the one that works.
            old.revoked_at = now
    raw = secrets.token_urlsafe(32)
    invitation = EventInvitation(
        event=event,
        email=email,
        full_name=(full_name or "").strip()[:200],
        role=role,
        token_hash=_token_hash(raw),
        invited_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    mail.send_mail(
        email,
        _l("Invitation to the organisers of %(event)s", event=lazy_tr(event, "title"))
        if role is EventRoleKind.ORGANISER
        else _l("Invitation to the staff of %(event)s", event=lazy_tr(event, "title")),
        "team_invitation",
        invitation=invitation,
        event=event,
        inviter=actor,
        role=role.value,
        link=invitation_url(raw),
    )
    return invitation


def pending_invitations(event: Event, now: dt.datetime) -> list[EventInvitation]:
    """Invitations of the event that can still be accepted, newest first."""
    return list(
        db.session.scalars(
            sa.select(EventInvitation)
            .where(
                EventInvitation.event_id == event.id,
                EventInvitation.accepted_at.is_(None),
                EventInvitation.revoked_at.is_(None),
                EventInvitation.expires_at > now,
            )
            .order_by(EventInvitation.created_at.desc(), EventInvitation.id.desc())
        )
    )


def invitations_for(user: User, now: dt.datetime) -> list[EventInvitation]:
    """Pending invitations to the user's address, once the address is proved (an
    unconfirmed account sees none: it may not be the address's owner)."""
    if not user.is_verified:
        return []
    return list(
        db.session.scalars(
            sa.select(EventInvitation)
            .where(
                EventInvitation.email == user.email,
                EventInvitation.accepted_at.is_(None),
                EventInvitation.revoked_at.is_(None),
                EventInvitation.expires_at > now,
            )
            .order_by(EventInvitation.created_at)
        )
    )


def pending_invitation_for(user: User, invitation_id: int, now: dt.datetime) -> EventInvitation:
    """One of :func:`invitations_for`, by id (NotFound for anyone else's)."""
    for invitation in invitations_for(user, now):
        if invitation.id == invitation_id:
            return invitation
    raise NotFound(_("There is no such invitation for you."))


def revoke_invitation(invitation: EventInvitation, now: dt.datetime) -> None:
    """Make a pending invitation's link useless (a repeat changes nothing)."""
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = now
        db.session.flush()


# --- accepting ----------------------------------------------------------------------


def invitation_for_token(raw: str, now: dt.datetime) -> EventInvitation:
    """The pending invitation this link names; NotFound or a DomainError saying why not."""
    invitation = db.session.scalar(
        sa.select(EventInvitation).where(EventInvitation.token_hash == _token_hash(raw or ""))
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been accepted."), code="already_done")
    if invitation.revoked_at is not None:
        raise DomainError(
            _("This invitation was withdrawn. Ask the organisers for a new one."), code="revoked"
        )
    if now >= invitation.expires_at:
        raise DomainError(
            _("This invitation has expired. Ask the organisers for a new one."), code="expired"
        )
    return invitation


def _accept(invitation: EventInvitation, user: User, now: dt.datetime) -> EventRole:
    # The row is locked and read again: two clicks on "Accept" grant once.
    db.session.refresh(invitation, with_for_update=True)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise DomainError(_("This invitation has already been used."), code="already_done")
    if user.email != invitation.email:
        raise NotAllowed(_("This invitation is for %(email)s.", email=invitation.email))
    # The link was sent to the address: opening it proves the address.
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.locked_until_verified = False
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    grant = grant_role(user, invitation.event, invitation.role)
    db.session.flush()
    return grant


def accept_signed_in(invitation: EventInvitation, user: User, now: dt.datetime) -> EventRole:
    """The signed-in owner of the invited address accepts."""
    return _accept(invitation, user, now)


def accept_with_password(
    invitation: EventInvitation, *, full_name: str, password: str, now: dt.datetime
) -> User:
    """Accept from the link alone: a new account, or an unconfirmed one taken over.

    An unconfirmed account with this address may have been made by someone else: the
    link's holder owns the address, so the new password replaces theirs and every session
    of it ends. A confirmed account must sign in instead.
    """
    user = accounts.find_user_by_email(invitation.email)
    if user is None:
        user = accounts.create_user(
            invitation.email, full_name or invitation.full_name or invitation.email, password
        )
    elif user.is_verified:
        raise DomainError(
            _("An account for %(email)s exists: sign in to accept.", email=invitation.email),
            code="sign_in",
        )
    else:
        accounts.reset_password(user, password, now)
        if full_name:
            user.full_name = full_name.strip()[:200]
    _accept(invitation, user, now)
    return user


# --- removing -----------------------------------------------------------------------


def remove_consequences(grant: EventRole) -> list[str]:
    """What removing a team member does, for the confirmation page."""
    who = {"name": grant.user.full_name or grant.user.email, "email": grant.user.email}
    if grant.role is EventRoleKind.ORGANISER:
        first = _(
            "%(name)s (%(email)s) can no longer manage the event, see registrations "
            "and passport data.",
            **who,
        )
    else:
        first = _("%(name)s (%(email)s) can no longer scan badges at the doors and buses.", **who)
    return [first, _("Their API tokens stop working for this event; nobody is e-mailed.")]


def remove_role(grant: EventRole) -> EventRole:
    """Take a role away; the event keeps at least one organiser."""
    if not lock_and_reread(grant):
        return grant  # a repeat of a removal that has just committed: nothing more to do
    if grant.role is EventRoleKind.ORGANISER:
        organisers = db.session.scalar(
            sa.select(sa.func.count(EventRole.id)).where(
                EventRole.event_id == grant.event_id, EventRole.role == EventRoleKind.ORGANISER
            )
        )
        if organisers <= 1:
            raise ValidationFailed(_("The event must keep at least one organiser."))
    db.session.delete(grant)
    db.session.flush()
    return grant
