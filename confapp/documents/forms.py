"""The organisers' documents settings: letterhead text and the logo and signature images."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length

from confapp.web.forms import Form


class DocumentsForm(Form):
    """What badges, visa letters and certificates print about the organiser."""

    organiser_name = StringField(_l("Organiser"), validators=[Length(max=200)])
    organiser_address = TextAreaField(_l("Postal address"), validators=[Length(max=500)])
    letter_contact = StringField(_l("Contact line"), validators=[Length(max=300)])
    logo = FileField(_l("Logo (PNG or JPEG, at most 2 MB)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    signature = FileField(_l("Signature (PNG or JPEG, at most 2 MB)"))
    remove_signature = BooleanField(_l("Remove the signature"))
