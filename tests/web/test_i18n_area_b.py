"""Languages in the agenda and meetings: every page in French and Arabic (lang, dir, no
English UI text left, dates in the locale), the calendar feeds, the programme API and the
e-mails, each in the reader's language."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import icalendar
import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from confapp import i18n
from confapp.accounts import services as account_services
from confapp.accounts.models import User
from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff

# Organiser- and delegate-written text of the world below: it stays as written.
CONTENT = {
    "Cluster finance panel",
    "Export clusters workshop",
    "Opening plenary",
    "Lunch",
    "Hall A",
    "Room B",
    "Ground floor",
    "Finance",
    "Ana Example",
    "Li Wei",
    "Delegate",  # the helpers' delegate name
    "Kenya Leather Cluster",
    "Some bold text",
    "Du texte **gras**",  # its French, shown in the organiser form's French input
    "bold",
    "Some",
    "text",
    "Changing paradigms of cluster development",
    "India Habitat Centre",
}


class _Text(HTMLParser):
    """Visible text pieces and readable attributes of the page's <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth:
            for name, value in attrs:
                if name in ("aria-label", "placeholder", "title") and value:
                    self.pieces.append(value)
                if name == "value" and dict(attrs).get("type") in ("submit", "button"):
                    self.pieces.append(value or "")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.pieces.append(data)


def main_text(page: str) -> set[str]:
    """The sentences a reader sees in <main>, one per text node, spaces collapsed."""
    parser = _Text()
    parser.feed(page)
    found = set()
    for piece in parser.pieces:
        text = " ".join(html.unescape(piece).split())
        if re.search(r"[A-Za-z]{2}", text):
            found.add(text)
    return found


def _same_in(language: str) -> set[str]:
    """Messages whose translation is spelled as in English ("Programme", "Session")."""
    path = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {m.id for m in catalog if isinstance(m.id, str) and m.string == m.id}


def _patterns(same: set[str]) -> list[re.Pattern]:
    """Messages with placeholders spelled as in English, as patterns ("Tables (2)")."""
    return [re.compile(re.sub(r"%\\\(\w+\\\)[sd]", ".+", re.escape(m))) for m in same if "%(" in m]


def english_left(english: str, translated: str, language: str) -> set[str]:
    """English UI text of the English page still found, unchanged, in the translated page
    (content, codes and the time zone's name taken out first)."""
    same = _same_in(language)
    left = set()
    for text in main_text(english) & main_text(translated):
        if text.strip("←→★☆ ") in same or any(p.fullmatch(text) for p in _patterns(same)):
            continue
        rest = text
        for known in sorted(CONTENT | NAMES | _countries(), key=len, reverse=True):
            rest = rest.replace(known, " ")
        if re.search(r"[a-z]{2}|[A-Z][a-z]", rest):  # codes such as (KE) are data
            left.add(text)
    return left


def _countries() -> set[str]:
    """Country names (data from Babel, not UI text) in English."""
    from confapp.countries import country_choices

    return {name for _code, name in country_choices("en")}


# Names and codes that read the same in every language.
NAMES = {"Kenya", "Asia/Kolkata", "IST", "UTC", ".ics", "CSV", "webcal", "YYYY-MM-DD", "HH:MM"}
# Languages named in their own language (the labels of per-language inputs): the same in
# every page language, on purpose.
NAMES |= {"English", "Français", "Español", "Português"}


def add_session(event, title, start, end, *, room=None, track=None, seats=None, kind=None):
    return services.create_session(
        event,
        services.SessionData(
            title=title,
            kind=kind or SessionKind.PARALLEL,
            starts_at=local_time(event, 0, start),
            ends_at=local_time(event, 0, end),
            room_id=room.id if room else None,
            track_id=track.id if track else None,
            seat_limit=seats,
            people=[
                services.PersonData(
                    "Ana Example", PersonRole.SPEAKER, "Kenya Leather Cluster", "KE"
                )
            ],
            description="Some **bold** text",
        ),
        now=utcnow(),
    )


@pytest.fixture
def world(app):
    """A published programme with a track, rooms, a full workshop, a change, a starred
    session and a seat; an organiser and a delegate. Ids only."""
    with app.app_context():
        event = make_event("cdc")
        hall = services.create_room(event, name="Hall A", capacity=10, location="Ground floor")
        services.create_room(event, name="Room B", capacity=5)
        track = services.create_track(event, name="Finance", colour="#1f6feb")
        track.name_i18n = {"fr": "Finance (FR)", "ar": "التمويل"}
        panel = add_session(
            event, "Cluster finance panel", "10:00", "11:00", room=hall, track=track
        )
        panel.title_i18n = {"fr": "Table ronde sur le financement", "ar": "حلقة نقاش حول التمويل"}
        panel.description_i18n = {"fr": "Du texte **gras**"}
        workshop = add_session(
            event,
            "Export clusters workshop",
            "12:00",
            "13:00",
            kind=SessionKind.WORKSHOP,
            seats=1,
        )
        add_session(event, "Lunch", "13:00", "14:00", kind=SessionKind.BREAK)
        organiser = make_staff(event, "org@example.org")
        delegate, registration = make_delegate(event)
        services.publish_programme(event, utcnow())
        db.session.flush()
        services.set_star(registration, panel, True, utcnow())
        services.signup(event, workshop, registration, now=utcnow())
        # A change after publishing, for the changes page: the panel moves to Room B.
        services.update_session(
            event,
            panel,
            services.SessionData(
                title="Cluster finance panel",
                kind=SessionKind.PARALLEL,
                starts_at=local_time(event, 0, "10:30"),
                ends_at=local_time(event, 0, "11:30"),
                room_id=hall.id,
                track_id=track.id,
                people=[
                    services.PersonData(
                        "Ana Example", PersonRole.SPEAKER, "Kenya Leather Cluster", "KE"
                    )
                ],
                description="Some **bold** text",
            ),
            now=utcnow(),
        )
        services.cancel_session(event, panel, now=utcnow())
        services.reinstate_session(event, panel, now=utcnow())
        token = account_services.issue_api_token(organiser, "laptop", utcnow())
        db.session.commit()
        return {
            "event": event.id,
            "panel": panel.id,
            "workshop": workshop.id,
            "room": hall.id,
            "track": track.id,
            "organiser": organiser.get_id(),
            "delegate": delegate.get_id(),
            "registration": registration.id,
            "token": token,
        }


def _login(client, user_id: str) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = user_id
        s["_fresh"] = True


def _pages(client, url: str) -> dict[str, str]:
    found = {}
    for language in ("en", "fr", "ar"):
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
        assert response.status_code in (200, 403), (url, language, response.status_code)
        found[language] = response.get_data(as_text=True)
    return found


def _check(pages: dict[str, str], url: str) -> None:
    assert '<html lang="fr" dir="ltr">' in pages["fr"], url
    assert '<html lang="ar" dir="rtl">' in pages["ar"], url
    for language in ("fr", "ar"):
        left = english_left(pages["en"], pages[language], language)
        assert not left, f"{url} in {language}: English left: {sorted(left)}"


DELEGATE_PAGES = [
    "/events/cdc/programme",
    "/events/cdc/programme/changes",
    "/events/cdc/sessions/{panel}",
    "/events/cdc/sessions/{workshop}",
    "/events/cdc/my-agenda",
]
ORGANISER_PAGES = [
    "/events/cdc/programme",
    "/events/cdc/sessions/{panel}",
    "/events/cdc/manage/programme",
    "/events/cdc/manage/programme/rooms",
    "/events/cdc/manage/programme/rooms/{room}",
    "/events/cdc/manage/programme/tracks",
    "/events/cdc/manage/programme/tracks/{track}",
    "/events/cdc/manage/programme/sessions/new",
    "/events/cdc/manage/programme/sessions/{panel}",
    "/events/cdc/manage/programme/sessions/{workshop}",
    "/events/cdc/manage/programme/import",
    "/events/cdc/manage/programme/health",
]


def test_agenda_pages_of_a_delegate_in_french_and_arabic(app, world):
    client = app.test_client()
    _login(client, world["delegate"])
    for url in DELEGATE_PAGES:
        url = url.format(**world)
        _check(_pages(client, url), url)


def test_agenda_pages_of_an_organiser_in_french_and_arabic(app, world):
    client = app.test_client()
    _login(client, world["organiser"])
    for url in ORGANISER_PAGES:
        url = url.format(**world)
        _check(_pages(client, url), url)


def test_agenda_pages_of_a_visitor_and_the_unpublished_programme(app, world):
    with app.app_context():
        make_event("draft", title="Draft event")
        db.session.commit()
    client = app.test_client()
    for url in ("/events/cdc/programme", "/events/cdc/sessions/{panel}", "/events/draft/programme"):
        url = url.format(**world)
        _check(_pages(client, url), url)


def test_programme_content_dates_and_kinds_follow_the_language(app, world):
    client = app.test_client()
    _login(client, world["delegate"])
    pages = _pages(client, "/events/cdc/programme")
    assert "Saturday 20 February 2027" in pages["en"]
    assert "samedi 20 février 2027" in pages["fr"]
    assert "السبت" in pages["ar"] and "فبراير" in pages["ar"]
    # Organiser-written content in the reader's language, with its language marked.
    assert "Table ronde sur le financement" in pages["fr"] and 'lang="fr"' in pages["fr"]
    assert "حلقة نقاش حول التمويل" in pages["ar"] and "التمويل" in pages["ar"]
    assert "Cluster finance panel" in pages["en"]
    assert "Atelier" in pages["fr"] and "ورشة عمل" in pages["ar"]  # the kind's label
    session = client.get(f"/events/cdc/sessions/{world['panel']}?lang=fr").get_data(as_text=True)
    assert "<strong>gras</strong>" in session and "Intervenant·e" in session


def test_changes_are_written_in_the_readers_language(app, world):
    client = app.test_client()
    pages = _pages(client, "/events/cdc/programme/changes")
    assert "Cluster finance panel moved from Sat 20 Feb 10:00–11:00" in pages["en"]
    assert "déplacée de sam. 20 févr." in pages["fr"]
    assert "De retour au programme" in pages["fr"] and "Annulée" in pages["fr"]
    assert "نُقلت" in pages["ar"] and "ملغاة" in pages["ar"]


def test_programme_feed_in_the_language_asked(app, world):
    client = app.test_client()
    with app.app_context():
        db.session.get(ProgrammeSession, world["workshop"]).title_i18n = {"fr": "Atelier export"}
        services.cancel_session(
            db.session.get(Event, world["event"]),
            db.session.get(ProgrammeSession, world["workshop"]),
            now=utcnow(),
        )
        db.session.commit()
    english = icalendar.Calendar.from_ical(client.get("/events/cdc/programme.ics").data)
    french = icalendar.Calendar.from_ical(client.get("/events/cdc/programme.ics?lang=fr").data)
    summaries = {str(e["summary"]) for e in french.walk("VEVENT")}
    assert "Table ronde sur le financement" in summaries
    assert "Annulée : Atelier export" in summaries
    assert "Cancelled: Export clusters workshop" in {
        str(e["summary"]) for e in english.walk("VEVENT")
    }
    panel = next(e for e in french.walk("VEVENT") if "financement" in str(e["summary"]))
    assert "Du texte **gras**" in str(panel["description"])
    assert "Intervenant·e : Ana Example (Kenya Leather Cluster, Kenya)" in str(panel["description"])
    assert "Finance (FR)" in panel["categories"].to_ical().decode()


def test_personal_feed_uses_the_delegates_language(app, world, outbox):
    client = app.test_client()
    _login(client, world["delegate"])
    client.post(
        "/events/cdc/my-agenda/calendar?lang=ar",
        data={"csrf_token": _csrf(client, "/events/cdc/my-agenda")},
    )
    with app.app_context():
        registration = db.session.get(Registration, world["registration"])
        token = registration.calendar_token
        assert db.session.get(User, registration.user_id).language == "ar"
    anonymous = app.test_client()
    feed = anonymous.get(f"/events/cdc/calendar/{token}.ics", headers={"Accept-Language": "fr"})
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert "حلقة نقاش حول التمويل" in {str(e["summary"]) for e in calendar.walk("VEVENT")}


def _csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_programme_api_answers_in_the_language_asked(app, world):
    client = app.test_client()
    french = client.get("/api/v1/events/cdc/sessions?lang=fr").get_json()
    assert french["language"] == "fr"
    panel = next(s for s in french["sessions"] if s["id"] == world["panel"])
    assert panel["title"] == "Table ronde sur le financement"
    assert panel["track"]["name"] == "Finance (FR)"
    assert "translations" not in panel  # visitors get one language
    arabic = client.get("/api/v1/events/cdc/sessions", headers={"Accept-Language": "ar, en;q=0.5"})
    assert arabic.headers["Content-Language"] == "ar"
    panel = next(s for s in arabic.get_json()["sessions"] if s["id"] == world["panel"])
    assert panel["title"] == "حلقة نقاش حول التمويل"
    assert panel["description"] == "Some **bold** text"  # no Arabic text: the default
    organiser = client.get(
        "/api/v1/events/cdc/sessions?lang=fr",
        headers={"Authorization": f"Bearer {world['token']}"},
    ).get_json()
    panel = next(s for s in organiser["sessions"] if s["id"] == world["panel"])
    assert panel["translations"]["title"] == {
        "en": "Cluster finance panel",
        "fr": "Table ronde sur le financement",
        "ar": "حلقة نقاش حول التمويل",
    }
    assert panel["track"]["translations"]["name"]["ar"] == "التمويل"


def _set_language(app, email: str, language: str) -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.language = language
        db.session.commit()


def test_agenda_emails_are_in_the_recipients_language(app, world, outbox):
    """Each agenda e-mail (seat confirmed, waiting list, seat promoted, session changed)
    is written in the delegate's language, subject and calendar file included."""
    _set_language(app, "delegate@example.org", "fr")
    with app.app_context():
        event = db.session.get(Event, world["event"])
        workshop = db.session.get(ProgrammeSession, world["workshop"])
        workshop.title_i18n = {"fr": "Atelier export", "ar": "ورشة التصدير"}
        _other, other_registration = make_delegate(event, "li@example.org")
        db.session.get(User, other_registration.user_id).language = "ar"
        db.session.commit()
        services.signup(event, workshop, other_registration, now=utcnow())  # waiting list
        db.session.commit()
        services.cancel_signup(
            event, workshop, db.session.get(Registration, world["registration"]), now=utcnow()
        )  # the seat passes to the Arabic reader
        db.session.commit()
        panel = db.session.get(ProgrammeSession, world["panel"])
        services.cancel_session(event, panel, now=utcnow())
        db.session.commit()
    french = outbox.to("delegate@example.org")
    arabic = outbox.to("li@example.org")
    subjects = [str(m["Subject"]) for m in french]
    assert "Annulée : Table ronde sur le financement" in subjects
    cancelled = next(m for m in french if str(m["Subject"]).startswith("Annulée"))
    assert cancelled["Content-Language"] == "fr"
    body = outbox.body(cancelled)
    assert "Nous sommes désolés : cette session est annulée." in body
    assert "samedi 20 février 2027" in body
    assert "Dear" not in body
    calendar = next(p for p in cancelled.iter_attachments() if p.get_filename() == "session.ics")
    assert "Annulée : Table ronde sur le financement" in calendar.get_content()
    arabic_subjects = [str(m["Subject"]) for m in arabic]
    assert "قائمة الانتظار: ورشة التصدير" in arabic_subjects
    assert "حصلت على مقعد: ورشة التصدير" in arabic_subjects
    promoted = next(m for m in arabic if "حصلت على مقعد" in str(m["Subject"]))
    assert "أخبار سارة" in outbox.body(promoted)
    assert 'lang="ar"' in promoted.get_body(preferencelist=("html",)).get_content()


def test_seat_confirmation_email_in_the_delegates_language(app, world, outbox):
    _set_language(app, "delegate@example.org", "ar")
    with app.app_context():
        event = db.session.get(Event, world["event"])
        track = db.session.get(Track, world["track"])
        session = add_session(event, "Seat talk", "15:00", "16:00", track=track, seats=5)
        session.title_i18n = {"ar": "جلسة المقاعد"}
        db.session.flush()
        services.signup(
            event, session, db.session.get(Registration, world["registration"]), now=utcnow()
        )
        db.session.commit()
    message = next(
        m for m in outbox.to("delegate@example.org") if "جلسة المقاعد" in str(m["Subject"])
    )
    assert str(message["Subject"]) == "مقعدك: جلسة المقاعد"
    assert "تأكّد مقعدك في:" in outbox.body(message)


def test_a_session_given_a_room_mails_where_it_was_in_the_readers_language(app, world, outbox):
    """A session that had no room and gets one: the e-mail names the old place ("no room")
    in the delegate's language, as it names the new one."""
    _set_language(app, "delegate@example.org", "ar")
    with app.app_context():
        event = db.session.get(Event, world["event"])
        session = add_session(event, "Roomless talk", "15:00", "16:00")
        registration = db.session.get(Registration, world["registration"])
        services.set_star(registration, session, True, utcnow())
        db.session.commit()
        services.update_session(
            event,
            session,
            services.SessionData(
                title="Roomless talk",
                kind=SessionKind.PARALLEL,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room_id=world["room"],
                description=session.description,
            ),
            now=utcnow(),
        )
        db.session.commit()
    message = outbox.to("delegate@example.org")[-1]
    body = outbox.body(message)
    assert "القاعة: بلا قاعة ← Hall A" in body, body
    assert "no room" not in body


# --- meetings ---------------------------------------------------------------------------


@pytest.fixture
def meetings_world(app):
    """Slots and tables, three delegates in the directory: Raj asked Ana (pending), Ben and
    Raj have a booked meeting. Ids only."""
    import datetime as dt

    from confapp.meetings import services as meetings
    from tests.helpers import make_confirmed_registration

    with app.test_request_context():
        event = make_event("cdc")
        start = local_time(event, 0, "15:30")
        meetings.generate_slots(event, start, start + dt.timedelta(minutes=60), 20)
        meetings.add_tables(event, 2)
        meetings.add_tag(event, "finance")
        organiser = make_staff(event, "org@example.org")
        people = {
            name: make_confirmed_registration(
                event,
                f"{name.lower()}@example.org",
                full_name=f"{name} Example",
                country=country,
                directory_opt_in=True,
            )
            for name, country in (("Ana", "KE"), ("Raj", "IN"), ("Ben", "BR"))
        }
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        meetings.send_request(event, people["Raj"], people["Ana"], "Let us talk", now)
        booked = meetings.send_request(event, people["Ben"], people["Raj"], "", now)
        meetings.accept_request(event, booked, people["Raj"], now)
        db.session.commit()
        return {
            "organiser": organiser.get_id(),
            "users": {name: r.user.get_id() for name, r in people.items()},
        }


MEETING_PAGES = [
    "/events/cdc/meetings",
    "/events/cdc/meetings/directory",
    "/events/cdc/meetings/profile",
    "/events/cdc/meetings/availability",
]
MEETING_ORGANISER_PAGES = [
    "/events/cdc/manage/meetings",
    "/events/cdc/manage/meetings/requests?status=all",
    "/events/cdc/manage/meetings/report",
]


def test_meeting_pages_in_french_and_arabic(app, meetings_world):
    CONTENT.update(
        {
            "Ana Example",
            "Raj Example",
            "Ben Example",
            "Let us talk",
            "finance",
            "Table 1",
            "Table 2",
        }
    )
    for user in ("Raj", "Ben"):
        client = app.test_client()
        _login(client, meetings_world["users"][user])
        for url in MEETING_PAGES:
            _check(_pages(client, url), url)
    client = app.test_client()
    _login(client, meetings_world["organiser"])
    for url in MEETING_ORGANISER_PAGES:
        _check(_pages(client, url), url)
    client = app.test_client()
    _login(client, meetings_world["users"]["Ben"])
    page = client.get("/events/cdc/meetings?lang=fr").get_data(as_text=True)
    assert "samedi 20 févr." in page or "sam. 20 févr." in page  # the booked slot
    arabic = client.get("/events/cdc/meetings?lang=ar").get_data(as_text=True)
    assert "السبت" in arabic


def test_meeting_request_email_in_the_invitees_language(app, meetings_world, outbox):
    import datetime as dt

    from confapp.meetings import services as meetings

    _set_language(app, "ben@example.org", "ar")
    _set_language(app, "ana@example.org", "fr")
    with app.test_request_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        ana, ben = (
            db.session.scalar(
                sa.select(Registration).where(Registration.email == f"{name}@example.org")
            )
            for name in ("ana", "ben")
        )
        req = meetings.send_request(event, ana, ben, "", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        db.session.commit()
        meetings.decline_request(event, req, ben, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        db.session.commit()
    request_mail = next(m for m in outbox.to("ben@example.org") if "Ana" in str(m["Subject"]))
    assert "طلب لقاء من Ana Example" in str(request_mail["Subject"])
    assert "يرغب Ana Example" in outbox.body(request_mail)
    declined = outbox.to("ana@example.org")[-1]
    subject = " ".join(str(declined["Subject"]).split())  # header folding may double a space
    assert "Ben Example a décliné votre demande de rendez-vous" in subject
    assert "Votre demande de rendez-vous a été déclinée." in outbox.body(declined)


def test_meeting_cli_speaks_the_events_language(app, meetings_world):
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        event.default_language = "fr"
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind-meetings", "cdc", "--after-hours", "0"])
    assert result.exit_code == 0, result.output
    assert "Rappel envoyé à 1 délégué·e pour 1 demande en attente." in result.output
    scheduled = runner.invoke(args=["schedule-meetings", "cdc", "--time-limit", "0.2"])
    assert scheduled.exit_code == 0, scheduled.output
    # The one accepted request is booked already: French counts zero in the singular.
    assert "0 nouveau rendez-vous programmé ; 1 au total sur les créneaux à venir." in (
        scheduled.output
    )
    assert "Borne supérieure" in scheduled.output
