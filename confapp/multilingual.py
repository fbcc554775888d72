"""Event content in several languages: titles, descriptions, names organisers write.

Each translatable field keeps its column, which holds the text in the event's default
language (what searches, sorting, exports and the organiser's base input use), and gains a
JSON column ``<field>_i18n`` with the other offered languages: ``{"fr": "…", "ar": "…"}``.
One JSON value per field works the same on SQLite and PostgreSQL.

Readers get :func:`tr` (``{{ session|tr("title") }}`` in templates): the text in the
current language, else the default. Organiser forms get one input per offered language
from ``confapp.web.forms.translation_fields`` and :func:`save_translations` stores them;
:func:`untranslated` lists what still lacks a language.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from confapp.i18n import current_language
from confapp.i18n import event_languages

# Models register here (model class → its translatable fields) so the untranslated-content
# page and the API can walk them without importing every feature.
_REGISTRY: dict[type, tuple[str, ...]] = {}


def translations_column() -> Mapped[dict[str, str]]:
    """A ``<field>_i18n`` column: the field's text in languages other than the default."""
    return mapped_column(sa.JSON, default=dict, server_default="{}")


def register(model: type, *fields: str) -> type:
    """Declare a model's translatable fields (each has a ``<field>_i18n`` column)."""
    for field in fields:
        if not hasattr(model, f"{field}_i18n"):
            raise TypeError(f"{model.__name__} has no {field}_i18n column")
    _REGISTRY[model] = tuple(fields)
    return model


def registered() -> dict[type, tuple[str, ...]]:
    """Every model with translatable fields, and the fields."""
    return dict(_REGISTRY)


def _event_of(obj: Any) -> Any:
    return obj if hasattr(obj, "default_language") else getattr(obj, "event", None)


def default_language_of(obj: Any) -> str:
    """The language an object's base column is written in (its event's default)."""
    event = _event_of(obj)
    return getattr(event, "default_language", None) or "en"


def tr(obj: Any, field: str, language: str | None = None) -> str:
    """The field's text in `language` (the current one by default), else the default text."""
    if obj is None:
        return ""
    base = getattr(obj, field, "") or ""
    language = language or current_language()
    if language == default_language_of(obj):
        return base
    values = getattr(obj, f"{field}_i18n", None) or {}
    return values.get(language) or base


def lazy_tr(obj: Any, field: str) -> Any:
    """:func:`tr` evaluated when shown: for e-mail subjects built before the reader's
    language is set (``_l("…%(event)s", event=lazy_tr(event, "title"))``)."""
    from flask_babel import LazyString

    return LazyString(tr, obj, field)


def translations(obj: Any, field: str) -> dict[str, str]:
    """Every language's text of a field, the default included (for organisers and the API)."""
    values = {k: v for k, v in (getattr(obj, f"{field}_i18n", None) or {}).items() if v}
    values[default_language_of(obj)] = getattr(obj, field, "") or ""
    return values


def language_of_text(obj: Any, field: str, language: str | None = None) -> str:
    """The language the text :func:`tr` returns is actually in (for ``lang=`` attributes)."""
    language = language or current_language()
    values = getattr(obj, f"{field}_i18n", None) or {}
    if language != default_language_of(obj) and values.get(language):
        return language
    return default_language_of(obj)


def save_translations(obj: Any, values: dict[str, dict[str, str]]) -> None:
    """Store per-language texts on an object; unchanged values are left alone (so an
    unchanged save changes nothing and logs nothing)."""
    for field, texts in values.items():
        current = dict(getattr(obj, f"{field}_i18n", None) or {})
        if current != texts:
            setattr(obj, f"{field}_i18n", dict(texts))


# --- what is still untranslated -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Missing:
    """One object whose field lacks some offered languages."""

    kind: str
    object_id: int
    label: str
    field: str
    languages: tuple[str, ...]


def untranslated(event: Any, session: Any) -> list[Missing]:
    """Every translatable text of the event that lacks an offered language."""
    others = [code for code in event_languages(event) if code != event.default_language]
    if not others:
        return []
    found: list[Missing] = []
    for model, fields in _REGISTRY.items():
        if model.__tablename__ == "event":
            rows = [event]
        elif hasattr(model, "event_id"):
            rows = session.scalars(
                sa.select(model).where(model.event_id == event.id).order_by(model.id)
            ).all()
        else:
            continue
        for row in rows:
            for field in fields:
                if not (getattr(row, field, "") or "").strip():
                    continue  # nothing to translate
                values = getattr(row, f"{field}_i18n", None) or {}
                lacking = tuple(code for code in others if not (values.get(code) or "").strip())
                if lacking:
                    label = tr(row, fields[0], event.default_language)
                    found.append(Missing(model.__tablename__, row.id, label, field, lacking))
    return found
