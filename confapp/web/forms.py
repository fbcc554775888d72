"""The base of every form: text, numbers and dates cleaned the same way in every field.

Each rule here used to be missed somewhere: a line break pasted into a name broke e-mail
subjects and calendar files, a textarea posting CRLF over stored LF looked like an edit,
``int("٣")`` and 25-digit numbers reached the database, and year-1 dates overflowed time
zone arithmetic. Forms inherit :class:`Form` (instead of ``FlaskForm``) and get, for free:

- one-line text fields (``StringField``, e-mail, search...): control characters, line and
  paragraph separators become single spaces, and the value is stripped;
- ``TextAreaField``: line endings become ``\\n``, other control characters are dropped,
  trailing blanks go;
- ``IntegerField``: only plain ASCII digits (optionally signed) within a 32-bit column;
- date and date-time fields: years 1900 to 2100 only;
- the hidden CSRF input without an ``id`` (pages with several forms stay valid HTML);
- WTForms' own messages ("Not a valid choice.") in the reader's language, from confapp's
  catalogs (WTForms' Arabic catalog leaves some in English, and none has the date ones).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import wtforms
import wtforms.meta
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import DateTimeField
from wtforms import DateTimeLocalField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from confapp.i18n import N_
from confapp.i18n import event_languages
from confapp.i18n import language_name

MIN_YEAR = 1900
MAX_YEAR = 2100
_INT_MAX = 2**31 - 1
_PLAIN_INT = re.compile(r"[+-]?[0-9]{1,10}")
# Line breaks of every kind (CR, LF, NEL, LINE/PARAGRAPH SEPARATOR, VT, FF) and tabs.
_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def one_line(value: Any) -> Any:
    """Text for a one-line field: breaks and control characters become one space, stripped."""
    if not isinstance(value, str):
        return value
    text = _BREAKS.sub(" ", value)
    text = "".join(" " if _is_control(ch) else ch for ch in text)
    return re.sub(r" {2,}", " ", text).strip()


def multi_line(value: Any) -> Any:
    """Text for a textarea: LF line endings, no other control characters, no trailing blanks."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or not _is_control(ch))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def plain_integer(_form: Any, field: Any) -> None:
    """Refuse numbers that are not plain ASCII digits or do not fit a database integer."""
    raw = (field.raw_data or [""])[0] if field.raw_data else ""
    if raw in ("", None):
        return
    if not _PLAIN_INT.fullmatch(str(raw).strip()) or abs(int(str(raw).strip())) > _INT_MAX:
        field.data = None
        raise StopValidation(_("Enter a whole number written with the digits 0–9."))


def sane_date(_form: Any, field: Any) -> None:
    """Refuse dates outside the years 1900–2100 (typing slips, and arithmetic overflows)."""
    value = field.data
    if isinstance(value, dt.datetime | dt.date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _(
                "Enter a date between the years %(first)s and %(last)s.",
                first=MIN_YEAR,
                last=MAX_YEAR,
            )
        )


# WTForms' built-in messages, listed here so that extraction puts them in confapp's
# catalogs (the plural ones through lazy_ngettext, which only marks them here). WTForms
# looks them up through _Messages below. Left out: its own CSRF messages (Flask-WTF's CSRF
# is used) and a programming error about field names.
WTFORMS_MESSAGES = (
    N_("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


class _Messages:
    """What WTForms translates its messages with: the reader's catalog of confapp."""

    def gettext(self, string: str) -> str:
        """One message in the reader's language."""
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """One message with a number in the reader's language (plural rules included)."""
        return get_translations().ungettext(singular, plural, n)


_MESSAGES = _Messages()


class _Cleaning:
    """Meta mix-in: add the cleaning filters and validators to each field as it is bound,
    and translate WTForms' own messages with confapp's catalogs."""

    def get_translations(self, form: Any) -> _Messages:
        """WTForms' messages in the reader's language (see WTFORMS_MESSAGES)."""
        return _MESSAGES

    def bind_field(self, form: Any, unbound_field: Any, options: dict) -> Any:
        kind = unbound_field.field_class
        filters = list(unbound_field.kwargs.get("filters", ()))
        validators = list(unbound_field.kwargs.get("validators", ()) or ())
        if issubclass(kind, TextAreaField):
            filters.insert(0, multi_line)
        elif issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            filters.insert(0, one_line)
        if issubclass(kind, IntegerField):
            validators.insert(0, plain_integer)
        if issubclass(kind, DateField | DateTimeField | DateTimeLocalField):
            validators.append(sane_date)
        extra = {}
        if issubclass(kind, CSRFTokenField):
            # A hidden input needs no id, and several forms on one page would repeat
            # id="csrf_token" (invalid HTML, and labels or scripts find the wrong one).
            extra["render_kw"] = {**(unbound_field.kwargs.get("render_kw") or {}), "id": False}
        # Passed with this binding only: the class-level field is shared by every instance.
        return super().bind_field(
            form,
            unbound_field,
            {**options, "filters": filters, "validators": validators, **extra},
        )


class Form(FlaskForm):
    """A CSRF-protected form whose fields clean text, numbers and dates as described above."""

    class Meta(_Cleaning, FlaskForm.Meta):
        pass


class SubForm(wtforms.Form):
    """A repeated group of fields inside a Form (``FieldList(FormField(...))``), cleaned alike."""

    class Meta(_Cleaning, wtforms.meta.DefaultMeta):
        pass


# --- event content in several languages (see confapp.multilingual) -----------------


def field_name(field: str, language: str) -> str:
    """The form field holding one language of a translatable field: ``title__fr``."""
    return f"{field}__{language}"


def translation_fields(
    form_class: type,
    event: Any,
    fields: dict[str, int],
    *,
    multiline: Iterable[str] = (),
    grouped_by_language: bool = False,
) -> type:
    """A subclass of `form_class` with one optional input per offered language other than
    the default, for each field (name → maximum length).

    Inputs are labelled with the language's name, for pages that list a field's languages
    under it; a page that groups the inputs by language (a fieldset per language, its
    legend the language) sets `grouped_by_language` and they take the field's own label.
    """
    others = [code for code in event_languages(event) if code != event.default_language]
    extra: dict[str, Any] = {}
    multiline = set(multiline)
    for field, max_length in fields.items():
        kind = TextAreaField if field in multiline else StringField
        base = getattr(form_class, field, None)
        if hasattr(base, "field_class"):  # an unbound field of the form
            extra[field] = _in_language(base, event.default_language)
        for code in others:
            label = getattr(form_class, field).args[0] if grouped_by_language else None
            extra[field_name(field, code)] = kind(
                label or f"{language_name(code)}",
                validators=[Optional(), Length(max=max_length)],
                render_kw={"lang": code, "dir": "auto"},
            )
    return type(form_class.__name__, (form_class,), extra)


def _in_language(unbound: Any, language: str) -> Any:
    # The base input holds the default language's text: say so (lang), and let the browser
    # set its direction from the text (a Latin title typed on an Arabic page reads from its
    # start, not its end). Same field otherwise, in the same place in the form.
    render_kw = {"lang": language, "dir": "auto", **(unbound.kwargs.get("render_kw") or {})}
    field = unbound.field_class(*unbound.args, **{**unbound.kwargs, "render_kw": render_kw})
    field.creation_counter = unbound.creation_counter
    return field


def translation_inputs(form: Any, field: str) -> list[Any]:
    """The bound per-language inputs of one field, in offered order (for templates)."""
    prefix = f"{field}__"
    return [f for f in form if f.name.startswith(prefix)]


def load_translations(form: Any, obj: Any, fields: Iterable[str]) -> None:
    """Fill a form's per-language inputs from an object (on GET)."""
    for field in fields:
        values = getattr(obj, f"{field}_i18n", None) or {}
        for bound in translation_inputs(form, field):
            bound.data = values.get(bound.name.rpartition("__")[2], "")


def collect_translations(form: Any, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """{field: {language: text}} from a submitted form (empty inputs left out)."""
    found: dict[str, dict[str, str]] = {}
    for field in fields:
        found[field] = {
            bound.name.rpartition("__")[2]: bound.data.strip()
            for bound in translation_inputs(form, field)
            if (bound.data or "").strip()
        }
    return found
