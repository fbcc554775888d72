"""One announcement as one person reads it: their language, placeholders filled, Markdown
made safe, and the e-mail with its unsubscribe headers (RFC 2369, RFC 8058)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from typing import Any

from flask import current_app
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from confapp import signing
from confapp.agenda.display import render_markdown
from confapp.errors import ValidationFailed
from confapp.i18n import event_languages
from confapp.i18n import force_language
from confapp.i18n import format_local
from confapp.i18n import language_of
from confapp.mail.compose import Attachment
from confapp.mail.compose import _add_attachments
from confapp.mail.compose import _address
from confapp.mail.compose import header_text
from confapp.multilingual import tr
from confapp.urls import external_url
from confapp.urls import site_domain

UNSUBSCRIBE_SALT = "comms.unsubscribe"
# Links in announcements stay valid long after the event (people read old mail).
UNSUBSCRIBE_MAX_AGE = 3 * 365 * 24 * 3600

PLACEHOLDERS = {
    "first_name": _l("First name"),
    "full_name": _l("Full name"),
    "status": _l("Registration status"),
    "registration_link": _l("Link to their registration"),
    "badge_link": _l("Link to their badge"),
    "agenda_link": _l("Link to their personal agenda"),
    "visit_name": _l("Visit name (segment of one visit)"),
    "visit_time": _l("Visit departure time (segment of one visit)"),
}
VISIT_PLACEHOLDERS = ("visit_name", "visit_time")
LINK_PLACEHOLDERS = ("registration_link", "badge_link", "agenda_link")
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
# Active content an announcement must not carry: refused with a message rather than
# silently dropped, so the organiser knows what the delegates will (not) see.
_ACTIVE = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|form|input|button|link|meta|base|svg)\b"
    r"|\bon[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)


def check_text(text: str, *, field: str, segment: dict[str, Any]) -> None:
    """Refuse active content and unknown placeholders in a subject or body."""
    if _ACTIVE.search(text or ""):
        raise ValidationFailed(
            _(
                "The text contains a script or other active content (such as <script>, an "
                "event handler or a javascript: link). Announcements carry text, links and "
                "images only: remove it."
            ),
            field=field,
            code="active_content",
        )
    for name in _PLACEHOLDER.findall(text or ""):
        if name not in PLACEHOLDERS:
            raise ValidationFailed(
                _(
                    "Unknown placeholder {%(name)s}. Use one of: %(known)s.",
                    name=name,
                    known=", ".join("{" + key + "}" for key in PLACEHOLDERS),
                ),
                field=field,
                code="unknown_placeholder",
            )
        if name in VISIT_PLACEHOLDERS and not segment.get("visit_id"):
            raise ValidationFailed(
                _(
                    "The placeholder {%(name)s} needs a segment of one visit: choose "
                    "“Signed up for the visit”.",
                    name=name,
                ),
                field=field,
                code="unknown_placeholder",
            )


def unsubscribe_token(registration_id: int, event_id: int) -> str:
    """The signed token of a registration's unsubscribe link."""
    return signing.sign({"r": registration_id, "e": event_id}, UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(registration id, event id) of a genuine token, else None."""
    payload = signing.unsign(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    if not isinstance(payload, dict):
        return None
    reg, event = payload.get("r"), payload.get("e")
    if not isinstance(reg, int) or not isinstance(event, int):
        return None
    return reg, event


def available_language(announcement: Any, wanted: str | None) -> str:
    """`wanted` if the announcement is written in it (subject and body), else the event's
    default language."""
    event = announcement.event
    if not wanted or wanted not in event_languages(event) or wanted == event.default_language:
        return event.default_language
    subject = (announcement.subject_i18n or {}).get(wanted)
    body = (announcement.body_i18n or {}).get(wanted)
    return wanted if subject and body else event.default_language


def reader_language(announcement: Any, registration: Any) -> str:
    """The language a recipient reads the announcement in: theirs when the event offers
    it and the text exists in it, else the event's default."""
    user = registration.user if registration is not None else None
    return available_language(announcement, language_of(user, announcement.event))


def _values(announcement: Any, registration: Any, visit: Any) -> dict[str, str]:
    from confapp.comms.segments import STATUS_LABELS

    event = announcement.event
    slug = event.slug
    name = (getattr(registration, "full_name", "") or "").strip()
    values = {
        "first_name": name.split()[0] if name else "",
        "full_name": name,
        "status": str(STATUS_LABELS.get(registration.status, registration.status.value))
        if registration is not None
        else "",
        "registration_link": external_url("registration.mine", slug=slug),
        "badge_link": external_url("badges.my_badge", slug=slug),
        "agenda_link": external_url("agenda.my_agenda", slug=slug),
        "visit_name": "",
        "visit_time": "",
    }
    if visit is not None:
        values["visit_name"] = tr(visit, "title")
        values["visit_time"] = format_local(visit.departs_at, event, "%A %d %B %Y, %H:%M")
    return values


def _fill(text: str, values: dict[str, str], *, markdown: bool) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if markdown and name in LINK_PLACEHOLDERS:
            return f"<{value}>"  # a Markdown autolink
        if markdown:
            # A name like "Ana *the* Great" stays text, not emphasis.
            return re.sub(r"([\\`*_{}\[\]()#+!<>|])", r"\\\1", value)
        return value

    return _PLACEHOLDER.sub(one, text or "")


@dataclasses.dataclass
class Rendered:
    """One person's announcement: the words they read and the message that carries them."""

    language: str
    subject: str
    text: str
    html: Markup


def render_for(
    announcement: Any, registration: Any, visit: Any = None, *, language: str | None = None
) -> Rendered:
    """The subject, plain text and HTML of an announcement for one registration (in their
    language, or in `language` for a page's reader)."""
    if language is None:
        language = reader_language(announcement, registration)
    else:
        language = available_language(announcement, language)
    with force_language(language):
        values = _values(announcement, registration, visit)
        subject = header_text(_fill(tr(announcement, "subject", language), values, markdown=False))
        source = tr(announcement, "body", language)
        text = _fill(source, values, markdown=False)
        html = render_markdown(_fill(source, values, markdown=True))
    return Rendered(language, subject, text, html)


def build_email(
    announcement: Any,
    registration: Any,
    rendered: Rendered,
    *,
    to: str | None = None,
    attachments: list[Attachment] | None = None,
    unsubscribe: bool = True,
) -> EmailMessage:
    """The e-mail of a rendered announcement: text and HTML parts, unsubscribe headers."""
    event = announcement.event
    link = ""
    if unsubscribe and registration is not None:
        link = external_url(
            "comms.unsubscribe",
            slug=event.slug,
            token=unsubscribe_token(registration.id, event.id),
        )
    with force_language(rendered.language):
        footer = render_template(
            "comms/email_footer.txt", event=event, unsubscribe_url=link
        ).strip()
        html = render_template(
            "comms/email.html",
            event=event,
            subject=rendered.subject,
            body=rendered.html,
            language=rendered.language,
            unsubscribe_url=link,
        )
    msg = EmailMessage()
    msg["From"] = header_text(current_app.config["MAIL_SENDER"])
    msg["To"] = _address(to or registration.email, None if to else registration.full_name)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=site_domain())
    if event.contact_email:
        msg["Reply-To"] = header_text(event.contact_email)
    msg["Precedence"] = "bulk"
    msg["Auto-Submitted"] = "auto-generated"
    if link:
        # RFC 2369 and RFC 8058: mail clients offer "Unsubscribe" and POST to the link.
        msg["List-Unsubscribe"] = f"<{link}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(f"{rendered.text.rstrip()}\n\n-- \n{footer}\n")
    msg.add_alternative(html, subtype="html")
    _add_attachments(msg, attachments or ())
    # Last: set_content() drops every Content-* header set before it.
    msg["Content-Language"] = rendered.language
    return msg
