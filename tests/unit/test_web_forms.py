"""The base form cleans text, numbers and dates the same way in every field."""

from __future__ import annotations

import pytest
from wtforms import DateField
from wtforms import FieldList
from wtforms import FormField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from confapp.web.forms import Form
from confapp.web.forms import SubForm
from confapp.web.forms import multi_line
from confapp.web.forms import one_line


class _Row(SubForm):
    name = StringField()


class _Sample(Form):
    name = StringField()
    note = TextAreaField()
    secret = PasswordField()
    seats = IntegerField(validators=[Optional()])
    day = DateField(validators=[Optional()])
    rows = FieldList(FormField(_Row), min_entries=1)


def _form(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = _Sample(meta={"csrf": False})
        form.validate()
        return form


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ana\r\nExample", "Ana Example"),
        ("  Ana\tExample\u2028Jr  ", "Ana Example Jr"),
        ("Ana\x00\x07Example", "Ana Example"),
        ("Kyiv\x85Cluster", "Kyiv Cluster"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),
    ],
)
def test_one_line_fields_lose_breaks_and_control_characters(raw, clean):
    assert one_line(raw) == clean


def test_textareas_keep_lines_with_lf_endings():
    assert multi_line("one\r\ntwo\rthree  \n\x07four\n") == "one\ntwo\nthree\nfour"
    assert multi_line("a\u2029b") == "a\n\nb"


def test_every_field_of_a_form_is_cleaned(app):
    form = _form(
        app,
        name="Ana\r\nExample",
        note="a\r\nb",
        secret=" keep\tme ",
        **{"rows-0-name": "Bus\n1"},
    )
    assert form.name.data == "Ana Example"
    assert form.note.data == "a\nb"
    assert form.secret.data == " keep\tme "  # passwords are never rewritten
    assert form.rows[0].form.name.data == "Bus 1"


@pytest.mark.parametrize("raw", ["٣", "²", "1" * 25, "2147483648", "1e3", "--1"])
def test_integers_are_plain_digits_in_range(app, raw):
    form = _form(app, seats=raw)
    assert form.seats.errors, raw
    assert form.seats.data is None or form.seats.errors


def test_a_plain_integer_passes(app):
    form = _form(app, seats="42")
    assert form.seats.data == 42 and not form.seats.errors


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_dates_out_of_range_are_refused(app, raw):
    assert "between the years 1900 and 2100" in " ".join(_form(app, day=raw).day.errors)


def test_filters_are_not_added_again_for_each_instance(app):
    for _ in range(3):
        form = _form(app, name="x")
    assert len(form.name.filters) == 1
