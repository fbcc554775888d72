"""Bulk badge runs: order across scripts, event name and logo on every layout, the name in
Latin letters, and names no font can draw (reported by the command and the page)."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from confapp.accounts.models import User
from confapp.badges import services
from confapp.documents import branding
from confapp.events.models import Event
from confapp.extensions import db
from confapp.pdf import VENDORED_FALLBACK_FONTS
from confapp.registration.models import Registration
from tests.helpers import job_result
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import pdf_text
from tests.helpers import sign_in

PEOPLE = [
    ("Zoë Abara", ""),
    ("张磊", "Zhang Lei"),
    ("Ana Silva", ""),
    ("محمد الهاشمي", "Muhammad al-Hashimi"),
    ("राजेश शर्मा", ""),
]
RARE = "王𬌗"  # the second character is outside the 3,500 the vendored Chinese font has


@pytest.fixture
def world(app):
    app.config["PDF_FALLBACK_FONTS"] = list(VENDORED_FALLBACK_FONTS)
    with app.app_context():
        event = make_event("cdc", title="Changing paradigms of cluster development")
        organiser = make_staff(event, "org@example.org")
        for i, (name, latin) in enumerate(PEOPLE):
            make_confirmed_registration(
                event, f"p{i}@example.org", full_name=name, name_latin=latin
            )
        db.session.commit()
        return {"organiser": organiser.id, "event": event.id}


def _organiser(app, client, world):
    with app.app_context():
        sign_in(client, db.session.get(User, world["organiser"]))


def _compact(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and c not in "\u202a\u202b\u202c")


def test_bulk_pdf_is_in_search_order_across_scripts(app, world, tmp_path):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        regs = services.badge_registrations(event)
        assert [r.full_name for r in regs] == [
            "Ana Silva",
            "محمد الهاشمي",
            "राजेश शर्मा",
            "张磊",
            "Zoë Abara",
        ]
        run = services.render(event, regs, layout="a6", config=app.config)
    text = _compact(pdf_text(run.pdf, tmp_path))
    positions = [text.index(_compact(name)) for name, _ in PEOPLE]
    order = [PEOPLE[i][0] for i in sorted(range(len(PEOPLE)), key=positions.__getitem__)]
    assert order == [r.full_name for r in regs]


@pytest.mark.parametrize("layout", ["a6", "a4x4", "a4x8"])
def test_every_layout_shows_event_name_logo_and_latin_name(app, world, tmp_path, layout):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        picture = io.BytesIO()
        Image.new("RGB", (400, 100), (200, 30, 30)).save(picture, format="PNG")
        stale = branding.save_image(event, "logo", picture.getvalue())
        assert stale is None
        db.session.commit()
        regs = services.badge_registrations(event)
        run = services.render(event, regs, layout=layout, config=app.config)
    text = pdf_text(run.pdf, tmp_path)
    compact = _compact(text)
    assert text.count("Changing paradigms") >= len(PEOPLE)  # on every badge
    for name, latin in PEOPLE:
        assert _compact(name) in compact
        if latin:
            assert latin in text
    # The logo is one image, drawn on every badge.
    assert len(re.findall(rb"/Subtype /Image", run.pdf)) == 1
    drawn = len(re.findall(rb"/I\d+ Do", _contents(run.pdf)))
    assert drawn == len(PEOPLE)


def _contents(pdf: bytes) -> bytes:
    """The decompressed page content streams."""
    import zlib

    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            continue
    return out


def test_on_progress_reports_done_and_total(app, world):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        calls = []
        services.render(
            event,
            services.badge_registrations(event),
            layout="a4x8",
            config=app.config,
            on_progress=lambda done, total: calls.append((done, total)),
        )
    assert calls[-1] == (len(PEOPLE), len(PEOPLE))
    assert all(total == len(PEOPLE) for _, total in calls)


def _add_rare(app, world, latin=""):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        reg = make_confirmed_registration(
            event, "rare@example.org", full_name=RARE, name_latin=latin
        )
        db.session.commit()
        return reg.id


def test_command_lists_badges_it_cannot_draw_and_leaves_them_new(app, world, runner, tmp_path):
    rare_id = _add_rare(app, world, latin="Wang Yan")
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["badges", "cdc", "-o", str(out), "--order", "family"])
    assert result.exit_code == 0, result.output
    assert "Wrote 6 badges" in result.output
    assert "1 badge has letters that no installed font can draw" in result.output
    assert f"{RARE} (registration {rare_id}): 𬌗 (U+2C317)" in result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    # Printed visibly broken, with the Latin spelling, never blank.
    assert "王\ufffd" in text and "Wang Yan" in text
    with app.app_context():
        assert db.session.get(Registration, rare_id).badge_printed_at is None
        printed = db.session.scalar(
            sa.select(sa.func.count()).where(Registration.badge_printed_at.is_not(None))
        )
        assert printed == len(PEOPLE)
    again = runner.invoke(args=["badges", "cdc", "-o", str(out), "--new-only"])
    assert "Wrote 1 badge to" in again.output


def test_page_lists_badges_it_cannot_draw(app, world, client):
    rare_id = _add_rare(app, world)
    _organiser(app, client, world)
    page = client.get("/events/cdc/manage/badges").get_data(as_text=True)
    assert "1 badge cannot be printed in full" in page
    assert f"/events/cdc/manage/registrations/{rare_id}" in page and "U+2C317" in page
    started = client.post(
        "/events/cdc/manage/badges", data={"layout": "a6", "order": "name", "mark_printed": "y"}
    )
    job_page = client.get(started.headers["Location"]).get_data(as_text=True)
    # The job's report names the badge it could not draw in full.
    assert "1 badge has letters that no installed font can draw" in job_page
    assert f"/events/cdc/manage/registrations/{rare_id}" in job_page and "U+2C317" in job_page
    download = job_result(client, started)
    assert download.mimetype == "application/pdf"
    with app.app_context():
        assert db.session.get(Registration, rare_id).badge_printed_at is None


def test_page_is_quiet_when_every_name_can_be_drawn(app, world, client):
    _organiser(app, client, world)
    page = client.get("/events/cdc/manage/badges").get_data(as_text=True)
    assert "cannot be printed in full" not in page
    assert 'name="order"' in page


def test_web_order_choice(app, world, client, tmp_path):
    _organiser(app, client, world)
    answer = job_result(
        client, client.post("/events/cdc/manage/badges", data={"layout": "a6", "order": "family"})
    )
    text = _compact(pdf_text(answer.data, tmp_path))
    # Family names: Abara, al-Hashimi (last word), Silva, sharma (transliterated), Zhang.
    assert text.index("ZoëAbara") < text.index("AnaSilva") < text.index("张磊")
    refused = client.post("/events/cdc/manage/badges", data={"layout": "a6", "order": "age"})
    assert refused.mimetype != "application/pdf"
