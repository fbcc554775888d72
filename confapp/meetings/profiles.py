"""Networking profiles: topic tags, what a delegate offers and looks for, the languages
they speak (ISO 639-1 codes, shown by name), and the directory opt-in. Flush only."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import pycountry
import sqlalchemy as sa
from babel import Locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import selectinload

from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import current_language
from confapp.i18n import sorted_by_name
from confapp.meetings.models import NetworkingProfile
from confapp.meetings.models import NetworkingTag
from confapp.meetings.models import ProfileTag
from confapp.meetings.models import TagSide
from confapp.multilingual import save_translations
from confapp.registration.models import Registration

MAX_LANGUAGES = 12
MAX_TEXT = 2000


# --- topic tags -----------------------------------------------------------------------


def list_tags(event: Event) -> list[NetworkingTag]:
    """The event's tags by name."""
    return list(
        db.session.scalars(
            sa.select(NetworkingTag)
            .where(NetworkingTag.event_id == event.id)
            .order_by(NetworkingTag.name)
        )
    )


def _tag_name(event: Event, name: str, exclude_id: int | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed(_("A tag needs a name of at most 80 characters."), field="name")
    if any(t.name.lower() == name.lower() and t.id != exclude_id for t in list_tags(event)):
        raise ValidationFailed(_("There is already a tag “%(name)s”.", name=name), field="name")
    return name


def _tag_names(names: dict[str, str] | None) -> dict[str, str]:
    return {code: " ".join(text.split())[:80] for code, text in (names or {}).items() if text}


def add_tag(event: Event, name: str, names: dict[str, str] | None = None) -> NetworkingTag:
    """Add a tag; names are unique per event (case-insensitive); `names` holds the tag in
    the event's other languages."""
    tag = NetworkingTag(
        event_id=event.id, name=_tag_name(event, name, None), name_i18n=_tag_names(names)
    )
    db.session.add(tag)
    db.session.flush()
    return tag


def update_tag(event: Event, tag: NetworkingTag, name: str, names: dict[str, str]) -> bool:
    """Rename or translate a tag; False when nothing changed."""
    name, names = _tag_name(event, name, tag.id), _tag_names(names)
    if (tag.name, dict(tag.name_i18n or {})) == (name, names):
        return False
    tag.name = name
    save_translations(tag, {"name": names})
    db.session.flush()
    return True


def delete_tag_consequences(tag: NetworkingTag) -> list[str]:
    """What removing a tag would do, for the confirmation page."""
    profiles = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ProfileTag.profile_id))).where(
            ProfileTag.tag_id == tag.id
        )
    )
    return [
        ngettext(
            "%(num)d networking profile loses the topic “%(name)s”; no one is e-mailed.",
            "%(num)d networking profiles lose the topic “%(name)s”; no one is e-mailed.",
            profiles,
            name=tag.name,
        )
        if profiles
        else _("No profile uses “%(name)s”; no one is e-mailed.", name=tag.name)
    ]


def delete_tag(tag: NetworkingTag) -> None:
    """Remove a tag (profiles lose it)."""
    db.session.delete(tag)
    db.session.flush()


# --- languages ------------------------------------------------------------------------


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO 639-1 code, name) of every language with a two-letter code, named in the
    reader's language (Babel), in reading order."""
    return list(_language_choices(language or current_language()))


@functools.cache
def _english_names() -> dict[str, str]:
    return {
        lang.alpha_2: getattr(lang, "common_name", None) or lang.name
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    }


@functools.lru_cache(maxsize=16)
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    # CLDR's names in every language, English included ("Swahili", not pycountry's
    # "Swahili (macrolanguage)"); pycountry's only where CLDR has none.
    english = _english_names()
    try:
        local = Locale.parse(language).languages
    except (ValueError, LookupError):
        local = {}
    names = {code: local.get(code) or name for code, name in english.items()}
    return tuple(sorted_by_name(names.items(), key=lambda pair: pair[1]))


def language_name(code: str) -> str:
    """'French' for 'fr' in English, 'français' in French (the code itself if unknown)."""
    return dict(_language_choices(current_language())).get(code, code)


def language_names(codes: Iterable[str]) -> list[str]:
    """The names of stored language codes, sorted by name."""
    return sorted_by_name(language_name(code) for code in codes if code)


def clean_languages(codes: Iterable[str]) -> list[str]:
    """Known ISO 639-1 codes in the order given, once each; anything else is refused."""
    if isinstance(codes, str):  # "en, fr" as typed in a CSV or a test
        codes = codes.replace(";", ",").split(",")
    wanted = [c.strip().lower() for c in codes if c and c.strip()]
    unknown = [c for c in wanted if c not in _english_names()]
    if unknown or len(set(wanted)) > MAX_LANGUAGES:
        raise ValidationFailed(
            _("Choose up to %(count)d languages from the list.", count=MAX_LANGUAGES),
            field="languages",
        )
    return list(dict.fromkeys(wanted))


# --- profiles -------------------------------------------------------------------------


def profile_of(registration: Registration) -> NetworkingProfile | None:
    """The delegate's networking profile, if any."""
    return db.session.scalar(
        sa.select(NetworkingProfile)
        .where(NetworkingProfile.registration_id == registration.id)
        .options(selectinload(NetworkingProfile.tags))
    )


def _profile_row(registration: Registration, now: dt.datetime) -> NetworkingProfile:
    """The delegate's profile, made first if there is none.

    INSERT … ON CONFLICT DO NOTHING: of two first saves at once (a double submit), the
    second finds the first one's row and updates it instead of failing on the unique key.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(NetworkingProfile)
        .values(registration_id=registration.id, offers="", seeks="", languages="", updated_at=now)
        .on_conflict_do_nothing(index_elements=["registration_id"])
    )
    return profile_of(registration)


def _tag_rows(offer_ids: set[int], seek_ids: set[int]) -> list[ProfileTag]:
    return [ProfileTag(tag_id=t, side=TagSide.OFFER) for t in sorted(offer_ids)] + [
        ProfileTag(tag_id=t, side=TagSide.SEEK) for t in sorted(seek_ids)
    ]


def _tag_pairs(profile: NetworkingProfile) -> set[tuple[int, TagSide]]:
    return {(t.tag_id, t.side) for t in profile.tags}


def save_profile(
    event: Event,
    registration: Registration,
    *,
    offers: str,
    seeks: str,
    languages: Iterable[str],
    offer_tag_ids: Iterable[int],
    seek_tag_ids: Iterable[int],
    opt_in: bool,
    now: dt.datetime,
) -> NetworkingProfile:
    """Create or update the profile and the directory opt-in; what is unchanged stays."""
    codes = clean_languages(languages)
    valid_tags = set(
        db.session.scalars(sa.select(NetworkingTag.id).where(NetworkingTag.event_id == event.id))
    )
    offer_ids, seek_ids = set(offer_tag_ids), set(seek_tag_ids)
    if not (offer_ids | seek_ids) <= valid_tags:
        raise ValidationFailed(_("Unknown tag."), field="offer_tags")
    profile = profile_of(registration) or _profile_row(registration, now)
    values = {
        "offers": (offers or "").strip()[:MAX_TEXT],
        "seeks": (seeks or "").strip()[:MAX_TEXT],
        "languages": ",".join(codes),
    }
    changed = {k: v for k, v in values.items() if getattr(profile, k) != v}
    rows = _tag_rows(offer_ids, seek_ids)
    if {(t.tag_id, t.side) for t in rows} != _tag_pairs(profile):
        profile.tags = rows
        changed["tags"] = True
    for name, value in changed.items():
        if name != "tags":
            setattr(profile, name, value)
    if changed:
        profile.updated_at = now
    if registration.directory_opt_in != opt_in:
        registration.directory_opt_in = opt_in
    db.session.flush()
    return profile
