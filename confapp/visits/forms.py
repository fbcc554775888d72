"""Forms of cluster visits: the visit with its buses, sign-up, and the organiser's tools."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
from confapp.visits.models import STATUS_LABELS
from confapp.visits.models import VisitStatus
from confapp.web.forms import Form
from confapp.web.forms import SubForm


class BusForm(SubForm):
    """One bus row; empty rows are ignored."""

    bus_id = HiddenField()
    name = StringField(_l("Bus name or number"), validators=[Optional(), Length(max=50)])
    seats = IntegerField(
        _l("Seats"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("Between 1 and 1000 seats.")),
        ],
    )


class VisitForm(Form):
    """Add or edit a visit; times are wall-clock times in the event's zone."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    cluster_name = StringField(_l("Cluster"), validators=[Optional(), Length(max=200)])
    cluster_sector = StringField(_l("Sector"), validators=[Optional(), Length(max=100)])
    cluster_location = StringField(
        _l("Location of the cluster"), validators=[Optional(), Length(max=200)]
    )
    description = TextAreaField(
        _l("What delegates will see"), validators=[Optional(), Length(max=20000)]
    )
    departs_at = DateTimeLocalField(
        _l("Departure"),
        format=TIME_FORMAT,
        validators=[DataRequired(message=_l("Enter the departure date and time."))],
    )
    returns_at = DateTimeLocalField(
        _l("Return"),
        format=TIME_FORMAT,
        validators=[DataRequired(message=_l("Enter the return date and time."))],
    )
    meeting_point = StringField(_l("Meeting point"), validators=[Optional(), Length(max=200)])
    capacity_cap = IntegerField(
        _l("Seat limit set by hand"),
        validators=[
            Optional(),
            NumberRange(min=0, max=30000, message=_l("The seat limit cannot be negative.")),
        ],
    )
    signup_opens_at = DateTimeLocalField(
        _l("Sign-up opens"), format=TIME_FORMAT, validators=[Optional()]
    )
    signup_closes_at = DateTimeLocalField(
        _l("Sign-up closes"), format=TIME_FORMAT, validators=[Optional()]
    )
    requirements = TextAreaField(
        _l("Requirements shown to delegates"), validators=[Optional(), Length(max=5000)]
    )
    requires_id_number = BooleanField(_l("Delegates must give an ID document number"))
    status = SelectField(
        _l("Status"),
        choices=choices((s.value, STATUS_LABELS[s.value]) for s in VisitStatus),
        default="open",
    )
    buses = FieldList(FormField(BusForm), min_entries=3, max_entries=30)

    def validate_returns_at(self, field) -> None:
        """Return after departure, shown next to the field."""
        if self.departs_at.data and field.data and field.data <= self.departs_at.data:
            raise ValidationError(_l("The return must be after the departure."))


class SignupForm(Form):
    """A delegate signs up; confirm_clash is set on the second POST after a warning."""

    group_code = StringField(
        _l("Travelling with (group code, optional)"), validators=[Optional(), Length(max=40)]
    )
    id_number = StringField(_l("ID document number"), validators=[Optional(), Length(max=60)])
    confirm_clash = BooleanField(_l("I know it overlaps my agenda; sign me up anyway"))


class AddDelegateForm(Form):
    """An organiser adds a delegate by e-mail or registration number."""

    who = StringField(
        _l("Delegate's e-mail or registration number"), validators=[DataRequired(), Length(max=254)]
    )
    group_code = StringField(_l("Group code"), validators=[Optional(), Length(max=40)])
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=60)])


class MoveForm(Form):
    """Move a sign-up to another visit, or to a bus of this one."""

    visit_id = SelectField(_l("To visit"), coerce=int, choices=[], validate_choice=False)
    bus_id = SelectField(_l("Bus"), coerce=int, choices=[], validate_choice=False)
