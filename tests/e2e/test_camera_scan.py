"""Staff scan real badges through a camera: Chromium's fake capture device plays a video of
the badge QR code (the app's own PNG), the scanner decodes it with jsQR, checks the delegate
in online, then queues a scan while offline and syncs it when the network is back."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from confapp.accounts.models import EventRoleKind
from confapp.checkin.models import Attendance
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.e2e.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 640, 480


def badge_png(app, user_id: str, slug: str = "cdc") -> bytes:
    """The delegate's badge QR code as the app serves it (GET /events/<slug>/my-badge.png).

    Called outside any app context: Flask-Login caches the signed-in user on the app
    context, so a shared one would serve the first delegate's badge to the second.
    """
    client = sign_in(app.test_client(), user_id)
    response = client.get(f"/events/{slug}/my-badge.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    return response.data


def write_y4m(png: bytes, path: Path, frames: int = 3) -> Path:
    """A short YUV4MPEG2 video of the PNG centred on white (Chromium loops it)."""
    from PIL import Image

    code = Image.open(io.BytesIO(png)).convert("L")
    # The app's PNG is 10 px per module with a 4-module quiet zone (450 px for a version 5
    # code): it fits the frame as it is; a larger code is shrunk with whole-pixel sampling.
    if code.height > HEIGHT - 20:
        side = HEIGHT - 20
        code = code.resize((side, side), Image.Resampling.NEAREST)
    canvas = Image.new("L", (WIDTH, HEIGHT), 255)
    canvas.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))  # no colour: grey chroma planes
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def camera_browser(browser, video: Path):
    """A separate Chromium whose camera plays `video` (the shared browser has no camera)."""
    return browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",  # grant the camera without a prompt
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )


def open_scanner(camera, base: str, signed_in: dict | None = None):
    """Open the scanner page as the staff member (signing in unless `signed_in` cookies)."""
    page = camera.new_context(storage_state=signed_in).new_page()
    page.set_default_timeout(15_000)
    if signed_in is None:
        page.goto(f"{base}/login")
        page.fill("input[name=email]", "door@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    return page


def attendance_names(app) -> list[str]:
    """Full names of everyone checked in at the entrance."""
    with app.app_context():
        rows = db.session.scalars(
            db.select(Attendance).where(Attendance.checkpoint == "entrance").order_by(Attendance.id)
        ).all()
        return [db.session.get(Registration, row.registration_id).full_name for row in rows]


def test_staff_scan_badges_with_the_camera_online_and_offline(live_app, browser, tmp_path):
    from playwright.sync_api import expect

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj Kumar", country="IN"
        )
        db.session.commit()
        ana_user, raj_user, raj_id = ana.user.get_id(), raj.user.get_id(), raj.id
    ana_video = write_y4m(badge_png(live_app, ana_user), tmp_path / "ana.y4m")
    raj_video = write_y4m(badge_png(live_app, raj_user), tmp_path / "raj.y4m")
    base = live_app.config["LIVE_URL"]

    # Online: Ana's badge in front of the camera is checked in by the server.
    started = time.perf_counter()
    camera = camera_browser(browser, ana_video)
    try:
        page = open_scanner(camera, base)
        page.click("#camera-start")
        expect(page.locator("#camera")).to_be_visible()
        page.wait_for_selector("#result.result-ok")
        page.click("#camera-stop")  # the code stays in view: stop before it is read again
        assert page.text_content("#result-title") == "Checked in"
        assert page.text_content("#result-name") == "Ana Example"
        assert page.get_attribute("#result", "data-result") == "ok"
        staff_session = page.context.storage_state()
    finally:
        camera.close()
    assert attendance_names(live_app) == ["Ana Example"]
    print(f"\ncamera scan online: {time.perf_counter() - started:.1f}s")

    # Offline: Raj's badge is judged in the browser (signature) and queued, then synced.
    started = time.perf_counter()
    camera = camera_browser(browser, raj_video)
    try:
        page = open_scanner(camera, base, staff_session)
        page.context.set_offline(True)
        expect(page.locator("#connection")).to_have_text("offline")
        page.click("#camera-start")
        page.wait_for_selector("#result.result-ok")
        page.click("#camera-stop")
        expect(page.locator("#result-reason")).to_have_text(
            f"Genuine badge #{raj_id} — accepted offline, will sync."
        )
        expect(page.locator("#queue-status")).to_have_text("1 waiting")
        assert attendance_names(live_app) == ["Ana Example"], "nothing reached the server offline"

        page.context.set_offline(False)
        expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
        expect(page.locator("#sync-report")).to_contain_text("Synced 1 scan; 0 conflicts")
    finally:
        camera.close()
    assert attendance_names(live_app) == ["Ana Example", "Raj Kumar"]
    print(f"camera scan offline + sync: {time.perf_counter() - started:.1f}s")
