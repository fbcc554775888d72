"""Test helpers: outbox reader, sign-in, factories of events, users and registrations."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import sqlalchemy as sa

from confapp.accounts import team
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
    team.grant_role(user, event, role)
    return user


def login(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Sign in through the login form (optionally with ?next=)."""
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": email, "password": password})


def registration_form(**overrides) -> dict:
    """Valid data for the public registration form (contract field names)."""
    data = {
        "full_name": "Ana Example",
        "email": "ana@example.org",
        "password": PASSWORD,
        "organisation": "Cluster Foundation",
        "organisation_type": "cluster_association",
        "job_title": "Director",
        "country": "KE",
        "sector": "industry",
        "phone": "+254 700 000000",
        "interests": ["innovation", "finance"],
        "dietary": "vegetarian",
        "accessibility": "",
        "needs_visa_letter": "y",
        "directory_opt_in": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_registration(
    event: Event,
    email: str = "delegate@example.org",
    *,
    full_name: str | None = None,
    now: dt.datetime | None = None,
    **details,
):
    """Register a new verified user for the event through the service (admitted via capacity).

    Needs a request context (the confirmation e-mail carries absolute links).
    """
    from confapp.registration import services as registration_services
    from confapp.registration.models import RegistrationSource

    user = make_user(email, full_name=full_name or email.split("@")[0].title())
    data = {"full_name": user.full_name, "country": "IN"}
    category = details.pop("category", "delegate")
    source = details.pop("source", RegistrationSource.WEB)
    data.update(details)
    return registration_services.register(
        event,
        user=user,
        data=data,
        category=category,
        source=source,
        now=now or dt.datetime.now(dt.UTC),
    )


def make_confirmed_registration(event: Event, email: str = "delegate@example.org", **fields):
    """A CONFIRMED Registration row built directly (seat taken from the event's pool)."""
    from confapp.capacity.services import try_take
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus

    user = make_user(email, full_name=fields.pop("full_name", email.split("@")[0].title()))
    assert try_take(event.pool), "event is full"
    values = {"country": "KE", "organisation": "Kenya Leather Cluster"}
    values.update(fields)
    reg = Registration(
        event=event,
        user=user,
        status=RegistrationStatus.CONFIRMED,
        full_name=user.full_name,
        email=user.email,
        **values,
    )
    db.session.add(reg)
    db.session.flush()
    return reg


def make_delegate(event: Event, email: str = "delegate@example.org", *, country: str = "KE"):
    """A user with a confirmed registration for the event; returns (user, registration)."""
    registration = make_confirmed_registration(event, email, country=country)
    return registration.user, registration


def sign_in(client, who: User | int | str):
    """Sign someone in on the test client's session cookie, without the login form: a User
    (loaded or detached), a user id, or a session id from `User.get_id()`. Returns the
    client. (`login` goes through the form, for tests of signing in itself.)"""
    if isinstance(who, str):
        session_id = who
    else:
        session_id = _session_id(client.application, who)
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def _session_id(app, who: User | int) -> str:
    if isinstance(who, User):
        state = sa.inspect(who)
        if not state.expired_attributes & {"id", "auth_version"} and state.dict.get("id"):
            return who.get_id()
        who = state.identity[0]
    with app.app_context():
        user = db.session.get(User, who)
        assert user is not None, f"no user {who}"
        return user.get_id()


def local_time(event: Event, day: int, hhmm: str) -> dt.datetime:
    """UTC datetime of a wall-clock time on the event's day `day` (0-based)."""
    hours, minutes = map(int, hhmm.split(":"))
    local = dt.datetime.combine(
        event.starts_on + dt.timedelta(days=day), dt.time(hours, minutes), tzinfo=event.tz
    )
    return local.astimezone(dt.UTC)


def make_visit(
    event: Event,
    title: str = "Auto components at Manesar",
    *,
    day: int = 1,
    start: str = "08:00",
    end: str = "17:00",
    buses: tuple[tuple[str, int], ...] = (("Bus 1", 30),),
    cap: int | None = None,
    now: dt.datetime | None = None,
    **fields,
):
    """A visit on the event's day `day` (wall-clock times), created through the service."""
    from confapp.visits import services as visit_services

    data = visit_services.VisitData(
        title=title,
        departs_at=local_time(event, day, start),
        returns_at=local_time(event, day, end),
        capacity_cap=cap,
        buses=[visit_services.BusData(name, seats) for name, seats in buses],
        **fields,
    )
    return visit_services.create_visit(
        event, data, now=now or dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    )


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The text of a PDF via pdftotext (poppler-utils), or None when it is not installed."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        return None
    source = tmp_path / "check.pdf"
    source.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout.decode("utf-8")


def make_door(app) -> dict:
    """Event "cdc" with a door scanner (staff, bearer token), a delegate's badge, and a
    second event whose staff must not scan here; commits. Returns plain values."""
    from confapp.accounts.services import issue_api_token
    from confapp.checkin import services as checkin_services
    from confapp.db import utcnow

    with app.app_context():
        event = make_event("cdc")
        other = make_event("other")
        staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
        other_staff = make_staff(other, "door-b@example.org", EventRoleKind.STAFF)
        reg = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        bearer = issue_api_token(staff, "test", utcnow())
        other_bearer = issue_api_token(other_staff, "test", utcnow())
        db.session.commit()
        return {
            "badge": checkin_services.badge_token(reg),
            "bearer": bearer,
            "other_bearer": other_bearer,
            "staff_id": staff.id,
            "reg_id": reg.id,
            "event_id": event.id,
        }


def job_result(client, answer):
    """Follow a POST that started a background job (immediate mode in tests: it has run)
    to its page, and fetch the result file offered there; the download's response."""
    assert answer.status_code == 302, answer.status_code
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = re.search(r'id="job-download" href="([^"]+)"', html)
    assert found, html[-2000:]
    return client.get(found.group(1).replace("&amp;", "&"))
