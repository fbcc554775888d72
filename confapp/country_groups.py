"""UN M49 country groups: region, sub-region, LDC, LLDC, SIDS and developed / developing.

Read from ``confapp/data/m49_country_groups.csv`` (its header says the source and the date of
each list). Used by analytics (figures by region and group), announcement segments
(``country_group``) and funding criteria. Group keys are ``LDC``, ``LLDC``, ``SIDS``,
``DEVELOPED``, ``DEVELOPING`` and M49 area codes such as ``"002"`` (Africa) or ``"034"``
(Southern Asia).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
from pathlib import Path

from flask_babel import lazy_gettext as _l

DATA_FILE = Path(__file__).resolve().parent / "data" / "m49_country_groups.csv"
SOURCE = (
    "UN Statistics Division, M49 overview, https://unstats.un.org/unsd/methodology/m49/overview/"
)
# The date of the LDC list reproduced in the data file (the list that changes most often).
LISTS_AS_OF = "2024-12-13"

LDC = "LDC"
LLDC = "LLDC"
SIDS = "SIDS"
DEVELOPED = "DEVELOPED"
DEVELOPING = "DEVELOPING"
SPECIAL_GROUPS = (LDC, LLDC, SIDS)

GROUP_NAMES = {
    LDC: _l("Least developed countries (LDC)"),
    LLDC: _l("Landlocked developing countries (LLDC)"),
    SIDS: _l("Small island developing states (SIDS)"),
    DEVELOPED: _l("Developed regions"),
    DEVELOPING: _l("Developing regions"),
}

# M49 areas (regions, sub-regions, intermediate regions) in the order M49 lists them.
AREA_NAMES = {
    "002": _l("Africa"),
    "015": _l("Northern Africa"),
    "202": _l("Sub-Saharan Africa"),
    "014": _l("Eastern Africa"),
    "017": _l("Middle Africa"),
    "018": _l("Southern Africa"),
    "011": _l("Western Africa"),
    "019": _l("Americas"),
    "419": _l("Latin America and the Caribbean"),
    "029": _l("Caribbean"),
    "013": _l("Central America"),
    "005": _l("South America"),
    "021": _l("Northern America"),
    "142": _l("Asia"),
    "143": _l("Central Asia"),
    "030": _l("Eastern Asia"),
    "035": _l("South-eastern Asia"),
    "034": _l("Southern Asia"),
    "145": _l("Western Asia"),
    "150": _l("Europe"),
    "151": _l("Eastern Europe"),
    "154": _l("Northern Europe"),
    "830": _l("Channel Islands"),
    "039": _l("Southern Europe"),
    "155": _l("Western Europe"),
    "009": _l("Oceania"),
    "053": _l("Australia and New Zealand"),
    "054": _l("Melanesia"),
    "057": _l("Micronesia"),
    "061": _l("Polynesia"),
}
REGIONS = ("002", "019", "142", "150", "009")


@dataclasses.dataclass(frozen=True)
class CountryGroups:
    """One country's place in M49: its areas and the special groups it belongs to."""

    code: str
    region: str
    sub_region: str
    intermediate_region: str | None
    ldc: bool
    lldc: bool
    sids: bool
    developed: bool

    @property
    def groups(self) -> frozenset[str]:
        """Every group key the country belongs to (areas, LDC/LLDC/SIDS, development)."""
        keys = {self.region, self.sub_region, DEVELOPED if self.developed else DEVELOPING}
        if self.intermediate_region:
            keys.add(self.intermediate_region)
        flags = ((LDC, self.ldc), (LLDC, self.lldc), (SIDS, self.sids))
        keys.update(key for key, flag in flags if flag)
        return frozenset(keys)


@functools.cache
def _table() -> dict[str, CountryGroups]:
    with DATA_FILE.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            row["iso2"]: CountryGroups(
                code=row["iso2"],
                region=row["region"],
                sub_region=row["sub_region"],
                intermediate_region=row["intermediate_region"] or None,
                ldc=row["ldc"] == "1",
                lldc=row["lldc"] == "1",
                sids=row["sids"] == "1",
                developed=row["developed"] == "1",
            )
            for row in rows
        }


@functools.cache
def _members() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for entry in _table().values():
        for key in entry.groups:
            out.setdefault(key, set()).add(entry.code)
    return {key: frozenset(codes) for key, codes in out.items()}


def _key(group: str) -> str:
    return group.strip().upper()


def lookup(code: str | None) -> CountryGroups | None:
    """The M49 classification of an ISO 3166-1 alpha-2 code (None if M49 does not list it)."""
    return _table().get((code or "").strip().upper())


def groups_of(code: str | None) -> frozenset[str]:
    """The group keys of a country (empty for an unknown or unlisted code)."""
    entry = lookup(code)
    return entry.groups if entry else frozenset()


def region_of(code: str | None) -> str | None:
    """The M49 region code of a country ("002" Africa … "009" Oceania), or None."""
    entry = lookup(code)
    return entry.region if entry else None


def is_group(group: str) -> bool:
    """Whether `group` is a known key: LDC, LLDC, SIDS, DEVELOPED, DEVELOPING or an M49 area."""
    key = _key(group)
    return key in GROUP_NAMES or key in AREA_NAMES


def members(group: str) -> frozenset[str]:
    """The ISO codes in a group (key as in :func:`is_group`, case-insensitive); empty if unknown."""
    return _members().get(_key(group), frozenset())


def in_group(code: str | None, group: str) -> bool:
    """Whether a country belongs to a group."""
    return _key(group) in groups_of(code)


def group_name(group: str) -> str:
    """The name of a group or M49 area in the reader's language (the key if unknown)."""
    key = _key(group)
    name = GROUP_NAMES.get(key) or AREA_NAMES.get(key)
    return str(name) if name is not None else group


def group_choices() -> list[tuple[str, str]]:
    """(key, name) of the groups a filter offers: special groups, then the M49 areas."""
    keys = [LDC, LLDC, SIDS, DEVELOPING, DEVELOPED, *AREA_NAMES]
    return [(key, group_name(key)) for key in keys]
