"""Countries: ISO 3166-1 alpha-2 codes (from pycountry), named and sorted in the reader's
language (Babel's CLDR territory names and the Unicode Collation Algorithm)."""

from __future__ import annotations

import functools

import pycountry
from babel import Locale

from confapp.i18n import DEFAULT_LANGUAGE
from confapp.i18n import current_language
from confapp.i18n import sorted_by_name


@functools.cache
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _english() -> dict[str, str]:
    # pycountry's common names ("Bolivia", not "Bolivia, Plurinational State of") for the
    # few codes CLDR does not name.
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@functools.cache
def _names(language: str) -> dict[str, str]:
    if language == DEFAULT_LANGUAGE:
        return _english()  # pycountry's common names, as before ("Côte d'Ivoire")
    try:
        territories = Locale.parse(language).territories
    except (ValueError, LookupError):
        territories = Locale.parse(DEFAULT_LANGUAGE).territories
    english = _english()
    return {code: territories.get(code) or english[code] for code in _codes()}


@functools.cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted_by_name(_names(language).items(), key=lambda pair: pair[1]))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs of every country, named and sorted as the reader's language does
    ("Côte d'Ivoire" before "Czechia", "Åland Islands" beside "Albania")."""
    return list(_choices(language or current_language()))


def is_country(code: str | None) -> bool:
    """Whether `code` is a known ISO 3166-1 alpha-2 code (upper case)."""
    return bool(code) and code in _codes()


def country_name(code: str | None, language: str | None = None) -> str:
    """A country's name in the reader's language ('' for none, the code if unknown)."""
    if not code:
        return ""
    return _names(language or current_language()).get(code.upper(), code)
