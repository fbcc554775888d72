"""Forms of cluster visits: the visit with its buses, sign-up, and the organiser's tools."""

from __future__ import annotations

from wtforms import FormField
from wtforms.fields import BooleanField
from wtforms.fields import DateTimeLocalField
from wtforms.fields import FieldList
from wtforms.fields import HiddenField
from wtforms.fields import IntegerField
from wtforms.fields import SelectField
from wtforms.fields import StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from confapp.agenda.forms import TIME_FORMAT
from confapp.agenda.forms import choices
from confapp.visits.models import VisitStatus
from confapp.web.forms import Form
from confapp.web.forms import SubForm


class BusForm(SubForm):
    """One bus row; empty rows are ignored."""

    bus_id = HiddenField()
    name = StringField("Bus name or number", validators=[Optional(), Length(max=50)])
    seats = IntegerField(
        "Seats",
        validators=[Optional(), NumberRange(min=1, max=1000, message="Between 1 and 1000 seats.")],
    )


class VisitForm(Form):
    """Add or edit a visit; times are wall-clock times in the event's zone."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    cluster_name = StringField("Cluster", validators=[Optional(), Length(max=200)])
    cluster_sector = StringField("Sector", validators=[Optional(), Length(max=100)])
    cluster_location = StringField(
        "Location of the cluster", validators=[Optional(), Length(max=200)]
    )
    description = TextAreaField(
        "What delegates will see", validators=[Optional(), Length(max=20000)]
    )
    departs_at = DateTimeLocalField(
        "Departure",
        format=TIME_FORMAT,
        validators=[DataRequired(message="Enter the departure date and time.")],
    )
    returns_at = DateTimeLocalField(
        "Return",
        format=TIME_FORMAT,
        validators=[DataRequired(message="Enter the return date and time.")],
    )
    meeting_point = StringField("Meeting point", validators=[Optional(), Length(max=200)])
    capacity_cap = IntegerField(
        "Seat limit set by hand",
        validators=[
            Optional(),
            NumberRange(min=0, max=30000, message="The seat limit cannot be negative."),
        ],
    )
    signup_opens_at = DateTimeLocalField(
        "Sign-up opens", format=TIME_FORMAT, validators=[Optional()]
    )
    signup_closes_at = DateTimeLocalField(
        "Sign-up closes", format=TIME_FORMAT, validators=[Optional()]
    )
    requirements = TextAreaField(
        "Requirements shown to delegates", validators=[Optional(), Length(max=5000)]
    )
    requires_id_number = BooleanField("Delegates must give an ID document number")
    status = SelectField(
        "Status",
        choices=choices((s.value, s.value.capitalize()) for s in VisitStatus),
        default="open",
    )
    buses = FieldList(FormField(BusForm), min_entries=3, max_entries=30)

    def validate_returns_at(self, field) -> None:
        """Return after departure, shown next to the field."""
        if self.departs_at.data and field.data and field.data <= self.departs_at.data:
            raise ValidationError("The return must be after the departure.")


class SignupForm(Form):
    """A delegate signs up; confirm_clash is set on the second POST after a warning."""

    group_code = StringField(
        "Travelling with (group code, optional)", validators=[Optional(), Length(max=40)]
    )
    id_number = StringField("ID document number", validators=[Optional(), Length(max=60)])
    confirm_clash = BooleanField("I know it overlaps my agenda; sign me up anyway")


class AddDelegateForm(Form):
    """An organiser adds a delegate by e-mail or registration number."""

    who = StringField(
        "Delegate's e-mail or registration number", validators=[DataRequired(), Length(max=254)]
    )
    group_code = StringField("Group code", validators=[Optional(), Length(max=40)])
    id_number = StringField("ID number", validators=[Optional(), Length(max=60)])


class MoveForm(Form):
    """Move a sign-up to another visit, or to a bus of this one."""

    visit_id = SelectField("To visit", coerce=int, choices=[], validate_choice=False)
    bus_id = SelectField("Bus", coerce=int, choices=[], validate_choice=False)
