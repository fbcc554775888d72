"""ISO 3166-1 alpha-2 countries (from pycountry), for forms, filters and display."""

from __future__ import annotations

import functools

import pycountry


@functools.cache
def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for select fields."""
    pairs = [(c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: pair[1])


@functools.cache
def _names() -> dict[str, str]:
    return dict(country_choices())


def is_country(code: str | None) -> bool:
    """Whether `code` is a known ISO 3166-1 alpha-2 code (upper case)."""
    return bool(code) and code in _names()


def country_name(code: str | None) -> str:
    """Display name of a country code ('' for none, the code itself if unknown)."""
    if not code:
        return ""
    return _names().get(code.upper(), code)
