"""Registration forms: public sign-up, delegate edit, organiser add/edit, bulk, import."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TelField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from confapp.accounts.services import MAX_PASSWORD_LENGTH
from confapp.accounts.services import MIN_PASSWORD_LENGTH
from confapp.countries import country_choices
from confapp.countries import is_country
from confapp.events.models import FieldMode
from confapp.events.models import RegistrationCategory
from confapp.registration.choices import CATEGORY_LABELS
from confapp.registration.choices import INTERESTS
from confapp.registration.choices import ORGANISATION_TYPE_LABELS
from confapp.registration.choices import SECTOR_LABELS
from confapp.registration.services import DETAIL_FIELDS
from confapp.web.forms import Form


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the forms macro renders it as a fieldset)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs (enum members become their values)."""
    return [SelectChoice(str(getattr(value, "value", value)), label) for value, label in pairs]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _known_country(_form, field) -> None:
    if not is_country(field.data):
        raise ValidationError(_("Choose a country from the list."))


class DetailsForm(Form):
    """The delegate's details, shared by every registration form."""

    full_name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your full name.")), Length(max=200)],
    )
    name_latin = StringField(
        _l("Name in Latin letters (optional)"), filters=[_strip], validators=[Length(max=200)]
    )
    organisation = StringField(_l("Organisation"), filters=[_strip], validators=[Length(max=200)])
    organisation_type = SelectField(
        _l("Type of organisation"),
        choices=_choices(ORGANISATION_TYPE_LABELS.items()),
        default="other",
    )
    job_title = StringField(_l("Job title"), filters=[_strip], validators=[Length(max=200)])
    country = SelectField(
        _l("Country"),
        # A callable: named in the reader's language at each request, and the collation
        # (a second of work) is not paid while the app is built.
        choices=lambda: _choices([("", _("Choose a country…")), *country_choices()]),
        validate_choice=False,
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Choose your country.")), _known_country],
    )
    sector = SelectField(_l("Sector"), choices=_choices(SECTOR_LABELS.items()), default="industry")
    phone = TelField(_l("Phone (with country code)"), filters=[_strip], validators=[Length(max=40)])
    interests = MultiCheckboxField(_l("Themes of interest"), choices=_choices(INTERESTS))
    dietary = StringField(
        _l("Dietary requirements"), filters=[_strip], validators=[Length(max=300)]
    )
    accessibility = StringField(
        _l("Accessibility needs"), filters=[_strip], validators=[Length(max=300)]
    )
    needs_visa_letter = BooleanField(_l("I need a visa invitation letter"))
    directory_opt_in = BooleanField(
        _l("List me in the delegate directory so others can contact me")
    )

    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("Choose…")),
            SelectChoice("woman", _l("Woman")),
            SelectChoice("man", _l("Man")),
            SelectChoice("another_term", _l("Another term")),
            SelectChoice("prefer_not_to_say", _l("Prefer not to say")),
        ],
        coerce=lambda value: "" if value is None else str(value),  # no answer stored: None
        default="",
    )

    def details(self) -> dict[str, Any]:
        """The details as a plain dict for the services."""
        values = {name: self[name].data for name in DETAIL_FIELDS}
        if "gender" in self:
            values["gender"] = self.gender.data or ""
        return values

    def ask_gender(self, event) -> None:
        """Show the optional gender question as the event's organisers chose (or drop it)."""
        if event.gender_field is FieldMode.HIDDEN:
            del self.gender
        elif event.gender_field is FieldMode.REQUIRED:
            self.gender.validators = [
                InputRequired(_l("Choose an answer (“Prefer not to say” is one)."))
            ]
            self.gender.flags.required = True


def _category_field(form: Form, categories: list[RegistrationCategory]) -> None:
    """Offer only these categories; a POST without the field takes the first one."""
    form.category.choices = _choices((c, CATEGORY_LABELS[c]) for c in categories)
    if categories and not form.category.raw_data:
        form.category.data = categories[0].value


class RegistrationForm(DetailsForm):
    """Public registration; the password is asked only of visitors without an account."""

    email = EmailField(
        _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(), Length(max=254)],
    )
    password = PasswordField(
        _l("Choose a password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "Use at least %(min)s characters (at most %(max)s).",
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                ),
            ),
        ],
    )
    category = SelectField(_l("Registering as"))

    def __init__(self, *args, categories: list[RegistrationCategory], anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not anonymous:
            del self.password
        # Delegates are the usual case: put them first when offered.
        ordered = sorted(categories, key=lambda c: c is not RegistrationCategory.DELEGATE)
        _category_field(self, ordered)


class EditDetailsForm(DetailsForm):
    """The delegate changes their details (not the e-mail address nor the category)."""


class ManualAddForm(DetailsForm):
    """Organisers add a delegate by hand (any category, no password)."""

    email = EmailField(
        _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter an e-mail address.")), Email(), Length(max=254)],
    )
    category = SelectField(_l("Category"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _category_field(self, list(RegistrationCategory))


class OrganiserEditForm(Form):
    """Organisers change a registration's category and their internal note."""

    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS.items()))
    name_latin = StringField(
        _l("Name in Latin letters"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    notes = TextAreaField(
        _l("Internal note (organisers only)"), validators=[Optional(), Length(max=5000)]
    )


class ImportForm(Form):
    """Upload of a delegation CSV."""

    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv", "txt"], "Upload a .csv file."),
        ],
    )
