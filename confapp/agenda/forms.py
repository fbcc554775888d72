"""Forms of the agenda: rooms, tracks, sessions (with people) and the CSV import."""

from __future__ import annotations

import functools

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
from confapp.web.forms import Form
from confapp.web.forms import SubForm

TIME_FORMAT = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


@functools.cache
def _country_options() -> list[SelectChoice]:
    return choices([("", "—"), *country_choices()])


class RoomForm(Form):
    """Add or edit a room."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    capacity = IntegerField(
        "Capacity (seats)", validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    location = StringField("Where in the venue", validators=[Optional(), Length(max=200)])

    def values(self) -> dict:
        """The room's fields as the service takes them."""
        return {
            "name": self.name.data,
            "capacity": self.capacity.data,
            "location": self.location.data or "",
        }


class TrackForm(Form):
    """Add or edit a track."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    colour = ColorField(
        "Colour",
        default="#4a5568",
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message="Use a colour such as #1f6feb."),
        ],
    )

    def values(self) -> dict:
        """The track's fields as the service takes them."""
        return {"name": self.name.data, "colour": self.colour.data}


class PersonForm(SubForm):
    """One person of a session (a row of the people table; empty rows are ignored)."""

    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role",
        choices=choices((r.value, r.value.capitalize()) for r in PersonRole),
        default="speaker",
    )
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    # Checked by the service (is_country), so that empty spare rows do not fail.
    country = SelectField("Country", choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_options()


class SessionForm(Form):
    """Add or edit a session; times are wall-clock times in the event's zone."""

    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        "Kind",
        choices=choices((k.value, k.value.capitalize()) for k in SessionKind),
        default="parallel",
    )
    starts_at = DateTimeLocalField(
        "Starts",
        format=TIME_FORMAT,
        validators=[DataRequired(message="Enter a start date and time.")],
    )
    ends_at = DateTimeLocalField(
        "Ends", format=TIME_FORMAT, validators=[DataRequired(message="Enter an end date and time.")]
    )
    room_id = SelectField("Room", coerce=int, choices=[], validate_choice=True)
    track_id = SelectField("Track", coerce=int, choices=[], validate_choice=True)
    description = TextAreaField(
        "Description (Markdown)", validators=[Optional(), Length(max=20000)]
    )
    seat_limit = IntegerField(
        "Seat limit with sign-up", validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    people = FieldList(FormField(PersonForm), min_entries=4, max_entries=30)

    def validate_ends_at(self, field) -> None:
        """End after start, checked here so the form shows it next to the field."""
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError("The session must end after it starts.")

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
        for _ in range(max(2, 4 - len(session.people))):
            self.people.append_entry()


class ImportForm(Form):
    """Upload a programme CSV."""

    file = FileField("CSV file", validators=[FileRequired(message="Choose a CSV file.")])
