"""Import of delegations from CSV: validate every row first, then import all or nothing."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp import jobs
from confapp.accounts.models import User
from confapp.accounts.services import normalise_email
from confapp.capacity import services as capacity
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus

REQUIRED_COLUMNS = ("full_name", "email", "country")
COLUMNS = ("full_name", "email", *services.DETAIL_FIELDS[1:], "category")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}
MAX_ERRORS_SHOWN = 200

Progress = Callable[[int], None]


@dataclasses.dataclass
class RowError:
    """One problem in the file; line 1 is the header, line 2 the first data row."""

    line: int
    message: str

    def __str__(self) -> str:
        # `confapp import-delegates` prints these, in the language the command speaks.
        if not self.line:
            return self.message
        return _("line %(line)s: %(message)s", line=self.line, message=self.message)


@dataclasses.dataclass
class CleanRow:
    """A validated row, ready to import."""

    line: int
    email: str
    details: dict[str, Any]
    category: Any


@dataclasses.dataclass
class ImportResult:
    """What an import did: the registrations made, or the errors that stopped it."""

    registrations: list[Registration] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        """True when the import went through."""
        return not self.errors


class ImportRejected(DomainError):
    """The file had errors, so nothing was imported; `errors` says where."""

    status_code = 422
    default_code = "import_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "The file has %(num)d problem; nothing was imported.",
                "The file has %(num)d problems; nothing was imported.",
                len(errors),
            )
        )
        self.errors = errors


def import_all_or_none(event: Event, data: bytes, *, actor: User | None, now: dt.datetime):
    """Import the file and return the registrations made, or raise ImportRejected."""
    result = import_delegates(event, data, actor=actor, now=now)
    if not result.ok:
        raise ImportRejected(result.errors)
    return result.registrations


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Decode (UTF-8, BOM or not), sniff , or ; and return (line, row) pairs and header errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            RowError(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        ]
    if not text.strip():
        return [], [RowError(0, _("The file is empty."))]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration):
        return [], [RowError(1, _("The header row could not be read."))]
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(
            RowError(
                1,
                ngettext(
                    "missing column: %(columns)s",
                    "missing columns: %(columns)s",
                    len(missing),
                    columns=", ".join(missing),
                ),
            )
        )
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        errors.append(
            RowError(
                1,
                ngettext(
                    "unknown column: %(columns)s (expected: %(expected)s)",
                    "unknown columns: %(columns)s (expected: %(expected)s)",
                    len(unknown),
                    columns=", ".join(unknown),
                    expected=", ".join(COLUMNS),
                ),
            )
        )
    if len(set(header)) != len(header):
        errors.append(RowError(1, _("a column appears twice")))
    if errors:
        return [], errors
    rows = []
    try:
        for index, values in enumerate(reader):
            line = index + 2
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                errors.append(
                    RowError(
                        line,
                        _(
                            "%(values)s values for %(columns)s columns",
                            values=len(values),
                            columns=len(header),
                        ),
                    )
                )
                continue
            rows.append((line, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        errors.append(RowError(0, _("The file could not be read as CSV: %(reason)s", reason=exc)))
    return rows, errors


def _boolean(value: str | None, column: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError(
        _("%(column)s: %(value)s is not yes/no/true/false/1/0", column=column, value=repr(value)),
        field=column,
    )


def validate_rows(
    event: Event, rows: list[tuple[int, dict[str, str]]], progress: Progress | None = None
) -> tuple[list[CleanRow], list[RowError]]:
    """Check every row (fields, duplicates in the file, already registered); write nothing."""
    clean: list[CleanRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            email = normalise_email(row.get("email"))
            data: dict[str, Any] = {k: (v or "").strip() for k, v in row.items()}
            data["interests"] = [
                i.strip() for i in data.get("interests", "").split(";") if i.strip()
            ]
            for column in ("needs_visa_letter", "directory_opt_in"):
                data[column] = _boolean(row.get(column), column)
            details = services.clean_details(data)
            category = services.parse_category(data.get("category"))
        except DomainError as exc:
            prefix = f"{exc.field}: " if exc.field and not exc.message.startswith(exc.field) else ""
            errors.append(RowError(line, prefix + exc.message))
        else:
            if email in seen:
                errors.append(
                    RowError(
                        line,
                        _(
                            "email: %(email)s already appears on line %(line)s",
                            email=email,
                            line=seen[email],
                        ),
                    )
                )
            else:
                seen[email] = line
                clean.append(CleanRow(line, email, details, category))
        if progress:
            progress(1)
    taken = _already_registered(event, list(seen))
    for row in clean:
        if row.email in taken:
            errors.append(
                RowError(
                    row.line,
                    _("email: %(email)s is already registered for this event", email=row.email),
                )
            )
    errors.sort(key=lambda e: e.line)
    return clean, errors


def _already_registered(event: Event, emails: list[str]) -> set[str]:
    found: set[str] = set()
    # Chunks keep the IN list under every database's parameter limit.
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(
            db.session.scalars(
                sa.select(User.email)
                .join(Registration, Registration.user_id == User.id)
                .where(Registration.event_id == event.id, User.email.in_(chunk))
            )
        )
    return found


def import_delegates(
    event: Event,
    data: bytes,
    *,
    actor: User | None,
    now: dt.datetime,
    on_validate: Progress | None = None,
    on_import: Progress | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate the whole file, then register everyone (source IMPORT) or no one.

    Each person gets an account (without password if new), is admitted through the
    event's capacity (confirmed or waiting list) and receives a welcome e-mail.
    """
    rows, errors = read_csv(data)
    result = ImportResult(rows=len(rows), errors=errors)
    if errors:
        return result
    if not rows:
        result.errors.append(RowError(0, _("The file has a header but no delegates.")))
        return result
    if on_start:
        on_start("validate", len(rows))
    clean, errors = validate_rows(event, rows, on_validate)
    if errors:
        result.errors = errors
        return result
    if on_start:
        on_start("import", len(clean))
    try:
        result.registrations = register_rows(event, clean, actor=actor, now=now, progress=on_import)
    except DomainError as exc:
        # Only a concurrent change can get here; the caller rolls everything back.
        result.errors = [RowError(0, exc.message)]
        result.registrations = []
    return result


def _accounts_for(rows: list[CleanRow]) -> dict[str, User]:
    """The account of every address in the file: found (one query per 500 addresses) or
    made without a password, all inserted by one flush."""
    emails = [row.email for row in rows]
    users: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        users.update(
            (user.email, user)
            for user in db.session.scalars(sa.select(User).where(User.email.in_(chunk)))
        )
    for user in users.values():
        # Something is now addressed to this address's owner: see find_or_create_user.
        if not (user.is_verified or user.locked_until_verified):
            user.locked_until_verified = True
            if user.password_hash:
                user.auth_version += 1
    for row in rows:
        if row.email in users:
            if not users[row.email].full_name:
                users[row.email].full_name = row.details["full_name"][:200]
        else:
            user = User(email=row.email, full_name=row.details["full_name"][:200])
            db.session.add(user)
            users[row.email] = user
    return users


def register_rows(
    event: Event,
    rows: list[CleanRow],
    *,
    actor: User | None,
    now: dt.datetime,
    progress: Progress | None = None,
) -> list[Registration]:
    """Register validated rows as ``services.register`` does for an import (accounts made
    as needed, admitted in file order while seats last, then the waiting list, a welcome
    e-mail each, written by a job), with a constant number of statements per file instead
    of per row."""
    users = _accounts_for(rows)
    registrations = []
    for row in rows:
        user = users[row.email]
        registrations.append(
            Registration(
                event=event,
                user=user,
                email=user.email,
                category=row.category,
                source=RegistrationSource.IMPORT,
                status=RegistrationStatus.PENDING,
                status_changed_at=now,
                created_at=now,
                decided_by_id=actor.id if actor is not None and actor.id != user.id else None,
                **row.details,
            )
        )
    db.session.add_all(registrations)
    try:
        # Ids in file order: they fix the order of the waiting list among equal times.
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise DomainError(_("Someone registered one of these addresses meanwhile.")) from exc
    seats = capacity.take_up_to(event.pool, len(registrations))
    for index, reg in enumerate(registrations):
        reg.status = (
            RegistrationStatus.CONFIRMED if index < seats else RegistrationStatus.WAITLISTED
        )
    db.session.flush()
    # The welcome e-mails are rendered by a job that this transaction records: the import
    # itself only writes rows (rendering a message costs more than registering a person).
    jobs.start(
        "registration.welcome_mails",
        event=event,
        user=actor,
        registration_ids=[reg.id for reg in registrations],
    )
    if progress:
        progress(len(registrations))
    return registrations
