"""Event settings, new event and team forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField
from wtforms import DateField
from wtforms import DateTimeLocalField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from confapp.countries import country_choices
from confapp.events.labels import CATEGORY_LABELS
from confapp.events.models import ClashPolicy
from confapp.events.models import EventStatus
from confapp.events.models import FieldMode
from confapp.events.models import RegistrationCategory
from confapp.events.zones import resolve as resolve_zone
from confapp.events.zones import zone_choices
from confapp.web.forms import Form

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
CATEGORY_CHOICES = [SelectChoice(c.value, CATEGORY_LABELS[c]) for c in RegistrationCategory]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the forms macro renders it as a fieldset)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _country_options() -> list[SelectChoice]:
    return [SelectChoice("", _("— not set —"))] + [SelectChoice(c, n) for c, n in country_choices()]


class ZoneInput(widgets.TextInput):
    """A text input with the list of zones as its datalist: the browser filters the list
    as one types ("Delhi", "IST", "+05:30"), with no script; the server reads the choice."""

    def __call__(self, field, **kwargs):
        list_id = f"{field.id}-zones"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        options = Markup("").join(
            Markup('<option value="{}">{}</option>').format(z.name, z.label) for z in zone_choices()
        )
        datalist = Markup('<datalist id="{}">{}</datalist>').format(list_id, options)
        return super().__call__(field, **kwargs) + datalist


def _known_zone(_form, field) -> None:
    try:
        field.data = resolve_zone(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _local_datetime(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=[LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )


class _EventBasics(Form):
    """Fields shared by the new-event and the settings forms."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    # InputRequired (not DataRequired) keeps the "Not a valid date" message.
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    timezone = StringField(
        _l("Time zone"),
        default="UTC",
        validators=[DataRequired(_l("Choose a time zone.")), Length(max=200), _known_zone],
        filters=[_strip],
        widget=ZoneInput(),
    )
    city = StringField(_l("City"), validators=[Length(max=100)], filters=[_strip])
    country = SelectField(_l("Country"), choices=_country_options, validators=[Optional()])
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )

    def validate_ends_on(self, field) -> None:
        """The event cannot end before it starts."""
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("The event cannot end before it starts."))


class NewEventForm(_EventBasics):
    """The few fields needed to create a draft event."""

    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Length(max=64)],
        filters=[_strip, lambda v: v.lower() if isinstance(v, str) else v],
    )


class EventSettingsForm(_EventBasics):
    """Every setting of an event (the slug stays fixed once links are out)."""

    tagline = StringField(_l("Tagline"), validators=[Length(max=300)], filters=[_strip])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    venue = StringField(_l("Venue"), validators=[Length(max=200)], filters=[_strip])
    venue_address = StringField(_l("Venue address"), validators=[Length(max=300)], filters=[_strip])
    registration_opens_at = _local_datetime(_l("Registration opens"))
    registration_closes_at = _local_datetime(_l("Registration closes"))
    edit_deadline = _local_datetime(_l("Delegates may edit their details until"))
    requires_approval = BooleanField(_l("Organisers approve each registration"))
    public_categories = MultiCheckboxField(
        _l("Categories the public may choose"), choices=CATEGORY_CHOICES
    )
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)], filters=[_strip]
    )
    letter_signatory = StringField(
        _l("Visa letters are signed by"), validators=[Length(max=200)], filters=[_strip]
    )
    letter_purpose = TextAreaField(
        _l("Purpose of the visit (visa letters)"), validators=[Length(max=5000)]
    )
    passport_data_kept_until = DateField(_l("Erase passport data after"), validators=[Optional()])
    partners = TextAreaField(_l("Organising partners"), validators=[Length(max=10_000)])
    privacy_notice = TextAreaField(
        _l("Privacy notice on the registration form"), validators=[Length(max=10_000)]
    )
    visit_clash_policy = SelectField(
        _l("When a visit clashes with a delegate's sessions or meetings"),
        choices=[
            SelectChoice(ClashPolicy.WARN.value, _l("Warn and let them confirm")),
            SelectChoice(ClashPolicy.REFUSE.value, _l("Refuse the sign-up")),
        ],
    )
    gender_field = SelectField(
        _l("Gender question on the registration form"),
        choices=[
            SelectChoice(FieldMode.HIDDEN.value, _l("Not asked")),
            SelectChoice(FieldMode.SHOWN.value, _l("Asked, optional")),
            SelectChoice(FieldMode.REQUIRED.value, _l("Asked, an answer required")),
        ],
        default=FieldMode.HIDDEN.value,
    )
    visits_per_day_limit = IntegerField(
        _l("Visits per delegate per day"), validators=[Optional(), NumberRange(min=1, max=20)]
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice(EventStatus.DRAFT.value, _l("Draft (only the team sees it)")),
            SelectChoice(EventStatus.PUBLISHED.value, _l("Published")),
        ],
    )

    def validate_public_categories(self, field) -> None:
        """The public registration form needs at least one category."""
        if not field.data:
            raise ValidationError(_("Choose at least one category."))

    def data_for_service(self) -> dict:
        """The values update_event() expects."""
        names = (
            "title", "tagline", "description", "venue", "venue_address", "city", "timezone",
            "starts_on", "ends_on", "registration_opens_at", "registration_closes_at",
            "edit_deadline", "capacity", "requires_approval", "contact_email",
            "letter_signatory", "letter_purpose", "passport_data_kept_until", "partners",
            "privacy_notice", "status",
            "visit_clash_policy", "visits_per_day_limit", "gender_field",
        )  # fmt: skip
        data = {name: self[name].data for name in names}
        data["country"] = self.country.data or ""
        data["public_categories"] = ",".join(self.public_categories.data or [])
        for name in ("tagline", "description", "venue", "venue_address", "city",
                     "contact_email", "letter_signatory", "letter_purpose",
                     "partners", "privacy_notice"):  # fmt: skip
            data[name] = data[name] or ""
        return data
