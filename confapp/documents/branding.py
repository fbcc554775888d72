"""The organiser's logo and signature for PDFs: checked by reading the image, kept private.

An upload is accepted only if Pillow reads it as a PNG or JPEG within the size limits; it
is then re-encoded (metadata and anything hidden after the image data are dropped, large
pictures scaled down) and stored under the uploads folder with a random name, never in
static/: only organisers fetch the files (preview), and the PDF builders read them from
disk. Flush only, never commit.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from confapp.db import lock_and_reread
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import N_

KINDS = ("logo", "signature")
FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 6000  # pixels: anything bigger is refused before it is decoded
STORED_SIDE = 1200  # pixels: enough for 300 dpi at 10 cm
UNREADABLE = N_("This file could not be read as a PNG or JPEG image.")


def uploads_folder() -> Path:
    """Where uploaded images live (UPLOAD_FOLDER, default: instance/uploads)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Path(folder)


def _column(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown image kind {kind!r}")
    return f"{kind}_file"


def image_path(event: Event, kind: str) -> Path | None:
    """The stored file of the event's logo or signature, if there is one on disk."""
    name = getattr(event, _column(kind))
    if not name:
        return None
    path = uploads_folder() / "events" / str(event.id) / name
    return path if path.is_file() else None


def read_image(data: bytes, *, field: str) -> tuple[bytes, str]:
    """Validate an uploaded image and re-encode it; return (bytes, "png" or "jpg").

    Raises ValidationFailed with a message for the person who uploaded it.
    """
    from PIL import Image
    from PIL import UnidentifiedImageError

    if not data:
        raise ValidationFailed(_("Choose an image file."), field=field)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            _(
                "The image is too large (%(size)s MB); at most %(limit)s MB.",
                size=format_decimal(round(len(data) / 1024 / 1024, 1)),
                limit=format_decimal(MAX_BYTES // 1024 // 1024),
            ),
            field=field,
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind in FORMATS and max(width, height) <= MAX_SIDE:
                probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_(UNREADABLE), field=field) from None
    if kind not in FORMATS:
        raise ValidationFailed(_("Upload a PNG or JPEG image."), field=field)
    if max(width, height) > MAX_SIDE:
        raise ValidationFailed(
            _(
                "The image is %(width)s × %(height)s pixels; at most %(limit)s on each side.",
                width=format_decimal(width),
                height=format_decimal(height),
                limit=format_decimal(MAX_SIDE),
            ),
            field=field,
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if max(image.size) > STORED_SIDE:
                image.thumbnail((STORED_SIDE, STORED_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                keep = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
                image.convert(keep).save(out, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(out, format="JPEG", quality=90)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_(UNREADABLE), field=field) from None
    return out.getvalue(), FORMATS[kind]


def save_image(event: Event, kind: str, data: bytes) -> Path | None:
    """Store a validated upload as the event's logo or signature.

    Returns the file it replaces: delete it once the change is committed (a rollback
    must leave the event pointing at a file that still exists).
    """
    column = _column(kind)
    content, extension = read_image(data, field=kind)
    folder = uploads_folder() / "events" / str(event.id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-{secrets.token_hex(8)}.{extension}"
    (folder / name).write_bytes(content)
    old = image_path(event, kind)
    setattr(event, column, name)
    db.session.flush()
    return old


def remove_image(event: Event, kind: str) -> Path | None:
    """Forget the event's logo or signature; returns the file to delete after the commit."""
    old = image_path(event, kind)
    setattr(event, _column(kind), None)
    db.session.flush()
    return old


def save_settings(
    event: Event,
    *,
    organiser_name: str,
    organiser_address: str,
    letter_contact: str,
    images: dict[str, bytes | None],
    remove: set[str],
) -> list[Path]:
    """Save the letterhead texts, the uploaded images (kind -> bytes) and the removals; the
    files replaced are returned, to be deleted once the change is committed. Flush only."""
    lock_and_reread(event)  # a repeated identical save then finds it saved: nothing to log
    event.organiser_name = organiser_name
    event.organiser_address = organiser_address
    event.letter_contact = letter_contact
    stale = []
    for kind in KINDS:
        data = images.get(kind)
        if data:
            stale.append(save_image(event, kind, data))
        elif kind in remove:
            stale.append(remove_image(event, kind))
    db.session.flush()
    return [path for path in stale if path is not None]
