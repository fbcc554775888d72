"""The compose form: texts per language, the segment's filters, and how it goes out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional

from confapp import country_groups as cg
from confapp.agenda.models import ProgrammeSession
from confapp.comms import segments
from confapp.comms.services import Draft
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.registration.choices import CATEGORY_LABELS
from confapp.registration.choices import ORGANISATION_TYPE_LABELS
from confapp.registration.choices import SECTOR_LABELS
from confapp.registration.forms import MultiCheckboxField
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit
from confapp.web.forms import Form
from confapp.web.forms import collect_translations
from confapp.web.forms import translation_fields

TRANSLATED = {"subject": 200, "body": 20000}
ANY_YES_NO = [
    SelectChoice("", _l("Any")),
    SelectChoice("yes", _l("Yes")),
    SelectChoice("no", _l("No")),
]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(getattr(value, "value", value)), label) for value, label in pairs]


class ComposeForm(Form):
    """Write an announcement and choose who gets it (the base texts are in the event's
    default language; translation_fields adds one input per other offered language)."""

    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Message (Markdown)"), validators=[Optional(), Length(max=20000)])
    status = MultiCheckboxField(
        _l("Registration status"),
        choices=_choices((s, segments.STATUS_LABELS[s]) for s in RegistrationStatus),
        default=[RegistrationStatus.CONFIRMED.value],
    )
    category = MultiCheckboxField(_l("Category"), choices=_choices(CATEGORY_LABELS.items()))
    organisation_type = MultiCheckboxField(
        _l("Organisation type"), choices=_choices(ORGANISATION_TYPE_LABELS.items())
    )
    sector = MultiCheckboxField(_l("Sector"), choices=_choices(SECTOR_LABELS.items()))
    country = StringField(
        _l("Countries (ISO codes, separated by commas)"), validators=[Optional(), Length(max=600)]
    )
    country_group = MultiCheckboxField(_l("Country groups"), choices=[])
    visit_id = SelectField(_l("Signed up for the visit"), choices=[], default="")
    session_id = SelectField(_l("Signed up for the session"), choices=[], default="")
    attended = SelectField(_l("Attended"), choices=[], default="")
    not_attended = SelectField(_l("Did not attend"), choices=[], default="")
    has_meetings = SelectField(_l("Has meetings scheduled"), choices=ANY_YES_NO, default="")
    pending_meeting_request = SelectField(
        _l("Has a meeting request to answer"), choices=ANY_YES_NO, default=""
    )
    visa_letter_missing = BooleanField(_l("Needs a visa letter and has not got one"))
    attach = SelectField(_l("Attach a calendar file"), choices=[], default="")
    email = BooleanField(_l("Send by e-mail"), default=True)
    publish = BooleanField(_l("Publish on the event's pages"))
    send_at = DateTimeLocalField(
        _l("Send at (event's time; empty: now)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    preview_as = SelectField(_l("Preview as"), choices=[], validate_choice=False)

    def fill_choices(self, event: Any) -> None:
        """Visits, seat-limited sessions and checkpoints of this event."""
        visits = db.session.scalars(
            sa.select(Visit).where(Visit.event_id == event.id).order_by(Visit.departs_at)
        ).all()
        sessions = db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        ).all()
        anyone = [("", _l("Anyone"))]
        self.visit_id.choices = _choices(anyone + [(v.id, tr(v, "title")) for v in visits])
        self.session_id.choices = _choices(
            anyone + [(s.id, tr(s, "title")) for s in sessions if s.pool is not None]
        )
        points = [("entrance", _l("The entrance"))]
        points += [(f"session:{s.id}", tr(s, "title")) for s in sessions]
        points += [(f"visit:{v.id}", tr(v, "title")) for v in visits]
        self.attended.choices = _choices(anyone + points)
        self.not_attended.choices = _choices(anyone + points)
        attachable = [("", _l("No attachment"))]
        attachable += [(f"session:{s.id}", tr(s, "title")) for s in sessions]
        attachable += [(f"visit:{v.id}", tr(v, "title")) for v in visits]
        self.attach.choices = _choices(attachable)
        self.country_group.choices = _choices(cg.group_choices())

    def segment(self) -> dict[str, Any]:
        """The filters as a segment (checked by segments.parse in the service)."""
        raw: dict[str, Any] = {}
        for key in ("status", "category", "organisation_type", "sector", "country_group"):
            if self[key].data:
                raw[key] = list(self[key].data)
        countries = [c.strip() for c in (self.country.data or "").split(",") if c.strip()]
        if countries:
            raw["country"] = countries
        for key in ("visit_id", "session_id"):
            if self[key].data:
                raw[key] = int(self[key].data)
        for key in ("attended", "not_attended"):
            if self[key].data:
                raw[key] = [self[key].data]
        for key in ("has_meetings", "pending_meeting_request"):
            if self[key].data in ("yes", "no"):
                raw[key] = self[key].data == "yes"
        if self.visa_letter_missing.data:
            raw["visa_letter_missing"] = True
        return raw

    def draft(self, event: Any) -> Draft:
        """What the organiser wrote, for the service to check."""
        texts = collect_translations(self, TRANSLATED)
        default = event.default_language
        subject = {**texts["subject"], default: self.subject.data or ""}
        body = {**texts["body"], default: self.body.data or ""}
        send_at = None
        if self.send_at.data:
            send_at = self.send_at.data.replace(tzinfo=event.tz).astimezone(dt.UTC)
        return Draft(
            subject=subject,
            body=body,
            segment=self.segment(),
            send_at=send_at,
            publish=bool(self.publish.data),
            email=bool(self.email.data),
            attach=self.attach.data or "",
        )


def compose_form(event: Any, **kwargs: Any) -> ComposeForm:
    """The compose form of an event, with its per-language inputs and choices."""
    form_class = translation_fields(
        ComposeForm, event, TRANSLATED, multiline=("body",), grouped_by_language=True
    )
    form = form_class(**kwargs)
    form.fill_choices(event)
    return form
