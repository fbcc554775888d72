"""The organisers' badge printing form."""

from __future__ import annotations

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
        "Layout",
        choices=[SelectChoice(k, v.description) for k, v in LAYOUTS.items()],
        default="a4x4",
    )
    category = SelectField(
        "Category",
        choices=[SelectChoice("", "All categories")]
        + [SelectChoice(k.value, v) for k, v in CATEGORY_LABELS.items()],
        default="",
    )
    order = SelectField(
        "Order",
        choices=[SelectChoice(k, v) for k, v in ORDERS.items()],
        default="name",
    )
    new_only = BooleanField("Only badges not printed yet (new or re-issued since the last print)")
    mark_printed = BooleanField("Record these badges as printed", default=True)
