"""Visa letter forms: the delegate's request and the organisers' decision."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import AnyOf
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from confapp.countries import country_choices
from confapp.countries import is_country
from confapp.web.forms import Form


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _known_country(_form, field) -> None:
    if not is_country(field.data):
        raise ValidationError(_("Choose your nationality from the list."))


class VisaRequestForm(Form):
    """Passport details for the invitation letter."""

    passport_name = StringField(
        _l("Full name as in your passport"),
        filters=[_strip],
        validators=[DataRequired("Enter your name exactly as in your passport."), Length(max=200)],
    )
    passport_number = StringField(
        _l("Passport number"),
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    nationality = SelectField(
        _l("Nationality"),
        validators=[InputRequired("Choose your nationality."), _known_country],
        validate_choice=False,
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[InputRequired("Enter your date of birth as a date.")],
        render_kw={"autocomplete": "bday"},
    )

    def __init__(self, *args: Any, number_on_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = [("", "Choose a country…"), *country_choices()]
        # With a number already on file, leaving the field empty keeps it.
        self.number_on_file = number_on_file
        if not number_on_file:
            self.passport_number.validators = [
                DataRequired("Enter your passport number."),
                Length(max=40),
            ]
            self.passport_number.flags.required = True

    def fields_for_service(self) -> dict[str, Any]:
        """What ``services.submit_request`` takes from the form."""
        return {
            "passport_name": self.passport_name.data,
            "passport_number": self.passport_number.data,
            "nationality": self.nationality.data,
            "date_of_birth": self.date_of_birth.data,
        }


class DecisionForm(Form):
    """Approve or reject one request, with an optional note to the delegate."""

    decision = StringField(
        _l("Decision"),
        validators=[InputRequired("Choose approve or reject."), AnyOf(["approve", "reject"])],
    )
    note = TextAreaField(
        _l("Note to the delegate (optional)"), filters=[_strip], validators=[Length(max=500)]
    )
