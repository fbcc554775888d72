"""Visa letter forms: the delegate's request and the organisers' decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import AnyOf
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from confapp.countries import country_choices
from confapp.countries import is_country
from confapp.web.forms import MAX_YEAR
from confapp.web.forms import MIN_YEAR
from confapp.web.forms import Form
from confapp.web.forms import sane_date

PARTS = ("day", "month", "year")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Required:
    """DataRequired with a message translated when it is raised: WTForms keeps the message
    it is given, and a lazy string in a field's errors breaks Jinja's ``join``."""

    field_flags = {"required": True}

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, _form: Any, field: Any) -> None:
        data = field.data
        if not data or (isinstance(data, str) and not data.strip()):
            field.errors[:] = []
            raise StopValidation(str(self.message))


def _known_country(_form, field) -> None:
    if not is_country(field.data):
        raise ValidationError(_("Choose your nationality from the list."))


def month_names() -> list[tuple[int, str]]:
    """(number, name) of the twelve months in the reader's language, for a month list."""
    from babel.dates import get_month_names

    names = get_month_names("wide", context="stand-alone", locale=get_locale() or "en")
    return [(number, names[number]) for number in range(1, 13)]


class DatePartsField(Field):
    """A date typed as day, month (chosen by its name) and year.

    A date typed in one field is read day-first by some and month-first by others (3/4/1990);
    with the month chosen by name the question never arises. The inputs post
    ``<name>-day``, ``<name>-month`` and ``<name>-year``; a single ISO value under the
    field's own name (``1990-04-03``) is read too: the review step carries dates that way.
    """

    def __init__(self, label=None, validators=None, *, required_message: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = dict.fromkeys(PARTS, "")
        self.required_message = required_message
        self._formdata = None

    def process(self, formdata, data=None, extra_filters=None):
        """Keep the submitted data: the three parts are read from it."""
        self._formdata = formdata
        super().process(formdata, data, extra_filters)
        if formdata is None and isinstance(self.data, dt.date):
            self.parts = self._parts_of(self.data)

    @staticmethod
    def _parts_of(day: dt.date) -> dict[str, str]:
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}

    def process_formdata(self, valuelist):
        """Build the date from its three parts (or an ISO value), keeping what was typed."""
        formdata = self._formdata
        typed = {part: (formdata.get(f"{self.name}-{part}") or "").strip() for part in PARTS}
        self.data = None
        if any(typed.values()):
            self.parts = typed
            self.data = self._from_parts(typed)
        elif valuelist and valuelist[0].strip():
            try:
                self.data = dt.date.fromisoformat(valuelist[0].strip())
            except ValueError:
                raise ValueError(_("Enter the date as day, month and year.")) from None
            self.parts = self._parts_of(self.data)

    @staticmethod
    def _from_parts(typed: dict[str, str]) -> dt.date:
        if not all(typed.values()):
            raise ValueError(_("Enter the day, the month and the year."))
        if not all(value.isascii() and value.isdigit() for value in typed.values()):
            raise ValueError(_("Write the day and the year with the digits 0–9."))
        day, month, year = (int(typed[part]) for part in PARTS)
        if len(typed["year"]) != 4:
            raise ValueError(_("Enter the year with four digits, for example 1990."))
        if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= month <= 12:
            raise ValueError(_("Enter the day, the month and the year."))
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(
                _("There is no such day in that month: please check the day.")
            ) from None

    def pre_validate(self, form):
        """An unreadable date has said so already; an empty one is asked for."""
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(str(self.required_message) or _("Enter a date."))

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""


class VisaRequestForm(Form):
    """Passport details for the invitation letter."""

    passport_name = StringField(
        _l("Full name as in your passport"),
        filters=[_strip],
        validators=[
            Required(_l("Enter your name exactly as in your passport.")),
            Length(max=200),
        ],
    )
    passport_number = StringField(
        _l("Passport number"),
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    nationality = SelectField(
        _l("Nationality"),
        validators=[Required(_l("Choose your nationality.")), _known_country],
        validate_choice=False,
    )
    date_of_birth = DatePartsField(
        _l("Date of birth"),
        validators=[sane_date],
        required_message=_l("Enter your date of birth."),
    )
    passport_issued_on = DatePartsField(
        _l("Date of issue"),
        validators=[sane_date],
        required_message=_l("Enter the passport's date of issue."),
    )
    passport_expires_on = DatePartsField(
        _l("Date of expiry"),
        validators=[sane_date],
        required_message=_l("Enter the passport's date of expiry."),
    )
    passport_issue_place = StringField(
        _l("Place of issue"),
        filters=[_strip],
        validators=[
            Required(_l("Enter the place of issue printed in your passport.")),
            Length(max=100),
        ],
    )

    def __init__(self, *args: Any, number_on_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = [("", _("Choose a country…")), *country_choices()]
        # With a number already on file, leaving the field empty keeps it.
        self.number_on_file = number_on_file
        if not number_on_file:
            self.passport_number.validators = [
                Required(_l("Enter your passport number.")),
                Length(max=40),
            ]
            self.passport_number.flags.required = True

    def fields_for_service(self) -> dict[str, Any]:
        """What ``services.check_request`` and ``services.submit_request`` take."""
        return {
            "passport_name": self.passport_name.data,
            "passport_number": self.passport_number.data,
            "nationality": self.nationality.data,
            "date_of_birth": self.date_of_birth.data,
            "passport_issued_on": self.passport_issued_on.data,
            "passport_expires_on": self.passport_expires_on.data,
            "passport_issue_place": self.passport_issue_place.data,
        }


class DecisionForm(Form):
    """Approve or reject one request, with an optional note to the delegate."""

    decision = StringField(
        _l("Decision"),
        validators=[Required(_l("Choose approve or reject.")), AnyOf(["approve", "reject"])],
    )
    note = TextAreaField(
        _l("Note to the delegate (optional)"), filters=[_strip], validators=[Length(max=500)]
    )
