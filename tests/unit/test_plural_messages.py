"""Counts are said with each language's plural forms, never with "(s)" (issue 14): the
messages that used to fake them, in English and in Arabic (zero, one, two, few, many, other)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from flask_babel import ngettext

from confapp.errors import DomainError
from confapp.meetings import booking
from confapp.meetings import services
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

# Plural messages that name what they count without a number: Arabic still says one column,
# two columns (the dual) and columns.
LISTS = [
    ("missing column: %(columns)s", "missing columns: %(columns)s", {"columns": "x"}),
    (
        "unknown column: %(columns)s (expected: %(expected)s)",
        "unknown columns: %(columns)s (expected: %(expected)s)",
        {"columns": "x", "expected": "y"},
    ),
    (
        "Missing column: %(missing)s. Expected: %(expected)s.",
        "Missing columns: %(missing)s. Expected: %(expected)s.",
        {"missing": "x", "expected": "y"},
    ),
]
# The counted plural messages that replaced "(s)", with a value for their other placeholders.
PLURALS = [
    (
        "Scheduled %(num)d new meeting; %(total)d in open slots in all.",
        "Scheduled %(num)d new meetings; %(total)d in open slots in all.",
        {"total": 7},
    ),
    ("%(num)d waiting request", "%(num)d waiting requests", {}),
    (
        "%(num)d booked meeting is cancelled (its slot and table freed)",
        "%(num)d booked meetings are cancelled (slots and tables freed)",
        {},
    ),
    (
        "%(num)d open meeting request is withdrawn",
        "%(num)d open meeting requests are withdrawn",
        {},
    ),
    (
        "Networking: %(what)s; the other delegate is e-mailed.",
        "Networking: %(what)s; the %(num)d other delegates are e-mailed.",
        {"what": "x"},
    ),
    (
        "%(num)d networking profile loses the topic “%(name)s”; no one is e-mailed.",
        "%(num)d networking profiles lose the topic “%(name)s”; no one is e-mailed.",
        {"name": "x"},
    ),
    (
        "%(num)d delegate had marked it as a time they cannot make.",
        "%(num)d delegates had marked it as a time they cannot make.",
        {},
    ),
    (
        "This slot has %(num)d booked meeting; cancel it first.",
        "This slot has %(num)d booked meetings; cancel them first.",
        {},
    ),
]


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def setup_event(slots: int, tables: int, people: int):
    """An event with meeting slots (20 minutes from 14:00), tables and confirmed delegates."""
    event = make_event()
    start = local_time(event, 0, "14:00")
    services.generate_slots(event, start, start + dt.timedelta(minutes=20 * slots), 20)
    services.add_tables(event, tables)
    regs = [
        make_confirmed_registration(event, f"p{i}@example.org", directory_opt_in=True)
        for i in range(people)
    ]
    return event, regs


def _in(language: str, singular: str, plural: str, n: int, **values) -> str:
    with force_locale(language):
        return ngettext(singular, plural, n, **values)


@pytest.mark.parametrize(("singular", "plural", "values"), PLURALS, ids=lambda v: str(v)[:30])
def test_arabic_says_one_two_few_many_and_other_differently(ctx, singular, plural, values):
    said = {n: _in("ar", singular, plural, n, **values) for n in (1, 2, 3, 11, 100)}
    assert len(set(said.values())) == 5, said
    # English has one form for 1 and another for every other count, French and Spanish too.
    for language in ("en", "fr", "es"):
        assert _in(language, singular, plural, 1, **values) != _in(
            language, singular, plural, 2, **values
        )


@pytest.mark.parametrize(("singular", "plural", "values"), LISTS, ids=lambda v: str(v)[:30])
def test_arabic_names_one_two_or_more_columns(ctx, singular, plural, values):
    said = [_in("ar", singular, plural, n, **values) for n in (1, 2, 3, 11, 100)]
    assert len(set(said[:3])) == 3 and said[2] == said[3] == said[4], said
    assert _in("en", singular, plural, 1, **values) != _in("en", singular, plural, 2, **values)


def test_the_arabic_forms_are_the_grammar_of_each_count(ctx):
    message = PLURALS[-2][:2]
    assert [_in("ar", *message, n) for n in (1, 2, 3, 11, 100)] == [
        "حدّده مشارك واحد على أنه وقت لا يناسبه.",
        "حدّده مشاركان على أنه وقت لا يناسبهما.",
        "حدّده 3 مشاركين على أنه وقت لا يناسبهم.",
        "حدّده 11 مشاركًا على أنه وقت لا يناسبهم.",
        "حدّده 100 مشارك على أنه وقت لا يناسبهم.",
    ]
    # 103 and 111 take the forms of 3 and 11 (the last two digits decide).
    assert _in("ar", *message, 103) == "حدّده 103 مشاركين على أنه وقت لا يناسبهم."
    assert _in("ar", *message, 111) == "حدّده 111 مشاركًا على أنه وقت لا يناسبهم."


def test_a_sentence_with_two_counts_puts_each_in_its_own_form(ctx):
    def reminded(language: str, delegates: int, requests: int) -> str:
        with force_locale(language):
            return gettext(
                "Reminded %(delegates)s of %(requests)s.",
                delegates=ngettext("%(num)d delegate", "%(num)d delegates", delegates),
                requests=ngettext("%(num)d waiting request", "%(num)d waiting requests", requests),
            )

    assert reminded("en", 1, 3) == "Reminded 1 delegate of 3 waiting requests."
    assert reminded("fr", 2, 1) == "Rappel envoyé à 2 délégué·es pour 1 demande en attente."
    assert reminded("ar", 2, 11) == "تلقّى مشاركان تذكيرًا بشأن 11 طلب لقاء معلّقًا."
    assert reminded("ar", 3, 2) == "تلقّى 3 مشاركين تذكيرًا بشأن طلبَي لقاء معلّقين."


def test_deleting_a_slot_counts_delegates_and_meetings_in_words(ctx):
    event, regs = setup_event(slots=2, tables=2, people=4)
    first, second = services.list_slots(event)
    services.set_availability(event, regs[0], [second.id])
    lines = booking.delete_slot_consequences(first)
    assert lines[1:] == ["1 delegate had marked it as a time they cannot make."]
    services.set_availability(event, regs[1], [second.id])
    with force_locale("ar"):
        assert booking.delete_slot_consequences(first)[1:] == [
            "حدّده مشاركان على أنه وقت لا يناسبهما."
        ]
    services.set_availability(event, regs[0], [first.id, second.id])
    services.set_availability(event, regs[1], [first.id, second.id])
    for requester, invitee in ((regs[0], regs[1]), (regs[2], regs[3])):
        request = services.send_request(event, requester, invitee, "", NOW)
        services.accept_request(event, request, invitee, NOW, slot_id=first.id)
    with pytest.raises(DomainError) as refused:
        booking.delete_slot(first)
    assert str(refused.value) == "This slot has 2 booked meetings; cancel them first."


def test_leaving_says_what_it_releases_in_words(ctx):
    event, (a, b, c, _d) = setup_event(slots=2, tables=1, people=4)
    services.accept_request(event, services.send_request(event, a, b, "", NOW), b, NOW)
    services.send_request(event, c, a, "", NOW)
    assert services.describe_meetings_of(a, now=NOW) == [
        "Networking: 1 booked meeting is cancelled (its slot and table freed) and 1 open "
        "meeting request is withdrawn; the 2 other delegates are e-mailed."
    ]
    assert services.describe_meetings_of(b, now=NOW) == [
        "Networking: 1 booked meeting is cancelled (its slot and table freed); "
        "the other delegate is e-mailed."
    ]
    with force_locale("ar"):
        assert services.describe_meetings_of(b, now=NOW) == [
            "لقاءات الأعمال: يُلغى لقاء محجوز واحد وتُحرَّر فترته الزمنية وطاولته؛ "
            "ويُبلَّغ المشارك الآخر بالبريد الإلكتروني."
        ]
