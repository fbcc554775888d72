"""Every route × hostile values (issue 16): no 5xx, and a refusal writes nothing.

The walk is generic, from ``app.url_map``: for each route it sends, to every query
parameter the code reads (found in the source) and every field of every form a page
posts to that route (found by reading the pages), values drawn by hypothesis from what
broke the demo: digits of other scripts, 30-digit and negative numbers, CR/LF, NUL, very
long text, dates in year 1 and 9999, and bytes that are not UTF-8. Each route is visited
as the role that may use it (a delegate for delegate routes, an organiser otherwise), so
the values reach the forms and services instead of a sign-in redirect.

What must hold for every request:
- no 5xx;
- a GET writes nothing, and neither does a refused POST (any 4xx): no INSERT, UPDATE or
  DELETE reaches the database (counted by an engine listener);
- nothing hostile is stored by an accepted POST: no NUL, no CR, no control character in
  any text column, no date outside the years 1900–2100 (scanned at the end).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from confapp.extensions import db
from tests.route_world import LAST
from tests.route_world import build_world
from tests.route_world import client_for
from tests.route_world import rule_url
from tests.web.test_authorisation_matrix import EXPECTED

SOURCE = Path(__file__).resolve().parents[2] / "confapp"
# request.args.get("x"), args.getlist("x"), int_arg("x"), _positive_int("x", ...)
_ARG_READ = re.compile(r"""(?:args\.get|args\.getlist|int_arg|_positive_int)\(\s*["']([a-z_]+)""")
# Routes that are not pages or forms of the app: files, or rules walked elsewhere.
SKIP = {"static"}
# Pages only a delegate (with a registration) reaches; everything else is walked as an
# organiser of the event, who reaches every organiser page and the public ones.
DELEGATE_PAGES = {
    "registration.mine",
    "registration.edit",
    "agenda.my_agenda",
    "badges.my_badge",
    "meetings.mine",
    "meetings.directory_page",
    "meetings.profile",
    "meetings.availability",
}


@pytest.fixture
def world(app):
    """The shared world of tests/route_world.py."""
    return build_world(app)


def query_names() -> list[str]:
    """Every query parameter name the code reads, plus the language switch."""
    names = {"lang"}
    for path in SOURCE.rglob("*.py"):
        names.update(_ARG_READ.findall(path.read_text(encoding="utf-8")))
    return sorted(names - {"validators", "filters", "render_kw"})


class _Forms(HTMLParser):
    """The forms of a page: (method, action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append(
                ((values.get("method") or "get").lower(), values.get("action"), set())
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms and values.get("name"):
            if values.get("type") not in ("submit",) and values["name"] != "csrf_token":
                self.forms[-1][2].add(values["name"])


def role_for(endpoint: str) -> str:
    """The role that may use a route: the delegate for their own pages, else an organiser."""
    allowed = EXPECTED[endpoint][1] or set()
    return "delegate" if endpoint in DELEGATE_PAGES or allowed == {"delegate"} else "organiser"


def _rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    # Signing out and cancelling end the role's standing: walked last.
    return sorted(rules, key=lambda r: (r.endpoint in LAST, r.endpoint))


def discover(app, state, clients) -> dict[str, dict[str, set[str]]]:
    """{endpoint: {"GET": query names, "POST": field names}} from the code and the pages."""
    adapter = app.url_map.bind("localhost")
    common = set(query_names())
    found: dict[str, dict[str, set[str]]] = {
        r.endpoint: {"GET": set(common), "POST": set()} for r in _rules(app)
    }
    for rule in _rules(app):
        if "GET" not in rule.methods or rule.endpoint in LAST:
            continue
        url = rule_url(rule, state["values"])
        response = clients[role_for(rule.endpoint)].get(url)
        if response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for method, action, names in parser.forms:
            target = urllib.parse.urlsplit(action or url).path
            try:
                endpoint, _ = adapter.match(target, method=method.upper())
            except Exception:  # noqa: BLE001, S112 - a link elsewhere (or a 405): not ours
                continue
            if endpoint in found:
                found[endpoint]["GET" if method == "get" else "POST"].update(names)
    return found


# --- hostile values ----------------------------------------------------------------------

_LONG = "<long text:"


def expand(value: str) -> str:
    """Very long text travels through hypothesis as a short marker (its reports stay short)."""
    if value.startswith(_LONG):
        return "é" * int(value[len(_LONG) : -1])
    return value


_DIGITS_OF_OTHER_SCRIPTS = "²³¹٣٤۵߂३৪੫૬୭௮౯೦൧෨๓໔༥၆႗០᠑᥇᧐᭒᮳᱄᱕꘠꣐꤁꧐꩐꯰０"
hostile_text = st.one_of(
    st.text(alphabet=_DIGITS_OF_OTHER_SCRIPTS, min_size=1, max_size=4),
    st.integers(min_value=10**29, max_value=10**30 - 1).map(str),
    st.integers(max_value=-1).map(str),
    st.sampled_from(["-1", "-0", "+5", "1e9", "0x1F", "2147483648", "99999999999", " 7 "]),
    st.text(min_size=0, max_size=8).map(lambda t: f"line one\r\nline two{t}\rthree\n"),
    st.text(max_size=8).map(lambda t: f"nul\x00{t}"),
    st.integers(min_value=5_000, max_value=40_000).map(lambda n: f"{_LONG}{n}>"),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00",
            "2027-02-30",
            "2027-13-01T25:61",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)
# Raw bytes that are not UTF-8 (overlong, lone continuation and surrogate encodings).
invalid_utf8 = st.sampled_from(
    [b"\xff\xfe", b"\xc0\xaf", b"\x80abc", b"\xed\xa0\x80", b"caf\xe9", b"\xf5\x80\x80\x80"]
)


def _encode(pairs: list[tuple[str, bytes | str]]) -> bytes:
    out = []
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        out.append(
            f"{urllib.parse.quote(name)}=".encode() + urllib.parse.quote_from_bytes(raw).encode()
        )
    return b"&".join(out)


# --- what the database saw -----------------------------------------------------------------


class _Writes:
    """Counts INSERT/UPDATE/DELETE statements sent on the app's engine."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(statement.split("\n", 1)[0][:120])


# Writes a GET may make on purpose (none today); a refused POST makes none either.
BENIGN_WRITES = re.compile(r"^$")


def _stored_problems(app) -> list[str]:
    """Hostile values that reached a table: control characters in text, absurd dates."""
    problems = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                kind = column.type
                if isinstance(kind, sa.String | sa.Text):
                    for (value,) in db.session.execute(
                        sa.select(column).where(column.is_not(None))
                    ):
                        if not isinstance(value, str):
                            continue
                        bad = {c for c in value if ord(c) < 32 and c not in "\n\t"}
                        if bad:
                            problems.append(f"{table.name}.{column.name} holds {sorted(bad)!r}")
                elif isinstance(kind, sa.Date | sa.DateTime):
                    for (value,) in db.session.execute(
                        sa.select(column).where(column.is_not(None))
                    ):
                        if isinstance(value, dt.date) and not 1900 <= value.year <= 2100:
                            problems.append(f"{table.name}.{column.name} = {value}")
    return problems


class Walk(dict):
    """Clients per role, the routes' discovered inputs and the world (short repr: hypothesis
    prints the arguments of a failing example)."""

    def __repr__(self) -> str:
        return f"<walk of {len(self['routes'])} routes>"


@pytest.fixture
def walk(app, world):
    clients = {role: client_for(app, world, role) for role in ("delegate", "organiser")}
    return Walk(clients=clients, routes=discover(app, world, clients), world=world)


def _send(app, walk, rule, method: str, pairs) -> tuple[int, list[str]]:
    client = walk["clients"][role_for(rule.endpoint)]
    url = rule_url(rule, walk["world"]["values"])
    with app.app_context():
        engine = db.engine
    with _Writes(engine) as writes:
        if method == "GET":
            response = client.get(url + "?" + _encode(pairs).decode("ascii"))
        else:
            response = client.post(
                url, data=_encode(pairs), content_type="application/x-www-form-urlencoded"
            )
    if rule.endpoint == "accounts.logout":
        walk["clients"][role_for(rule.endpoint)] = client_for(app, walk["world"], "organiser")
    return response.status_code, writes.statements


def _where(exc: Exception) -> str:
    """The exception and the deepest line of confapp it went through."""
    place, frame = "?", exc.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if "/confapp/" in name:
            place = f"{name.rsplit('/confapp/', 1)[1]}:{frame.tb_lineno}"
        frame = frame.tb_next
    return f"{exc!r:.100} at confapp/{place}"


@settings(
    # Three draws of every kind walk every route four times; BAD_INPUT_EXAMPLES=50 digs deeper.
    max_examples=int(os.environ.get("BAD_INPUT_EXAMPLES", 3)),
    deadline=None,
    derandomize=True,  # the same values in CI as here
    phases=[Phase.explicit, Phase.generate],  # every problem is listed; no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_text, raw=invalid_utf8)
def test_every_route_survives_hostile_values(app, walk, text, raw):
    text = expand(text)
    problems = []
    for rule in _rules(app):
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            names = sorted(walk["routes"][rule.endpoint][method]) or ["id", "value"]
            for pairs in ([(n, text) for n in names], [(n, raw) for n in names]):
                try:
                    status, writes = _send(app, walk, rule, method, pairs)
                except Exception as exc:  # noqa: BLE001 - the testing app raises what is a 500
                    status, writes = 500, []
                    pairs = [(pairs[0][0], f"{pairs[0][1]!r:.40} -> {_where(exc)}")]
                if status >= 500:
                    problems.append(f"{method} {rule.endpoint}: {status} for {pairs[0][1]!s:.200}")
                refused = method == "GET" or 400 <= status < 500
                if refused and writes:
                    problems.append(f"{method} {rule.endpoint} ({status}) wrote: {writes[:3]}")
    problems.extend(_stored_problems(app))
    assert not problems, "\n".join(problems[:40])


def test_the_walk_reaches_forms_and_query_parameters(app, walk):
    """The discovery is not empty: forms are read and their fields found."""
    routes = walk["routes"]
    assert {"q", "page", "status"} <= routes["registration.manage_list"]["GET"]
    assert {"full_name", "email"} <= routes["registration.manage_add"]["POST"]
    assert "title" in routes["agenda.session_new"]["POST"]
    assert "offers" in routes["meetings.profile"]["POST"]
