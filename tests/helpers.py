"""Test helpers: outbox reader, sign-in, factories of events, users and registrations."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.events import services as event_services
from confapp.events.models import Event
from confapp.extensions import db

PASSWORD = "correct horse battery"  # noqa: S105


class Outbox:
    """The .eml files the app wrote, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[email.message.EmailMessage]:
        """All messages, parsed."""
        if not self.folder.exists():
            return []
        files = sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """Messages sent to one address."""
        return [m for m in self.messages() if address.lower() in m["To"].lower()]

    @staticmethod
    def body(message) -> str:
        """Plain-text body of a message."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def links(self, message) -> list[str]:
        """URLs in a message body."""
        return re.findall(r"https?://\S+", self.body(message))


def make_event(slug: str = "cdc", *, publish: bool = True, **overrides) -> Event:
    """A published event in Asia/Kolkata, open for registration, unlimited unless told."""
    values = {
        "title": "Changing paradigms of cluster development",
        "starts_on": dt.date(2027, 2, 20),
        "ends_on": dt.date(2027, 2, 22),
        "timezone": "Asia/Kolkata",
        "venue": "India Habitat Centre",
        "city": "New Delhi",
        "country": "IN",
        "public_categories": "delegate,speaker,press",
    }
    values.update(overrides)
    event = event_services.create_event(slug=slug, **values)
    if publish:
        event_services.publish(event)
    db.session.flush()
    return event


def make_user(
    email: str = "ana@example.org",
    *,
    password: str = PASSWORD,
    admin: bool = False,
    full_name: str = "Ana Example",
    verified: bool = True,
) -> User:
    """A user with a password, verified by default."""
    user = User(email=email.lower(), full_name=full_name, is_admin=admin)
    user.set_password(password)
    if verified:
        user.email_verified_at = dt.datetime.now(dt.UTC)
    db.session.add(user)
    db.session.flush()
    return user


def make_staff(event: Event, email: str, role: EventRoleKind = EventRoleKind.ORGANISER) -> User:
    """A user holding a role for the event."""
    user = make_user(email, full_name=email.split("@")[0].title())
    event_services.grant_role(user, event, role)
    return user


def login(client, email: str, password: str = PASSWORD):
    """Sign in through the login form."""
    return client.post("/login", data={"email": email, "password": password})
