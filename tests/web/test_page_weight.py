"""Page weight for delegates on slow connections: every public page, with everything it loads
from the app (stylesheets, scripts, images, fonts), is at most 100 KB gzipped, and none
loads anything from another host. Weighed with a realistic event: the demo conference
plus extra rooms, a programme of over 100 sessions with speakers and descriptions."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.agenda import services as agenda
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.demo.seed import demo_event
from confapp.demo.seed import seed_demo
from confapp.extensions import db
from tests.helpers import sign_in

BUDGET = 100_000  # bytes, gzipped: one page and everything it loads
HOST = "localhost"  # the Flask test client's host
SLOTS = ["09:00", "10:15", "11:30", "13:30", "14:45", "16:00"]
EXTRA_ROOMS = ["Jasmine", "Neem", "Peepal", "Tamarind"]
DESCRIPTION = (
    "How clusters of small firms in {room} and beyond {verb} — with figures from field "
    "programmes in Asia, Africa and Latin America.\n\n"
    "- what the cluster association did first, and what it would do differently\n"
    "- the role of the local bank and of the state agency\n"
    "- results after three years: jobs, exports, energy use\n\n"
    "Speakers share their slides on the **event page** after the session."
)
VERBS = ["upgraded technology", "reached export markets", "cut energy bills", "trained workers"]

# Resources a page makes the browser fetch: (tag, attribute).
RESOURCE_ATTRS = {
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# Modules a script imports: `import ... from "x"`, `import "x"`, `import("x")`.
JS_IMPORT = re.compile(
    r"""\bimport\s*(?:[\w*{}\s,]+from\s*)?["']([^"']+)["']"""
    r"""|\bimport\(\s*["']([^"']+)["']\s*\)"""
)


class ResourceParser(HTMLParser):
    """Collects the URLs of resources a page loads (not the links a person may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not {"stylesheet", "icon", "preload", "modulepreload"} & set(
            (attrs.get("rel") or "").lower().split()
        ):
            return  # rel=canonical, alternate...: not fetched to show the page
        for name, value in attrs.items():
            if (tag, name) in RESOURCE_ATTRS and value:
                for candidate in value.split(",") if name == "srcset" else [value]:
                    self.urls.append((tag, candidate.strip().split(" ")[0]))


def _foreign(url: str) -> bool:
    """Whether the URL points to another host (data: URLs are inline, not fetched)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or url.startswith("//"):
        return parts.hostname != HOST
    return parts.scheme not in ("", "data")


def weigh(client, path: str) -> tuple[int, list[tuple[str, int, int]], list[str]]:
    """Gzipped total of the page and all it loads, the parts (url, raw, gzipped), foreign URLs."""
    total, parts, foreign = measure(client, path)
    return total, [(url, raw, gz) for url, raw, _sent, gz in parts], foreign


def transferred(parts: list[tuple[str, int, int, int]]) -> int:
    """Bytes this app sends for a first load (bodies as encoded for Accept-Encoding: gzip)."""
    return sum(sent for _url, _raw, sent, _gz in parts)


def measure(client, path: str) -> tuple[int, list[tuple[str, int, int, int]], list[str]]:
    """Fetch a page and everything it loads as a browser would (Accept-Encoding: gzip, CSS
    url()s, module imports of scripts): the gzipped total, the parts (url, raw bytes, bytes
    sent by the app, bytes gzipped at level 6) and the URLs on other hosts."""
    seen: dict[str, tuple[int, int, int]] = {}
    foreign: list[str] = []
    queue = [(urljoin(f"http://{HOST}/", path), "page")]
    while queue:
        url, kind = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
        sent = response.get_data()
        encoding = response.headers.get("Content-Encoding")
        assert encoding in (None, "gzip"), f"{url}: {encoding} although only gzip was accepted"
        body = gzip.decompress(sent) if encoding == "gzip" else sent
        seen[url] = (len(body), len(sent), len(gzip.compress(body, compresslevel=6)))
        found: list[str] = []
        if kind == "page":
            parser = ResourceParser()
            parser.feed(body.decode())
            found = [u for _tag, u in parser.urls]
        elif response.mimetype == "text/css":
            found = [a or b for a, b in CSS_URL.findall(body.decode())]
        elif response.mimetype in ("text/javascript", "application/javascript"):
            # Only paths load anything: a bare name ("@noble/ed25519") is text in a comment.
            found = [
                ref
                for ref in (a or b for a, b in JS_IMPORT.findall(body.decode()))
                if ref.startswith(("/", "./", "../"))
            ]
        for ref in found:
            if ref.startswith("data:"):
                continue
            if _foreign(ref):
                foreign.append(ref)
                continue
            queue.append((urljoin(url, ref).split("#")[0], "css" if ".css" in ref else "asset"))
    parts = [
        (url.removeprefix(f"http://{HOST}"), raw, sent, gz) for url, (raw, sent, gz) in seen.items()
    ]
    return sum(gz for _url, _raw, _sent, gz in parts), parts, foreign


def _add_sessions(event, now: dt.datetime) -> None:
    """Fill extra rooms with hour-long talks (two or three speakers, a Markdown description)."""
    from confapp.agenda.demo import PEOPLE

    tracks = agenda.list_tracks(event)
    people = list(PEOPLE.values())
    rooms = [
        agenda.create_room(event, name=name, capacity=50, location="Annexe") for name in EXTRA_ROOMS
    ]
    number = 0
    for day in range((event.ends_on - event.starts_on).days + 1):
        date = event.starts_on + dt.timedelta(days=day)
        for room in rooms:
            for start in SLOTS:
                starts = agenda.to_utc(
                    event, dt.datetime.combine(date, dt.time.fromisoformat(start))
                )
                verb = VERBS[number % len(VERBS)]
                agenda.create_session(
                    event,
                    agenda.SessionData(
                        title=f"Case study {number + 1}: how the {room.name} cluster {verb}",
                        kind=SessionKind.PARALLEL if number % 3 else SessionKind.PANEL,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=60),
                        room_id=room.id,
                        track_id=tracks[number % len(tracks)].id,
                        description=DESCRIPTION.format(room=room.name, verb=verb),
                        people=[
                            agenda.PersonData(name, PersonRole.SPEAKER, organisation, country)
                            for name, organisation, country in (
                                people[(number + k) % len(people)] for k in range(2 + number % 2)
                            )
                        ],
                    ),
                    now=now,
                )
                number += 1


@pytest.fixture
def big_event(app):
    """The demo conference with a programme of over 100 sessions; returns what pages need."""
    now = dt.datetime.now(dt.UTC)
    with app.test_request_context():
        seed_demo(now=now)
        event = demo_event()
        _add_sessions(event, now)
        db.session.commit()
        sessions = db.session.scalars(
            sa.select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
        ).all()
        # The heaviest session page: the longest description and the most people.
        session = max(sessions, key=lambda s: (len(s.people), len(s.description or "")))
        days = [
            event.starts_on + dt.timedelta(days=d)
            for d in range((event.ends_on - event.starts_on).days + 1)
        ]
        delegate = db.session.scalar(
            sa.select(User).where(User.email == "delegate@demo.confapp.org")
        )
        staff = db.session.scalar(sa.select(User).where(User.email == "staff@demo.confapp.org"))
        return {
            "slug": event.slug,
            "count": len(sessions),
            "session": session.id,
            "days": [d.isoformat() for d in days],
            "delegate": delegate.get_id(),
            "staff": staff.get_id(),
        }


def test_public_pages_weigh_at_most_100_kb_gzipped_and_load_nothing_from_other_hosts(
    app, client, big_event
):
    assert big_event["count"] >= 100
    slug = big_event["slug"]
    pages = [
        ("event", f"/events/{slug}"),
        ("registration form", f"/events/{slug}/register"),
        *[
            (f"programme day {n + 1}", f"/events/{slug}/programme?day={d}")
            for n, d in enumerate(big_event["days"])
        ],
        ("session", f"/events/{slug}/sessions/{big_event['session']}"),
        ("visits", f"/events/{slug}/visits"),
        ("login", "/login"),
    ]
    # Signed-in delegates get the heaviest versions: star and sign-up forms on every item.
    signed_in = [
        ("programme day 1, signed in", pages[2][1]),
        ("visits, signed in", f"/events/{slug}/visits"),
    ]
    results = []
    for label, path in pages:
        results.append((label, path, *weigh(client, path)))
    sign_in(client, big_event["delegate"])
    for label, path in signed_in:
        results.append((label, path, *weigh(client, path)))

    print(f"\nPage weight (gzip -6), budget {BUDGET / 1000:.0f} KB, {big_event['count']} sessions:")
    for label, _path, total, parts, _foreign in results:
        detail = ", ".join(f"{p} {gz / 1000:.1f}" for p, _raw, gz in parts)
        print(f"  {label:28} {total / 1000:6.1f} KB  ({detail})")
    heavy = [(label, total) for label, _p, total, _parts, _f in results if total > BUDGET]
    assert not heavy, f"pages over {BUDGET} bytes gzipped: {heavy}"
    foreign = [(label, urls) for label, _p, _t, _parts, urls in results if urls]
    assert not foreign, f"pages loading resources from other hosts: {foreign}"
    # The programme really was weighed with its content: a full day of sessions.
    for day in big_event["days"]:
        html = client.get(f"/events/{slug}/programme?day={day}").get_data(as_text=True)
        assert html.count('<article class="slot') >= 30


def test_french_and_arabic_registration_pages_weigh_at_most_100_kb(app, client, big_event):
    """The translated registration form (longer words, Arabic script, country names in the
    reader's language and collation) and programme stay within the budget."""
    slug = big_event["slug"]
    for language in ("fr", "ar"):
        for label, path in (
            ("registration form", f"/events/{slug}/register?lang={language}"),
            ("programme day 1", f"/events/{slug}/programme?day={big_event['days'][0]}"),
            ("visits", f"/events/{slug}/visits"),
        ):
            total, parts, foreign = weigh(client, path)
            page = client.get(path).get_data(as_text=True)
            assert f'<html lang="{language}"' in page
            print(f"  {language} {label:20} {total / 1000:6.1f} KB")
            assert not foreign and total <= BUDGET, (language, label, total)


def test_scanner_first_load_transfers_at_most_100_kb(app, client, big_event):
    """The door scanner at venue Wi-Fi: the page and every script, style and image it loads
    (module imports included), as this app sends them to a browser accepting gzip, fit the
    budget; static files go compressed and cached for a year under content-hashed names."""
    sign_in(client, big_event["staff"])
    path = f"/events/{big_event['slug']}/scan"
    total, parts, foreign = measure(client, path)
    sent = transferred(parts)
    print(f"\nScanner first load: {sent / 1000:.1f} KB sent, {total / 1000:.1f} KB gzip -6")
    for url, raw, sent_bytes, gz in parts:
        sizes = f"raw {raw / 1000:6.1f}  sent {sent_bytes / 1000:6.1f}  gz {gz / 1000:6.1f}"
        print(f"  {url:60} {sizes}")
    assert not foreign
    urls = [url for url, *_ in parts]
    assert any("jsQR" in u for u in urls) and any("noble-ed25519" in u for u in urls), urls
    assert sent <= BUDGET, f"scanner first load sends {sent} bytes"
    assert total <= BUDGET
    # The service worker stores exactly what the page loads, so it reopens with no network.
    worker = client.get(f"/events/{big_event['slug']}/scan-sw.js").get_data(as_text=True)
    config = json.loads(worker.split("\n", 1)[0].removeprefix("const SCANNER = ").rstrip(";"))
    assert config["page"] == path
    assert sorted(config["assets"]) == sorted(url for url in urls if url != path)


def test_weigh_counts_every_resource_and_flags_other_hosts(app, client):
    """The weighing itself: CSS, script, image and CSS url() are counted; a CDN is caught."""
    parser = ResourceParser()
    parser.feed(
        '<link rel="stylesheet" href="/static/css/app.css"><link rel="canonical" href="https://x.org/">'
        '<script src="https://cdn.example.com/lib.js"></script><img src="//img.example.net/a.png">'
        '<img srcset="/a.png 1x, /b.png 2x"><a href="https://elsewhere.org/">a link is fine</a>'
    )
    urls = [u for _tag, u in parser.urls]
    assert urls == [
        "/static/css/app.css",
        "https://cdn.example.com/lib.js",
        "//img.example.net/a.png",
        "/a.png",
        "/b.png",
    ]
    assert [u for u in urls if _foreign(u)] == [
        "https://cdn.example.com/lib.js",
        "//img.example.net/a.png",
    ]
    assert not _foreign("http://localhost/static/x.css") and not _foreign(
        "data:image/png;base64,AA"
    )
    total, parts, foreign = weigh(client, "/login")
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", p) for p, _raw, _gz in parts}
    assert names >= {"/login", "/static/css/app.css", "/static/img/favicon.svg"}
    assert total == sum(gz for _p, _raw, gz in parts) and foreign == []
