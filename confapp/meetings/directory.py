"""Networking directory: world regions, filters and explained recommendations."""

from __future__ import annotations

import dataclasses
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from confapp.countries import country_name
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import sorted_by_name
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import NetworkingProfile
from confapp.meetings.models import NetworkingTag
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import TagSide
from confapp.meetings.profiles import language_names
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

# UN M49 regions (Americas split as the UN does for development statistics).
_REGION_CODES = {
    "Africa": (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET "
        "GA GM GH GN GW KE LS LR LY MG MW ML MR MU YT MA MZ NA NE NG "
        "RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW"
    ),
    "Asia": (
        "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ "
        "KW KG LA LB MO MY MV MN MM NP KP OM PK PS PH QA SA SG KR LK "
        "SY TW TJ TH TL TR TM AE UZ VN YE"
    ),
    "Europe": (
        "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA "
        "HU IS IE IM IT JE XK LV LI LT LU MT MD MC ME NL MK NO PL PT "
        "RO RU SM RS SK SI ES SJ SE CH UA GB"
    ),
    "Latin America and the Caribbean": (
        "AI AG AR AW BS BB BZ BO BQ BR VG KY CL CO CR CU CW DM DO EC "
        "SV FK GF GD GP GT GY HT HN JM MQ MX MS NI PA PY PE PR BL KN "
        "LC MF VC SX SR TT TC UY VE VI"
    ),
    "Northern America": "BM CA GL PM US",
    "Oceania": "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM VU WF",
}
REGIONS = {code: region for region, codes in _REGION_CODES.items() for code in codes.split()}
REGION_NAMES = list(_REGION_CODES)
# The regions as readers name them (the English names above stay the filter values).
_REGION_LABELS = {
    "Africa": _l("Africa"),
    "Asia": _l("Asia"),
    "Europe": _l("Europe"),
    "Latin America and the Caribbean": _l("Latin America and the Caribbean"),
    "Northern America": _l("Northern America"),
    "Oceania": _l("Oceania"),
    "Other": _l("Other"),
}


def region_name(region: str) -> str:
    """A region's name in the reader's language."""
    return str(_REGION_LABELS.get(region, region))


def region_of(country: str | None) -> str:
    """The world region of an ISO country code ('Other' if unknown)."""
    return REGIONS.get((country or "").upper(), "Other")


@dataclasses.dataclass
class Entry:
    """A delegate in the directory, with their profile's tags resolved."""

    registration: Registration
    profile: NetworkingProfile | None
    offers: set[str]
    seeks: set[str]
    languages: set[str]
    region: str


@dataclasses.dataclass
class Filters:
    """Directory filters; empty values do not filter."""

    country: str = ""
    region: str = ""
    sector: str = ""
    organisation_type: str = ""
    tag: str = ""
    q: str = ""


def entries(event: Event) -> list[Entry]:
    """Every confirmed delegate who opted in to the directory."""
    regs = list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.directory_opt_in.is_(True),
            )
            .order_by(Registration.full_name, Registration.id)
        )
    )
    return _entries(event, regs)


def _entries(event: Event, regs: list[Registration]) -> list[Entry]:
    tags = {
        t.id: t.name
        for t in db.session.scalars(
            sa.select(NetworkingTag).where(NetworkingTag.event_id == event.id)
        )
    }
    profiles = {
        p.registration_id: p
        for p in db.session.scalars(
            sa.select(NetworkingProfile)
            .where(NetworkingProfile.registration_id.in_([r.id for r in regs]))
            .options(selectinload(NetworkingProfile.tags))
        )
    }
    out = []
    for r in regs:
        p = profiles.get(r.id)
        offers = (
            {tags[t.tag_id] for t in p.tags if t.side is TagSide.OFFER and t.tag_id in tags}
            if p
            else set()
        )
        seeks = (
            {tags[t.tag_id] for t in p.tags if t.side is TagSide.SEEK and t.tag_id in tags}
            if p
            else set()
        )
        langs = set(filter(None, p.languages.split(","))) if p else set()
        out.append(Entry(r, p, offers, seeks, langs, region_of(r.country)))
    return out


def filter_entries(items: list[Entry], f: Filters) -> list[Entry]:
    """Apply the directory filters."""
    q = f.q.strip().lower()
    out = []
    for e in items:
        r = e.registration
        if f.country and r.country != f.country:
            continue
        if f.region and e.region != f.region:
            continue
        if f.sector and r.sector.value != f.sector:
            continue
        if f.organisation_type and r.organisation_type.value != f.organisation_type:
            continue
        if f.tag and f.tag not in e.offers | e.seeks:
            continue
        if q:
            text = " ".join(
                [
                    r.full_name,
                    r.organisation,
                    e.profile.offers if e.profile else "",
                    e.profile.seeks if e.profile else "",
                ]
            )
            if q not in text.lower():
                continue
        out.append(e)
    return out


@dataclasses.dataclass
class Recommendation:
    """A suggested partner, a score and the reasons behind it."""

    entry: Entry
    score: float
    reasons: list[str]


_WORD_RE = re.compile(r"[a-z]{4,}")
_STOP = {
    "with",
    "from",
    "that",
    "this",
    "have",
    "their",
    "looking",
    "offer",
    "offers",
    "seek",
    "seeking",
    "want",
    "would",
    "like",
    "partners",
    "partner",
}


def _words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall((text or "").lower()) if w not in _STOP}


def open_with(event: Event, me: Registration) -> set[int]:
    """Registration ids of the people with whom the delegate has a pending or accepted
    request, either way round (the delegate's own id included when there is any)."""
    return {
        rid
        for pair in db.session.execute(
            sa.select(MeetingRequest.requester_id, MeetingRequest.invitee_id).where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status.in_((RequestStatus.PENDING, RequestStatus.ACCEPTED)),
                sa.or_(MeetingRequest.requester_id == me.id, MeetingRequest.invitee_id == me.id),
            )
        )
        for rid in pair
    }


def recommend(
    event: Event,
    me: Registration,
    limit: int = 10,
    items: list[Entry] | None = None,
    taken: set[int] | None = None,
) -> list[Recommendation]:
    """Rank directory delegates by complementarity (their offers meet my needs and the
    reverse), favouring other countries and regions; each result says why."""
    mine = _entries(event, [me])[0]
    taken = open_with(event, me) if taken is None else taken
    my_offer_words = _words(mine.profile.offers if mine.profile else "")
    my_seek_words = _words(mine.profile.seeks if mine.profile else "")
    out = []
    # `items`: the event's directory when the caller has loaded it already (one load per page).
    for e in entries(event) if items is None else items:
        r = e.registration
        if r.id == me.id or r.id in taken:
            continue
        reasons = []
        score = 0.0
        they_meet = sorted(mine.seeks & e.offers)
        i_meet = sorted(mine.offers & e.seeks)
        if they_meet:
            score += 3 * len(they_meet)
            reasons.append(_("offers what you look for: %(topics)s", topics=", ".join(they_meet)))
        if i_meet:
            score += 3 * len(i_meet)
            reasons.append(_("looks for what you offer: %(topics)s", topics=", ".join(i_meet)))
        words_they = my_seek_words & _words(e.profile.offers if e.profile else "")
        words_i = my_offer_words & _words(e.profile.seeks if e.profile else "")
        if words_they or words_i:
            score += 0.5 * min(4, len(words_they) + len(words_i))
            reasons.append(
                _(
                    "profile text in common: %(words)s",
                    words=", ".join(sorted(words_they | words_i)[:4]),
                )
            )
        if score == 0:
            continue  # no complementarity at all: not a recommendation
        if r.country != me.country:
            score += 1
            if e.region != mine.region:
                score += 0.5
                reasons.append(_("from another region (%(region)s)", region=region_name(e.region)))
            else:
                reasons.append(_("from another country"))
        shared = sorted(mine.languages & e.languages)
        if mine.languages and not shared:
            score -= 1
            reasons.append(_("no language in common listed"))
        elif shared:
            reasons.append(_("speaks %(languages)s", languages=", ".join(language_names(shared))))
        out.append(Recommendation(e, score, reasons))
    out.sort(key=lambda rec: (-rec.score, rec.entry.registration.full_name))
    return out[:limit]


@dataclasses.dataclass
class DirectoryPage:
    """One page of the filtered directory, with what the page shows beside it."""

    entries: list[Entry]
    first: int  # index of the first entry shown (0-based)
    total: int
    page: int
    pages: int
    countries: list[tuple[str, str]]  # (code, name) of the countries in the directory
    recommendations: list[Recommendation]
    open_with: set[int]  # people the delegate has an open request with (no second one)


def page(
    event: Event, me: Registration, filters: Filters, number: int | None, size: int
) -> DirectoryPage:
    """The directory page `number` (clamped to the pages there are) for this delegate.

    The whole directory is loaded in a fixed number of queries (filters need every
    profile's tags and text); only one page of it is shown. Recommendations head the
    first page only, for delegates in the directory: later pages stay light on slow phones.
    """
    items = entries(event)
    taken = open_with(event, me)
    shown = filter_entries(items, filters)
    pages = max(1, -(-len(shown) // size))
    number = min(max(number or 1, 1), pages)
    first = (number - 1) * size
    return DirectoryPage(
        entries=shown[first : first + size],
        first=first,
        total=len(shown),
        page=number,
        pages=pages,
        countries=sorted_by_name(
            {(e.registration.country, country_name(e.registration.country)) for e in items},
            key=lambda pair: pair[1],
        ),
        recommendations=recommend(event, me, items=items, taken=taken)
        if me.directory_opt_in and number == 1
        else [],
        open_with=taken,
    )
