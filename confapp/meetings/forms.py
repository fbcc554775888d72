"""Forms of the networking meetings feature."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import ValidationError

from confapp.meetings.listing import STATUS_FILTERS
from confapp.meetings.listing import RequestFilters
from confapp.meetings.profiles import MAX_LANGUAGES
from confapp.meetings.profiles import language_choices
from confapp.meetings.requests import PRIORITY_LABELS
from confapp.meetings.requests import PRIORITY_NAMES
from confapp.web.forms import Form
from confapp.web.params import parse_int

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

    directory_opt_in = BooleanField(_l("Show me in the networking directory"))
    offers = TextAreaField(_l("What I offer"), validators=[Optional(), Length(max=2000)])
    seeks = TextAreaField(_l("What I look for"), validators=[Optional(), Length(max=2000)])
    offer_tags = MultiCheckboxField(_l("Topics I offer"), coerce=int, choices=[])
    seek_tags = MultiCheckboxField(_l("Topics I look for"), coerce=int, choices=[])
    languages = SelectMultipleField(_l("Languages I speak"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.languages.choices = choices(language_choices())

    def fill(self, profile, registration, tag_choices) -> None:
        """Offer the event's tags; on a GET, show what the delegate saved."""
        self.offer_tags.choices = tag_choices
        self.seek_tags.choices = tag_choices
        if self.is_submitted():
            return
        self.directory_opt_in.data = registration.directory_opt_in
        if profile is not None:
            self.offers.data = profile.offers
            self.seeks.data = profile.seeks
            self.languages.data = [c for c in profile.languages.split(",") if c]
            self.offer_tags.data = [t.tag_id for t in profile.tags if t.side.value == "offer"]
            self.seek_tags.data = [t.tag_id for t in profile.tags if t.side.value == "seek"]

    def profile_data(self) -> dict:
        """The submitted profile as save_profile() takes it."""
        return {
            "offers": self.offers.data or "",
            "seeks": self.seeks.data or "",
            "languages": self.languages.data or [],
            "offer_tag_ids": self.offer_tags.data or [],
            "seek_tag_ids": self.seek_tags.data or [],
            "opt_in": self.directory_opt_in.data,
        }

    def validate_languages(self, field) -> None:
        """At most MAX_LANGUAGES (the choices themselves are checked by the field)."""
        if len(field.data or []) > MAX_LANGUAGES:
            raise ValidationError(_("Choose at most %(count)d languages.", count=MAX_LANGUAGES))


class RequestForm(Form):
    """Ask someone for a meeting."""

    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=1000)])


class AnswerForm(Form):
    """Accept (optionally with a preferred slot) or book an accepted request."""

    slot_id = SelectField(
        _l("Preferred slot"), coerce=int, choices=[], validate_choice=False, validators=[Optional()]
    )


class AvailabilityForm(Form):
    """The slots I can make."""

    slots = MultiCheckboxField(_l("Slots I am available for"), coerce=int, choices=[])


class FeedbackForm(Form):
    """After the meeting."""

    took_place = RadioField(
        _l("Did the meeting take place?"),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired()],
    )
    rating = SelectField(
        _l("How useful was it?"),
        choices=choices(
            [
                ("", "—"),
                ("5", _l("5 – very")),
                ("4", "4"),
                ("3", "3"),
                ("2", "2"),
                ("1", _l("1 – not at all")),
            ]
        ),
        validators=[Optional()],
    )
    cooperation_likely = BooleanField(_l("Cooperation is likely"))
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)])

    def answers(self) -> dict:
        """The feedback as submit_feedback() takes it."""
        return {
            "took_place": self.took_place.data == "yes",
            "rating": int(self.rating.data) if self.rating.data else None,
            "cooperation_likely": self.cooperation_likely.data,
            "comment": self.comment.data or "",
        }


class SlotsForm(Form):
    """Generate slots in a time range."""

    starts_at = DateTimeLocalField(
        _l("From"), format=TIME_FORMAT, validators=[DataRequired(message=_l("Enter a start."))]
    )
    ends_at = DateTimeLocalField(
        _l("Until"), format=TIME_FORMAT, validators=[DataRequired(message=_l("Enter an end."))]
    )
    minutes = IntegerField(
        _l("Minutes per meeting"),
        default=20,
        validators=[InputRequired(), NumberRange(min=5, max=240)],
    )
    gap = IntegerField(
        _l("Minutes between meetings"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=120)],
    )
    table_limit = IntegerField(
        _l("Tables in use (empty: all)"), validators=[Optional(), NumberRange(min=0, max=2000)]
    )


class TablesForm(Form):
    """Add numbered tables."""

    count = IntegerField(
        _l("How many"), default=10, validators=[InputRequired(), NumberRange(min=1, max=2000)]
    )
    prefix = StringField(_l("Name"), default="Table", validators=[DataRequired(), Length(max=40)])
    location = StringField(_l("Where"), validators=[Optional(), Length(max=200)])


class TagForm(Form):
    """Add a topic tag."""

    name = StringField(_l("Tag"), validators=[DataRequired(), Length(max=80)])


class SettingsForm(Form):
    """Booking mode and request cap."""

    meeting_booking_mode = SelectField(
        _l("Booking"),
        choices=choices(
            [
                ("instant", _l("Instant: a slot is booked on acceptance")),
                ("batch", _l("Batch: organisers schedule")),
            ]
        ),
    )
    max_pending_requests = IntegerField(
        _l("Pending requests per delegate"),
        validators=[InputRequired(), NumberRange(min=1, max=500)],
    )


class ScheduleForm(Form):
    """Run the batch scheduler."""

    reschedule = BooleanField(
        _l("Also move meetings the scheduler placed before (not fixed or self-booked ones)")
    )


class PriorityForm(Form):
    """An organiser's priority for one meeting request (the batch scheduler's weight)."""

    priority = SelectField(
        _l("Priority"),
        coerce=int,
        choices=[SelectChoice(weight, name) for weight, name in PRIORITY_NAMES.items()],
        validators=[InputRequired(message=_l("Choose a priority."))],
    )


class RequestFilterForm(Form):
    """The organisers' filters of the request list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=choices(STATUS_FILTERS.items()),
        default="open",
        validate_choice=False,
    )
    q = StringField(_l("Delegate name"), validators=[Optional(), Length(max=100)])
    priority = SelectField(
        _l("Priority"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(str(weight), name) for weight, name in PRIORITY_NAMES.items()],
        default="",
        validate_choice=False,
    )

    def filters(self) -> RequestFilters:
        """The filters asked for; anything unknown falls back to "no filter"."""
        status = self.status.data if self.status.data in STATUS_FILTERS else "open"
        priority = parse_int(self.priority.data)
        return RequestFilters(
            status=status,
            q=(self.q.data or "")[:100] if not self.q.errors else "",
            priority=priority if priority in PRIORITY_LABELS else None,
        )
