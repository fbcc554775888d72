"""Every page and every e-mail in every language (issue 14): a walk over app.url_map.

In the world of tests/route_world.py (the authorisation matrix's), every GET route is
opened by the first role of WALK_ORDER that gets a 200 HTML page for it and, when they
may open it too, by a delegate and by an anonymous visitor (their pages differ most from
an organiser's); a route nobody opens is walked as the first role that gets an HTML error
page (the friendly 400 and 404 pages). Each page is rendered in English and in Arabic,
French, Spanish and Portuguese; the text a person reads is taken from both renders (text
nodes, the <title>, options, the title, aria-label, placeholder and alt attributes,
button values, the strings of JSON scripts that pages hand to their JavaScript; not
scripts, styles and <code>/<kbd>/<samp>, which show commands). A node of the translated
page fails when it is also a node of the English page, holds at least two English words
(one in Arabic, where no Latin word belongs) and one of them is no data.

What counts as data, and so may stay in English:
- every text the world wrote to the database (names, titles, e-mails, codes, places;
  CONTENT_TABLES below), and codes: tokens with "@", "/", ".", "_" or a digit (addresses,
  URLs, file and zone names), acronyms (CSV, PDF, IST) and placeholders ({name});
- reference data (reference_data below): country names, the time-zone list's labels, the
  languages' own names, the software's name;
- words of messages whose translation the catalog spells as in English on purpose (msgstr
  equal to msgid: French "Programme", "Documents").

Every e-mail template is rendered the same way, in the three variants of STAND_INS (each
branch of the templates taken once), with the world's people and stand-ins for the rest.

Each page's findings are printed (pytest -s shows them; a failure shows them anyway).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from confapp import ROOT
from confapp import i18n
from confapp.extensions import db
from tests.route_world import build_world
from tests.route_world import client_for
from tests.route_world import rule_url
from tests.route_world import walk_rules

LANGUAGES = ("ar", "fr", "es", "pt")
# In Arabic any Latin word that is no data or code is left over; in languages written in
# Latin letters one word is often spelled as in English ("Documents", "Scanner"), so a
# node needs two English words there.
LEAST_WORDS = {"ar": 1}

# Who opens a page: the first role of this order that gets it as a 200 HTML page.
WALK_ORDER = ("organiser", "delegate", "staff", "admin", "anonymous")
# Pages also read by these roles are walked once more as each of them.
ALSO_AS = ("delegate", "anonymous")
# Routes not walked: signing out and cancelling the delegate's registration end the
# world's standing (and answer POST only anyway); static files are no pages.
SKIP = {"static", "accounts.logout", "registration.cancel"}

# Tables whose text the world's people typed (or the mail log's subjects, written in the
# recipient's language when the message was sent). The event log, the programme's change
# list and jobs are left out: the app writes their text, and it must follow the reader.
CONTENT_TABLES = (
    "user_account",
    "event",
    "registration",
    "visa_request",
    "room",
    "track",
    "programme_session",
    "visit",
    "bus",
    "announcement",
    "outbox_message",
)

# Elements whose text is no interface sentence: code, and commands to type.
HIDDEN = ("script", "style", "code", "kbd", "samp")
# Attributes people read (screen readers, tooltips, empty fields, images).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# A word: two or more Latin letters, possibly with an apostrophe or hyphen inside.
WORD = re.compile(r"^[A-Za-z][A-Za-z'’-]*[A-Za-z]$")
# Tokens that are codes rather than words: addresses, paths, file and zone names, numbers.
CODE = re.compile(r"[@/._\d]")
# Placeholders of the strings pages hand to their JavaScript ({name}) or of messages.
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")
# What may surround a word.
PUNCTUATION = '()[]{}«»"“”‘’,;:!?…·•–—|*#+=<>←→↑↓★☆✓✗×%'


class _Reading(HTMLParser):
    """The pieces of a page a person reads, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self._hidden = 0  # inside <script> or <style>, or <code>, <kbd>, <samp> (commands)
        self._json = False  # inside <script type="application/json">

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.pieces.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.pieces.append(values.get("value") or "")
        if tag in HIDDEN:
            self._hidden += 1
            self._json = tag == "script" and values.get("type") == "application/json"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1
            self._json = False

    def handle_data(self, data):
        if self._json:
            self.pieces.extend(_strings(json.loads(data)))
        elif not self._hidden:
            self.pieces.append(data)


def _strings(value) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def reading(page: str) -> set[str]:
    """What a person reads on a page, one entry per text node, spaces collapsed."""
    parser = _Reading()
    parser.feed(page)
    parser.close()
    return {text for piece in parser.pieces if (text := " ".join(piece.split()))}


def world_text(app) -> list[str]:
    """Every text the world wrote to CONTENT_TABLES (JSON columns: their strings)."""
    found: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name not in CONTENT_TABLES:
                continue
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, sa.String | sa.JSON) and not isinstance(c.type, sa.Enum)
            ]
            for row in db.session.execute(sa.select(*columns)):
                for value in row:
                    found.update(s.strip() for s in _strings(value) if s and s.strip())
    return sorted(found)


def kept_as_english(language: str) -> set[str]:
    """Messages the catalog translates as spelled in English, on purpose."""
    path = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {m.id for m in catalog if isinstance(m.id, str) and m.id and m.string == m.id}


def data_pattern(data: list[str]) -> re.Pattern:
    """One pattern for every piece of data, longest first (a longer name goes before a
    shorter one inside it), matched as whole words only ("n" is data, "Argentina" stays)."""
    ordered = sorted(set(data), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")


def english_words(text: str) -> list[str]:
    """The words of a text that read as English: two or more Latin letters; no codes
    (addresses, paths, numbers, acronyms such as CSV) and no placeholders ({name})."""
    text = PLACEHOLDER.sub(" ", text)
    words = []
    for token in text.split():
        token = token.strip(PUNCTUATION)
        if WORD.match(token) and not CODE.search(token) and not token.isupper():
            words.append(token)
    return words


def is_english_left(node: str, data: re.Pattern, same_words: set[str], least: int) -> bool:
    """Whether a node found unchanged in both renders is an English interface sentence: at
    least `least` English words, one of them neither data nor a word the catalog keeps as
    in English ("Programme · <the event's title>" is French)."""
    if len(english_words(node)) < least:
        return False
    return any(word not in same_words for word in english_words(data.sub(" ", node)))


@pytest.fixture
def world(app):
    """The shared world of tests/route_world.py."""
    return build_world(app)


def _html(response, error: bool = False) -> str | None:
    """The page, if the answer is a 200 HTML page (or, with `error`, a 4xx one)."""
    wanted = response.status_code == 200 or (error and 400 <= response.status_code < 500)
    if wanted and response.mimetype == "text/html":
        return response.get_data(as_text=True)
    return None


def walk(app, world) -> list[tuple[str, str, str, object, str]]:
    """(endpoint, role, url, signed-in client, English page) for every page walked.

    A route nobody opens (a wrong token, an unknown job in the world) is walked once as the
    first role that gets an HTML error page for it: the friendly 400 and 404 pages."""
    clients = {role: client_for(app, world, role) for role in WALK_ORDER}
    walked = []
    for rule in walk_rules(app):
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        url = rule_url(rule, world["values"])
        opened, errors = [], []
        for role in WALK_ORDER:
            if opened and role not in ALSO_AS:
                continue
            response = clients[role].get(url, query_string={"lang": "en"})
            if response.mimetype not in ("text/html", "text/plain"):
                break  # a file, a feed or the API: no page, whoever asks
            if (page := _html(response)) is not None:
                opened.append((role, page))
            elif not errors and (page := _html(response, error=True)) is not None:
                errors.append((role, page))
        walked.extend(
            (rule.endpoint, role, url, clients[role], page) for role, page in opened or errors
        )
    for client in clients.values():
        # The sign-in redirects of the walk left "Please sign in" notes, flashed in English.
        with client.session_transaction() as session:
            session.pop("_flashes", None)
    return walked


def reference_data() -> list[str]:
    """Data that is not the world's and stays as it is in every language: country names
    in English (CLDR; French spells a few the same), the time-zone list's labels (IANA
    names, and tzdata's English comments kept on purpose as words people search for),
    the languages' own names in the language switcher, and the software's name."""
    from confapp.countries import country_choices
    from confapp.events.zones import zone_choices

    return [
        *(name for _code, name in country_choices("en")),
        *(zone.label for zone in zone_choices(language="en")),
        *(i18n.language_name(code) for code in ("en", *LANGUAGES)),
        "confapp",
    ]


def test_every_page_is_in_every_language(app, world):
    data = data_pattern(world_text(app) + reference_data())
    pages = walk(app, world)
    assert len(pages) >= 90, "the walk opened too few pages: is the world broken?"
    failures = []
    for language in LANGUAGES:
        same_words = {w for message in kept_as_english(language) for w in english_words(message)}
        least = LEAST_WORDS.get(language, 2)
        report = []
        for endpoint, role, url, client, english in pages:
            response = client.get(url, query_string={"lang": language})
            page = _html(response, error=response.status_code != 200)
            assert page is not None, (endpoint, role, url, language, response.status_code)
            left = sorted(
                node
                for node in reading(english) & reading(page)
                if is_english_left(node, data, same_words, least)
            )
            report.append(f"  {endpoint} as {role} ({url}): {len(left)} left {left or ''}")
            failures.extend(f"{endpoint} as {role} in {language}: {node!r}" for node in left)
        print(f"\n{language}: {len(pages)} pages walked")
        print("\n".join(report))
    assert not failures, "English left in the page:\n" + "\n".join(failures)


# --- e-mails ----------------------------------------------------------------------------

EMAILS = ROOT / "templates" / "email"
# What the e-mails name beyond the world (the other delegate, a table, a request's words):
# data too, so the stand-ins' texts join the world's.
OTHER = SimpleNamespace(
    full_name="Raj Mehta",
    email="raj@example.org",
    organisation="Pune Auto Cluster",
    country="IN",
)
TABLE = SimpleNamespace(name="Table 7", location="Foyer B")
REQUEST = SimpleNamespace(message="Let us compare our export figures.", created_at=None)
INVITATION_NAME = "Nia Otieno"
OLD_PLACES = {"old_room": "Room B", "old_meeting_point": "Hotel lobby"}


def email_contexts(values: dict) -> list[dict]:
    """Three contexts that between them take every branch of the e-mail templates: all
    options on, all off, and the remaining cases (a session back on the programme)."""
    from confapp.agenda.models import ProgrammeSession
    from confapp.registration.models import Registration
    from confapp.visa.models import VisaRequest
    from confapp.visits.models import Visit

    registration = db.session.get(Registration, values["reg_id"])
    session = db.session.get(ProgrammeSession, values["session_id"])
    slot = SimpleNamespace(starts_at=session.starts_at, ends_at=session.ends_at)
    REQUEST.created_at = session.starts_at - dt.timedelta(days=40)
    link = "https://confapp.example.org/events/cdc/link"
    invitation = SimpleNamespace(
        full_name=INVITATION_NAME,
        email="nia@example.org",
        expires_at=session.starts_at - dt.timedelta(days=30),
    )
    on = {
        "event": registration.event,
        "reg": registration,
        "registration": registration,
        "user": registration.user,
        "session": session,
        "visit": db.session.get(Visit, values["visit_id"]),
        "visa": db.session.get(VisaRequest, values["request_id"]),
        **dict.fromkeys(
            ("url", "link", "pdf_link", "mine_url", "verify_url", "set_password_url"), link
        ),
        "reset_url": link,
        "slot": slot,
        "cancelled_slot": slot,
        "table": TABLE,
        "meeting": SimpleNamespace(),
        "req": REQUEST,
        "requester": OTHER,
        "actor": OTHER,
        "leaving": OTHER,
        "inviter": OTHER,
        "invitation": invitation,
        "waiting": [(REQUEST, OTHER), (REQUEST, OTHER)],
        "count": 3,
        "position": 4,
        "change": "moved",
        "old_starts": session.starts_at - dt.timedelta(hours=2),
        "old_ends": session.ends_at - dt.timedelta(hours=2),
        "new_room": "Hall A",
        "old_departs": session.starts_at,
        "old_returns": session.ends_at,
        **OLD_PLACES,
        "welcome": True,
        "by_organiser": True,
        "retimed": True,
        "moved": True,
        "role": "organiser",
    }
    off = on | {
        "change": "cancelled",
        "welcome": False,
        "by_organiser": False,
        "retimed": False,
        "role": "staff",
        "meeting": None,
        "cancelled_slot": None,
        "inviter": None,
        "invitation": SimpleNamespace(**vars(invitation) | {"full_name": ""}),
        "set_password_url": None,
        "old_starts": None,
        "old_room": None,
        "req": SimpleNamespace(message="", created_at=REQUEST.created_at),
    }
    rest = on | {"change": "reinstated", "moved": False, "inviter": None}
    return [on, off, rest]


def email_reading(message) -> set[str]:
    """What a person reads in an e-mail: the lines of its text part and its HTML part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return {" ".join(line.split()) for line in text.splitlines() if line.strip()} | reading(html)


def test_every_e_mail_is_in_every_language(app, world):
    from confapp.mail.compose import build_message

    templates = sorted(path.stem for path in EMAILS.glob("*.txt"))
    assert len(templates) >= 25
    stand_ins = [*vars(OTHER).values(), *vars(TABLE).values(), REQUEST.message, INVITATION_NAME]
    data = data_pattern(world_text(app) + reference_data() + stand_ins + list(OLD_PLACES.values()))
    same = {
        language: {w for m in kept_as_english(language) for w in english_words(m)}
        for language in LANGUAGES
    }
    failures, report = [], []
    with app.test_request_context():
        contexts = email_contexts(world["values"])
        for template in templates:
            found = 0
            for context in contexts:
                english = email_reading(
                    build_message("a@example.org", "-", template, language="en", **context)
                )
                for language in LANGUAGES:
                    message = build_message(
                        "a@example.org", "-", template, language=language, **context
                    )
                    left = sorted(
                        node
                        for node in english & email_reading(message)
                        if is_english_left(node, data, same[language], LEAST_WORDS.get(language, 2))
                    )
                    found += len(left)
                    failures.extend(f"{template} in {language}: {node!r}" for node in left)
            report.append(f"  {template}: {found} left")
    print(f"\ne-mails: {len(templates)} templates × {len(contexts)} contexts")
    print("\n".join(report))
    assert not failures, "English left in the e-mail:\n" + "\n".join(failures)


# --- the checker itself -----------------------------------------------------------------


def test_the_checker_tells_english_from_data_and_codes():
    data = data_pattern(["Amina Odhiambo", "Changing paradigms of cluster development"])
    french = {"Programme", "Documents"}

    def left(node: str, least: int = 2) -> bool:
        return is_english_left(node, data, french, least)

    assert left("Choose a country…") and left("Select Amina Odhiambo")
    assert left("Export", least=1) and not left("Export")  # one word: Arabic only
    assert not left("Amina Odhiambo") and not left("Changing paradigms of cluster development")
    assert not left("Programme · Changing paradigms of cluster development")
    assert not left("Download CSV", least=2) and left("Download CSV", least=1)
    assert not left("https://example.org/a/b team@example.org (UTC+05:30) Asia/Kolkata")
    assert not left("{scans}; {conflicts}.")
    page = (
        "<html><head><title>Sign in</title><style>p{}</style></head><body><p>Hello <b>you</b>"
        '<input type="submit" value="Send it"><img alt="Event logo" src="x.png">'
        '<code>confapp badges cdc</code><script>var a = "no";</script>'
        '<script type="application/json">{"t": ["Scanner ready"]}</script></body></html>'
    )
    assert reading(page) == {"Sign in", "Hello", "you", "Send it", "Event logo", "Scanner ready"}
