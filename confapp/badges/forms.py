"""The organisers' badge printing form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import SelectChoice
from wtforms import SelectField

from confapp.badges.order import ORDERS
from confapp.badges.render import LAYOUTS
from confapp.registration.choices import CATEGORY_LABELS
from confapp.web.forms import Form


class PrintForm(Form):
    """Layout and filters of a print run."""

    layout = SelectField(
        _l("Layout"),
        choices=[SelectChoice(k, v.description) for k, v in LAYOUTS.items()],
        default="a4x4",
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("All categories"))]
        + [SelectChoice(k.value, v) for k, v in CATEGORY_LABELS.items()],
        default="",
    )
    order = SelectField(
        _l("Order"),
        choices=[SelectChoice(k, v) for k, v in ORDERS.items()],
        default="name",
    )
    new_only = BooleanField(
        _l("Only badges not printed yet (new or re-issued since the last print)")
    )
    mark_printed = BooleanField(_l("Record these badges as printed"), default=True)
