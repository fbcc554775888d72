"""Forms of the agenda: rooms, tracks, sessions (with people) and the CSV import."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import FormField
from wtforms import SelectChoice
from wtforms.fields import ColorField
from wtforms.fields import DateTimeLocalField
from wtforms.fields import FieldList
from wtforms.fields import IntegerField
from wtforms.fields import SelectField
from wtforms.fields import StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from confapp.agenda.models import PersonRole
from confapp.agenda.models import SessionKind
from confapp.countries import country_choices
from confapp.i18n import current_language
from confapp.web.forms import Form
from confapp.web.forms import SubForm

TIME_FORMAT = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


@functools.lru_cache(maxsize=16)
def _country_options(language: str) -> list[SelectChoice]:
    # One list per language: country names are the reader's.
    return choices([("", "—"), *country_choices(language)])


class RoomForm(Form):
    """Add or edit a room."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    capacity = IntegerField(
        _l("Capacity (seats)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    location = StringField(_l("Where in the venue"), validators=[Optional(), Length(max=200)])

    def values(self) -> dict:
        """The room's fields as the service takes them."""
        return {
            "name": self.name.data,
            "capacity": self.capacity.data,
            "location": self.location.data or "",
        }


class TrackForm(Form):
    """Add or edit a track."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    colour = ColorField(
        _l("Colour"),
        default="#4a5568",
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour such as #1f6feb.")),
        ],
    )

    def values(self) -> dict:
        """The track's fields as the service takes them."""
        return {"name": self.name.data, "colour": self.colour.data}


class PersonForm(SubForm):
    """One person of a session (a row of the people table; empty rows are ignored)."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[], default="speaker")
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    # Checked by the service (is_country), so that empty spare rows do not fail.
    country = SelectField(_l("Country"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices named per request, in the reader's language.
        self.role.choices = choices((r.value, r.label) for r in PersonRole)
        self.country.choices = _country_options(current_language())


class SessionForm(Form):
    """Add or edit a session; times are wall-clock times in the event's zone."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=[], default="parallel")
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=TIME_FORMAT,
        validators=[DataRequired(message=_l("Enter a start date and time."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format=TIME_FORMAT,
        validators=[DataRequired(message=_l("Enter an end date and time."))],
    )
    room_id = SelectField(_l("Room"), coerce=int, choices=[], validate_choice=True)
    track_id = SelectField(_l("Track"), coerce=int, choices=[], validate_choice=True)
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Optional(), Length(max=20000)]
    )
    seat_limit = IntegerField(
        _l("Seat limit with sign-up"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    people = FieldList(FormField(PersonForm), min_entries=4, max_entries=30)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k.value, k.label) for k in SessionKind)

    def validate_ends_at(self, field) -> None:
        """End after start, checked here so the form shows it next to the field."""
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_("The session must end after it starts."))

    def fill(self, event, session) -> None:
        """Show a session's stored values (times in the event's zone), with spare people rows."""
        self.title.data = session.title
        self.kind.data = session.kind.value
        self.starts_at.data = event.local(session.starts_at).replace(tzinfo=None)
        self.ends_at.data = event.local(session.ends_at).replace(tzinfo=None)
        self.room_id.data = session.room_id or 0
        self.track_id.data = session.track_id or 0
        self.description.data = session.description
        self.seat_limit.data = session.pool.capacity if session.pool else None
        while len(self.people.entries):
            self.people.pop_entry()
        for p in session.people:
            self.people.append_entry(
                {
                    "name": p.name,
                    "role": p.role.value,
                    "organisation": p.organisation,
                    "country": p.country,
                }
            )
        for _spare in range(max(2, 4 - len(session.people))):
            self.people.append_entry()


class ImportForm(Form):
    """Upload a programme CSV."""

    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
