"""Badges: who gets one, in which order, what is printed, and marking them printed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.badges.issuing import badge_token
from confapp.badges.order import ORDERS
from confapp.badges.order import sort_registrations
from confapp.badges.render import LAYOUTS
from confapp.badges.render import BadgeData
from confapp.badges.render import Progress
from confapp.badges.render import build_badges
from confapp.countries import country_name
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import join_list
from confapp.i18n import language_of
from confapp.multilingual import tr
from confapp.pdf import FontSet
from confapp.pdf import font_set
from confapp.registration.choices import CATEGORY_LABELS
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

# Printed instead of a letter no font can draw: visibly wrong rather than silently blank.
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Undrawable:
    """A badge on which some letters cannot be drawn with the fonts available."""

    registration_id: int
    full_name: str
    characters: str

    def labelled(self) -> list[tuple[str, str]]:
        """Each character with its code point, e.g. ("𬌗", "U+2C317")."""
        return [(c, f"U+{ord(c):04X}") for c in self.characters]

    def describe(self) -> str:
        """One line for organisers: who, and which characters."""
        codes = join_list(f"{c} ({code})" for c, code in self.labelled())
        return _(
            "%(name)s (registration %(id)s): %(characters)s",
            name=self.full_name,
            id=self.registration_id,
            characters=codes,
        )


@dataclass
class BadgeRun:
    """A rendered print run: the PDF and the badges that could not be drawn fully."""

    pdf: bytes
    count: int
    undrawable: list[Undrawable] = field(default_factory=list)


def _printable(text: str, missing: str) -> str:
    return "".join(REPLACEMENT if c in missing else c for c in text) if missing else text


def badge_data(registration: Registration, event: Event, missing: str = "") -> BadgeData:
    """What the registration's badge shows (letters in `missing` replaced by U+FFFD): the
    event's title, the country and the category in the holder's language."""
    with force_language(language_of(registration, event)):
        label = CATEGORY_LABELS.get(registration.category)
        return BadgeData(
            token=badge_token(registration),
            full_name=_printable(registration.full_name, missing),
            name_latin=_printable(registration.name_latin, missing),
            organisation=_printable(registration.organisation, missing),
            country_name=country_name(registration.country),
            category=registration.category.value,
            category_label=str(label) if label else registration.category.value,
            event_title=tr(event, "title"),
        )


def has_badge(registration: Registration) -> bool:
    """Only confirmed registrations get a badge."""
    return registration.status is RegistrationStatus.CONFIRMED


def badge_registrations(
    event: Event, *, category: str | None = None, new_only: bool = False, order: str = "name"
) -> list[Registration]:
    """Confirmed registrations to print in `order` (see ORDERS); new_only: not printed since
    they were (re-)issued."""
    if order not in ORDERS:
        raise ValidationFailed(_("Unknown order %(order)r.", order=order), field="order")
    query = sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    if category:
        try:
            query = query.where(Registration.category == RegistrationCategory(category))
        except ValueError as exc:
            raise ValidationFailed(
                _("Unknown category %(category)r.", category=category), field="category"
            ) from exc
    if new_only:
        query = query.where(Registration.badge_printed_at.is_(None))
    return sort_registrations(db.session.scalars(query).all(), order)


def undrawable_badges(registrations: Sequence[Registration], fonts: FontSet) -> list[Undrawable]:
    """The badges with letters that none of the fonts can draw (names, organisations)."""
    found = []
    for reg in registrations:
        missing = fonts.undrawable(f"{reg.full_name} {reg.name_latin} {reg.organisation}")
        if missing:
            found.append(Undrawable(reg.id, reg.full_name, missing))
    return found


def render(
    event: Event,
    registrations: Sequence[Registration],
    *,
    layout: str,
    config: Mapping,
    on_progress: Progress | None = None,
) -> BadgeRun:
    """The print-ready PDF of these registrations' badges, in the order given.

    Letters that no font can draw are printed as U+FFFD and reported in the result, so a
    badge never goes out with a blank where a name should be.
    """
    from confapp.documents.branding import image_path

    if layout not in LAYOUTS:
        raise ValidationFailed(_("Unknown layout %(layout)r.", layout=layout), field="layout")
    fonts = font_set(config)
    problems = undrawable_badges(registrations, fonts)
    missing = {p.registration_id: p.characters for p in problems}
    badges = [badge_data(r, event, missing.get(r.id, "")) for r in registrations]
    pdf = build_badges(
        badges,
        layout=layout,
        fonts=fonts.for_texts({text for b in badges for text in b.texts()}),
        title=_("Badges · %(event)s", event=tr(event, "title")),
        logo=image_path(event, "logo"),
        on_progress=on_progress,
    )
    return BadgeRun(pdf, len(badges), problems)


def printed_well(registrations: Sequence[Registration], run: BadgeRun) -> list[Registration]:
    """The registrations of a run whose badges came out whole (the others stay 'new')."""
    bad = {problem.registration_id for problem in run.undrawable}
    return [r for r in registrations if r.id not in bad]


def mark_printed(registrations: list[Registration], now: dt.datetime) -> None:
    """Record that these badges were printed (for "new since last print")."""
    ids = [r.id for r in registrations]
    if ids:
        db.session.execute(
            sa.update(Registration).where(Registration.id.in_(ids)).values(badge_printed_at=now),
            execution_options={"synchronize_session": False},
        )
        for registration in registrations:
            registration.badge_printed_at = now
    db.session.flush()
