"""IANA time zones to choose from: each with its current UTC offset, its country and the
names people search for ("New Delhi", "IST"), and one reading of what was typed.

The zone list and countries come from the tzdata package's ``zone.tab`` (the database
Python's zoneinfo reads), abbreviations from the zone itself, and a short list of capital
and business cities that are not zone names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from importlib import resources
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones

from babel.dates import get_timezone_location
from flask_babel import gettext as _

from confapp.countries import country_name
from confapp.i18n import DEFAULT_LANGUAGE
from confapp.i18n import current_language

# Cities people type that are not the name of their zone (zone names cover the rest).
CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "Asia/Kolkata": ("New Delhi", "Delhi", "Mumbai", "Bengaluru", "Bangalore", "Chennai",
                     "Hyderabad", "Calcutta"),
    "Asia/Shanghai": ("Beijing", "Guangzhou", "Shenzhen", "China Standard Time"),
    "Asia/Ho_Chi_Minh": ("Hanoi", "Saigon"),
    "Asia/Karachi": ("Islamabad", "Lahore"),
    "Asia/Dhaka": ("Chittagong",),
    "Asia/Riyadh": ("Jeddah",),
    "Asia/Dubai": ("Abu Dhabi",),
    "Asia/Jakarta": ("Bandung", "Surabaya"),
    "Asia/Manila": ("Quezon City",),
    "Asia/Yangon": ("Rangoon", "Naypyidaw"),
    "Asia/Almaty": ("Astana",),
    "Asia/Tokyo": ("Osaka", "Kyoto"),
    "Asia/Seoul": ("Busan",),
    "Asia/Kathmandu": ("Katmandu",),
    "Asia/Colombo": ("Kandy",),
    "Asia/Tashkent": ("Samarkand",),
    "Africa/Lagos": ("Abuja",),
    "Africa/Dar_es_Salaam": ("Dodoma",),
    "Africa/Abidjan": ("Yamoussoukro",),
    "Africa/Johannesburg": ("Pretoria", "Cape Town", "Durban"),
    "Africa/Casablanca": ("Rabat",),
    "Africa/Douala": ("Yaounde",),
    "Africa/Addis_Ababa": ("Addis Abeba",),
    "America/New_York": ("Washington", "Boston", "Atlanta", "Miami"),
    "America/Chicago": ("Houston", "Dallas"),
    "America/Los_Angeles": ("San Francisco", "Seattle"),
    "America/Sao_Paulo": ("Rio de Janeiro", "Brasilia"),
    "America/Toronto": ("Ottawa", "Montreal"),
    "America/Argentina/Buenos_Aires": ("Buenos Aires",),
    "Australia/Sydney": ("Canberra",),
    "Europe/Zurich": ("Geneva", "Bern"),
    "Europe/Berlin": ("Bonn", "Frankfurt", "Munich"),
    "Europe/Rome": ("Milan",),
    "Europe/Amsterdam": ("The Hague",),
    "Europe/Istanbul": ("Ankara",),
    "Pacific/Auckland": ("Wellington",),
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Zone:
    """One choice of the time-zone list."""

    name: str  # the IANA name stored on the event
    offset: str  # "UTC+05:30" at the moment the list was built
    label: str  # what the list shows and what the browser's filter searches
    words: frozenset[str]  # lower-case names this zone answers to


def _offset_text(zone: ZoneInfo, now: dt.datetime) -> tuple[int, str]:
    delta = now.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return minutes, f"UTC{sign}{hours:02d}:{mins:02d}"


@functools.cache
def _countries() -> dict[str, tuple[str, str]]:
    """Zone name → (country code, the tab file's comment)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coords, name, *comment = line.split("\t")
        found[name] = (code, comment[0] if comment else "")
    return found


def _local_city(name: str, language: str) -> str:
    """The zone's city as the reader's language writes it (CLDR: "Calcutta", "كالكتا")."""
    if language == DEFAULT_LANGUAGE or "/" not in name:
        return ""
    try:
        return get_timezone_location(name, locale=language, return_city=True) or ""
    except (LookupError, ValueError):
        return ""


def _zone(name: str, now: dt.datetime, language: str = DEFAULT_LANGUAGE) -> tuple[int, Zone]:
    zone = ZoneInfo(name)
    minutes, offset = _offset_text(zone, now)
    abbreviation = now.astimezone(zone).tzname() or ""
    code, comment = _countries().get(name, ("", ""))
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    local_city = _local_city(name, language)
    # The city and the country in the reader's language first, then the English names
    # people also type (zone.tab's comment, capitals that are not zone names).
    extras = [local_city] if local_city and local_city != city else []
    extras += [country_name(code, language)] if code else []
    if comment:
        extras.append(comment)
    extras.extend(CITY_ALIASES.get(name, ()))
    if abbreviation and abbreviation[0] not in "+-" and abbreviation != name:
        extras.append(abbreviation)
    label = f"({offset}) {name}" + (f" — {', '.join(extras)}" if extras else "")
    words = {name.lower(), city.lower(), *(e.lower() for e in extras if e)}
    return minutes, Zone(name=name, offset=offset, label=label, words=frozenset(words))


def _wanted(name: str) -> bool:
    # The canonical zones of zone.tab, plus UTC; old aliases (US/Eastern) stay valid input.
    return name in _countries() or name == "UTC"


@functools.lru_cache(maxsize=16)
def _zones_on(day: dt.date, language: str) -> tuple[Zone, ...]:
    now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    built = [_zone(name, now, language) for name in available_timezones() if _wanted(name)]
    return tuple(zone for _minutes, zone in sorted(built, key=lambda z: (z[0], z[1].name)))


def zone_choices(now: dt.datetime | None = None, language: str | None = None) -> tuple[Zone, ...]:
    """Every zone, west to east, with today's offset (offsets change with summer time), its
    city and country named in the reader's language (one list per day and language)."""
    return _zones_on((now or dt.datetime.now(dt.UTC)).date(), language or current_language())


def resolve(text: str | None, now: dt.datetime | None = None) -> str:
    """The IANA name meant by what was typed or chosen: a zone name (any case), or a city,
    country or abbreviation that names one zone. ValueError says why not."""
    typed = " ".join((text or "").split())
    if not typed:
        raise ValueError(_("Choose a time zone."))
    lowered = typed.lower()
    names = {name.lower(): name for name in available_timezones()}
    if lowered in names:
        return names[lowered]
    zones = zone_choices(now)
    by_label = [z for z in zones if z.label.lower() == lowered]
    matches = by_label or [z for z in zones if lowered in z.words]
    if len(matches) == 1:
        return matches[0].name
    if matches:
        options = ", ".join(z.name for z in matches[:6])
        raise ValueError(
            _(
                "“%(typed)s” fits several zones (%(options)s): choose one from the list.",
                typed=typed,
                options=options,
            )
        )
    raise ValueError(
        _("No time zone is called “%(typed)s”: choose one from the list.", typed=typed)
    )
