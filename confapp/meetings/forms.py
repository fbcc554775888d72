"""Forms of the networking meetings feature."""

from __future__ import annotations

from wtforms import SelectChoice
from wtforms import widgets
from wtforms.fields import BooleanField
from wtforms.fields import DateTimeLocalField
from wtforms.fields import IntegerField
from wtforms.fields import RadioField
from wtforms.fields import SelectField
from wtforms.fields import SelectMultipleField
from wtforms.fields import StringField
from wtforms.fields import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from confapp.meetings.services import PRIORITY_LEVELS
from confapp.web.forms import Form

TIME_FORMAT = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (no JavaScript needed)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProfileForm(Form):
    """What I offer and look for, languages, tags, directory opt-in."""

    directory_opt_in = BooleanField("Show me in the networking directory")
    offers = TextAreaField("What I offer", validators=[Optional(), Length(max=2000)])
    seeks = TextAreaField("What I look for", validators=[Optional(), Length(max=2000)])
    offer_tags = MultiCheckboxField("Topics I offer", coerce=int, choices=[])
    seek_tags = MultiCheckboxField("Topics I look for", coerce=int, choices=[])
    languages = StringField(
        "Languages I speak (two-letter codes)", validators=[Optional(), Length(max=100)]
    )


class RequestForm(Form):
    """Ask someone for a meeting."""

    message = TextAreaField("Message", validators=[Optional(), Length(max=1000)])


class AnswerForm(Form):
    """Accept (optionally with a preferred slot) or book an accepted request."""

    slot_id = SelectField(
        "Preferred slot", coerce=int, choices=[], validate_choice=False, validators=[Optional()]
    )


class AvailabilityForm(Form):
    """The slots I can make."""

    slots = MultiCheckboxField("Slots I am available for", coerce=int, choices=[])


class FeedbackForm(Form):
    """After the meeting."""

    took_place = RadioField(
        "Did the meeting take place?",
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired()],
    )
    rating = SelectField(
        "How useful was it?",
        choices=choices(
            [
                ("", "—"),
                ("5", "5 – very"),
                ("4", "4"),
                ("3", "3"),
                ("2", "2"),
                ("1", "1 – not at all"),
            ]
        ),
        validators=[Optional()],
    )
    cooperation_likely = BooleanField("Cooperation is likely")
    comment = StringField("Comment", validators=[Optional(), Length(max=1000)])


class SlotsForm(Form):
    """Generate slots in a time range."""

    starts_at = DateTimeLocalField(
        "From", format=TIME_FORMAT, validators=[DataRequired(message="Enter a start.")]
    )
    ends_at = DateTimeLocalField(
        "Until", format=TIME_FORMAT, validators=[DataRequired(message="Enter an end.")]
    )
    minutes = IntegerField(
        "Minutes per meeting", default=20, validators=[InputRequired(), NumberRange(min=5, max=240)]
    )
    gap = IntegerField(
        "Minutes between meetings", default=0, validators=[Optional(), NumberRange(min=0, max=120)]
    )
    table_limit = IntegerField(
        "Tables in use (empty: all)", validators=[Optional(), NumberRange(min=0, max=2000)]
    )


class TablesForm(Form):
    """Add numbered tables."""

    count = IntegerField(
        "How many", default=10, validators=[InputRequired(), NumberRange(min=1, max=2000)]
    )
    prefix = StringField("Name", default="Table", validators=[DataRequired(), Length(max=40)])
    location = StringField("Where", validators=[Optional(), Length(max=200)])


class TagForm(Form):
    """Add a topic tag."""

    name = StringField("Tag", validators=[DataRequired(), Length(max=80)])


class SettingsForm(Form):
    """Booking mode and request cap."""

    meeting_booking_mode = SelectField(
        "Booking",
        choices=choices(
            [
                ("instant", "Instant: a slot is booked on acceptance"),
                ("batch", "Batch: organisers schedule"),
            ]
        ),
    )
    max_pending_requests = IntegerField(
        "Pending requests per delegate", validators=[InputRequired(), NumberRange(min=1, max=500)]
    )


class ScheduleForm(Form):
    """Run the batch scheduler."""

    reschedule = BooleanField(
        "Also move meetings the scheduler placed before (not fixed or self-booked ones)"
    )


class PriorityForm(Form):
    """An organiser's priority for one meeting request (the batch scheduler's weight)."""

    priority = SelectField(
        "Priority",
        coerce=int,
        choices=[SelectChoice(weight, name.title()) for name, weight in PRIORITY_LEVELS.items()],
        validators=[InputRequired(message="Choose a priority.")],
    )
