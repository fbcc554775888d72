"""Documents settings: letterhead text, logo and signature uploads (checked, private)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from confapp.documents import branding
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def image_bytes(fmt: str = "PNG", size=(300, 120), mode="RGBA") -> bytes:
    """A small picture in the given format."""
    picture = Image.new(mode, size, (20, 90, 200, 255) if mode == "RGBA" else (20, 90, 200))
    out = io.BytesIO()
    picture.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def setup(app, client):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        delegate = make_confirmed_registration(event, "ana@example.org")
        db.session.commit()
        ids = {"organiser": organiser.id, "delegate": delegate.user_id, "event": event.id}

    def as_user(role: str) -> None:
        sign_in(client, ids[role])

    return ids, as_user


def _post(client, **data):
    form = {"organiser_name": "", "organiser_address": "", "letter_contact": ""}
    form.update(data)
    return client.post(
        "/events/cdc/manage/documents", data=form, content_type="multipart/form-data"
    )


def test_organiser_saves_letterhead_logo_and_signature(app, client, setup):
    ids, as_user = setup
    as_user("organiser")
    page = client.get("/events/cdc/manage/documents")
    assert page.status_code == 200 and "Letterhead" in page.get_data(as_text=True)
    answer = _post(
        client,
        organiser_name="Foundation for MSME Clusters",
        organiser_address="7 Lodhi Road\nNew Delhi 110003\nIndia",
        letter_contact="Visa desk: +91 11 2345 6789",
        logo=(io.BytesIO(image_bytes("PNG")), "logo.png"),
        signature=(io.BytesIO(image_bytes("JPEG", mode="RGB")), "sig.jpg"),
    )
    assert answer.status_code == 302
    with app.app_context():
        event = db.session.get(Event, ids["event"])
        assert event.organiser_name == "Foundation for MSME Clusters"
        assert event.organiser_address.splitlines()[1] == "New Delhi 110003"
        logo = branding.image_path(event, "logo")
        signature = branding.image_path(event, "signature")
        assert logo.suffix == ".png" and signature.suffix == ".jpg"
        # Stored outside static/, under the uploads folder.
        assert Path(app.config["UPLOAD_FOLDER"]) in logo.parents
        assert "static" not in logo.parts
    preview = client.get("/events/cdc/manage/documents/logo")
    assert preview.status_code == 200 and preview.data.startswith(b"\x89PNG")
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert client.get("/events/cdc/manage/documents/signature").mimetype == "image/jpeg"


def test_replacing_and_removing_delete_the_old_files(app, client, setup):
    ids, as_user = setup
    as_user("organiser")
    _post(client, logo=(io.BytesIO(image_bytes()), "a.png"))
    with app.app_context():
        first = branding.image_path(db.session.get(Event, ids["event"]), "logo")
    _post(client, logo=(io.BytesIO(image_bytes(size=(200, 200))), "b.png"))
    with app.app_context():
        second = branding.image_path(db.session.get(Event, ids["event"]), "logo")
    assert second != first and not first.exists() and second.exists()
    _post(client, remove_logo="y")
    with app.app_context():
        assert db.session.get(Event, ids["event"]).logo_file is None
    assert not second.exists()
    assert client.get("/events/cdc/manage/documents/logo").status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "could not be read as a PNG or JPEG"),
        (b"not an image at all", "could not be read as a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "could not be read as a PNG or JPEG"),
        (image_bytes("GIF", mode="RGB"), "Upload a PNG or JPEG image."),
        (image_bytes("PNG") + b"\x00" * (3 * 1024 * 1024), "The image is too large"),
        (image_bytes("PNG", size=(7000, 10), mode="RGB"), "at most 6,000 on each side"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(app, client, setup, payload, message):
    ids, as_user = setup
    as_user("organiser")
    answer = _post(client, organiser_name="New name", logo=(io.BytesIO(payload), "logo.png"))
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        event = db.session.get(Event, ids["event"])
        assert event.logo_file is None and event.organiser_name == ""
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.rglob("*.png"))


def test_stored_image_is_re_encoded_without_trailing_data(app, client, setup):
    ids, as_user = setup
    as_user("organiser")
    hidden = image_bytes("PNG") + b"<script>alert(1)</script>"
    assert _post(client, logo=(io.BytesIO(hidden), "logo.png")).status_code == 302
    with app.app_context():
        stored = branding.image_path(db.session.get(Event, ids["event"]), "logo").read_bytes()
    assert b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"


def test_only_organisers_see_the_page_and_the_images(app, client, setup):
    ids, as_user = setup
    as_user("organiser")
    _post(client, logo=(io.BytesIO(image_bytes()), "logo.png"))
    client.get("/logout")
    with client.session_transaction() as s:
        s.clear()
    assert client.get("/events/cdc/manage/documents/logo").status_code in (302, 401)
    as_user("delegate")
    assert client.get("/events/cdc/manage/documents").status_code in (403, 404)
    assert client.get("/events/cdc/manage/documents/logo").status_code in (403, 404)
    answer = _post(client, organiser_name="Hijack")
    assert answer.status_code in (403, 404)
    with app.app_context():
        assert db.session.get(Event, ids["event"]).organiser_name == ""
