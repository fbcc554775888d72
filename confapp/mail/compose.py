"""Building service e-mails: a plain-text part and an HTML part from one template.

Each message's words are written once, in ``templates/email/<name>.txt``. The HTML part
is that same text set in one layout (``templates/email/layout.html``): paragraphs, lists
and clickable links, so every service mail looks alike and says the same in both parts.
Headers never raise on stored text: line breaks and control characters in a subject or a
name become spaces and the email package folds and encodes what is left.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from email.utils import parseaddr

from flask import current_app
from flask import render_template
from markupsafe import Markup
from markupsafe import escape

from confapp.i18n import current_language
from confapp.i18n import force_language
from confapp.i18n import text_direction
from confapp.urls import site_domain

# (filename, content type with parameters, data); e.g. ("session.ics",
# "text/calendar; method=REQUEST; charset=UTF-8", b"BEGIN:VCALENDAR...").
Attachment = tuple[str, str, bytes | str]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}»”’"


def header_text(value: object) -> str:
    """Text safe for a header: line breaks and control characters become one space."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


def calendar_attachment(filename: str, data: bytes | str, method: str | None = None) -> Attachment:
    """An .ics attachment; `method` (REQUEST, CANCEL, PUBLISH) goes into the content type
    (RFC 6047 §2.4), so calendar clients update the entry instead of importing a file."""
    mime = "text/calendar; charset=UTF-8"
    if method:
        mime = f"text/calendar; method={method.upper()}; charset=UTF-8"
    return (filename, mime, data)


def _linkify(line: str) -> Markup:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            tail = url[-1] + tail
            url = url[:-1]
        out.append(str(escape(line[last : match.start()])))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>{escape(tail)}')
        last = match.end()
    out.append(str(escape(line[last:])))
    return Markup("".join(out))  # noqa: S704  (every piece above is escaped)  # nosec B704


def text_to_html(text: str, *, rtl: bool = False) -> Markup:
    """The plain-text body as HTML blocks: paragraphs, bulleted lists, links (indents and
    rules on the right for right-to-left languages: mail clients ignore logical CSS)."""
    start = "right" if rtl else "left"
    blocks: list[str] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "• ", "* ")) for line in lines):
            items = "".join(f"<li>{_linkify(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f'<ul style="margin:0 0 16px 0;padding-{start}:20px">{items}</ul>')
        elif all(line.startswith("  ") for line in lines):
            body = "<br>".join(str(_linkify(line.strip())) for line in lines)
            blocks.append(
                f'<p style="margin:0 0 16px 0;padding:8px 12px;border-{start}:3px solid #1a5f7a;'
                f'background:#f3f7f9">{body}</p>'
            )
        else:
            body = "<br>".join(str(_linkify(line.strip())) for line in lines)
            blocks.append(f'<p style="margin:0 0 16px 0">{body}</p>')
    return Markup("\n".join(blocks))  # noqa: S704  (built from escaped pieces)  # nosec B704


def _address(to: str, name: str | None) -> Address | str:
    addr = header_text(to)
    if not name:
        return addr
    _, spec = parseaddr(addr)
    username, _, domain = (spec or addr).rpartition("@")
    try:
        return Address(display_name=header_text(name), username=username, domain=domain)
    except (ValueError, IndexError):
        return addr


def _add_attachments(msg: EmailMessage, attachments: Iterable[Attachment]) -> None:
    for filename, mime, data in attachments:
        kind, *raw_params = (part.strip() for part in mime.split(";"))
        maintype, _, subtype = kind.partition("/")
        params = {}
        for raw in raw_params:
            key, _, value = raw.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        charset = params.pop("charset", "utf-8")
        filename = header_text(filename) or "attachment"
        if maintype == "text":
            text = data.decode(charset) if isinstance(data, bytes) else data
            msg.add_attachment(
                text, subtype=subtype, charset=charset, filename=filename, params=params
            )
        else:
            body = data.encode() if isinstance(data, str) else data
            msg.add_attachment(
                body, maintype=maintype, subtype=subtype, filename=filename, params=params
            )


def build_message(
    to: str,
    subject: str,
    template: str,
    attachments: Iterable[Attachment] | None = None,
    *,
    to_name: str | None = None,
    language: str | None = None,
    **context,
) -> EmailMessage:
    """Render templates/email/<template>.txt into a service message: text and HTML parts
    (one layout), then the attachments (filename, content type, data).

    With a `language` the subject (a string or a lazy ``_l(...)`` one), the text and the
    layout are rendered in it, whatever the request's language (or none: worker, CLI)."""
    language = language or current_language()
    with force_language(language):
        subject = header_text(str(subject))
        text = render_template(f"email/{template}.txt", **context)
        event = context.get("event")
        html = render_template(
            "email/layout.html",
            body=text_to_html(text, rtl=text_direction(language) == "rtl"),
            subject=subject,
            event=event,
            language=language,
        )
    msg = EmailMessage()
    msg["From"] = header_text(current_app.config["MAIL_SENDER"])
    msg["To"] = _address(to, to_name)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))  # "+0000", not "-0000"
    msg["Message-ID"] = make_msgid(domain=site_domain())
    reply_to = header_text(getattr(event, "contact_email", "") or "")
    if reply_to:
        msg["Reply-To"] = reply_to
    # A service message, not a mailing: no List-* headers; auto-responders stay quiet
    # (RFC 3834, and Exchange's own header).
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    _add_attachments(msg, attachments or ())
    if language:
        # Set last: set_content and the multipart conversions move or drop Content-* headers.
        msg["Content-Language"] = header_text(language)
    return msg
