"""The order of a bulk badge PDF: by the name as people search for it, across scripts.

Badges are filed alphabetically at the registration desk, and a delegate named 张磊 or
محمد الهاشمي is looked up the way staff spell him in Latin letters. So every name is
sorted by its Latin form: the name in Latin letters the delegate gave, or else a
transliteration (anyascii: Zhang Lei, mhmd lhshmy, rajesh sharma), without accents or case.
Code-point order, which put every non-Latin name after Z, is gone.

Family name: the word written in capitals when there is one (the usual convention on
international lists: "ZHANG Lei", "DIALLO Aïssatou"); for a name in Chinese characters
the first one (Chinese names put the family name first); otherwise the last word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from collections.abc import Sequence
from typing import Protocol
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from confapp.countries import country_name

ORDERS: dict[str, str] = {
    "name": _l("Name"),
    "family": _l("Family name"),
    "organisation": _l("Organisation"),
    "country": _l("Country"),
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


class Named(Protocol):
    """What ordering needs of a registration."""

    id: int
    full_name: str
    name_latin: str
    organisation: str
    country: str


@functools.lru_cache(maxsize=8192)
def search_key(text: str) -> str:
    """The text as staff would type it: Latin letters, no accents, lower case, single spaces."""
    from anyascii import anyascii

    return " ".join(_NOT_WORD.sub(" ", anyascii(text or "").casefold()).split())


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def family_name(full_name: str, name_latin: str = "") -> str:
    """The family name, by the conventions in this module's docstring (in its own script)."""
    latin = " ".join((name_latin or "").split())
    words = latin.split() or full_name.split()
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if len(capitals) == 1:
        return capitals[0]
    name = full_name.strip()
    if name and _is_han(name[0]):
        return words[0] if latin else name[0]
    return words[-1] if words else ""


T = TypeVar("T", bound=Named)


def _name(reg: Named) -> str:
    return search_key(reg.name_latin or reg.full_name)


_KEYS: dict[str, Callable[[Named], tuple]] = {
    "name": lambda r: (_name(r), r.id),
    "family": lambda r: (search_key(family_name(r.full_name, r.name_latin)), _name(r), r.id),
    "organisation": lambda r: (search_key(r.organisation) or "~", _name(r), r.id),
    "country": lambda r: (search_key(country_name(r.country)) or "~", _name(r), r.id),
}


def sort_registrations(registrations: Sequence[T], order: str = "name") -> list[T]:
    """The registrations in the chosen order (see ORDERS); ties broken by name, then id."""
    if order not in _KEYS:
        raise ValueError(f"unknown order {order!r}; choose from {', '.join(ORDERS)}")
    return sorted(registrations, key=_KEYS[order])
