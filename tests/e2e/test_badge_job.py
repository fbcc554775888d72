"""An organiser prints every badge of a large event from the web: the page answers at once,
its progress bar moves while a real worker (the demo's in-process consumer on a SQLite
queue) renders the PDF, and the PDF is then offered for download."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from confapp import create_app
from confapp.accounts.models import User
from confapp.extensions import db
from confapp.jobs.cli import start_in_process
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.urls import set_base_url
from tests.helpers import PASSWORD
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

# The renderer draws over 1,500 badges/s on a quiet machine, so any number of badges may be
# drawn between two of the page's polls (every 0.5 s) and the test could not see the bar move
# (seen with 1,200 and 2,400). The test therefore makes each badge take at least
# DRAW_AT_LEAST seconds in the worker (which runs in this process): the job then lasts at
# least 2.4 s whatever the machine, and the claim stays two distinct values strictly between.
DELEGATES = 1200
DRAW_AT_LEAST = 0.002


@pytest.fixture
def worker_app(tmp_path):
    """The app served on a free port with a real queue and a worker in the same process."""
    app = create_app(
        "testing",
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": True,
            "JOBS_IMMEDIATE": False,
            "JOBS_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
            "JOBS_RESULTS_DIR": str(tmp_path / "results"),
        },
    )
    with app.app_context():
        db.create_all()
        event = make_event("cdc", capacity=DELEGATES + 10)
        make_staff(event, "org@example.org")
        now = dt.datetime.now(dt.UTC)
        db.session.execute(
            sa.insert(User),
            [
                {"email": f"d{i}@example.org", "full_name": f"Delegate {i:04d}", "created_at": now}
                for i in range(DELEGATES)
            ],
        )
        users = db.session.execute(
            sa.select(User.id, User.full_name, User.email).where(User.email.like("d%"))
        ).all()
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "event_id": event.id,
                    "user_id": user.id,
                    "status": RegistrationStatus.CONFIRMED,
                    "full_name": user.full_name,
                    "email": user.email,
                    "country": "KE",
                    "organisation": "Kenya Leather Cluster",
                    "interests": [],
                    "created_at": now,
                    "updated_at": now,
                    "status_changed_at": now,
                }
                for user in users
            ],
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    set_base_url(app, app.config["LIVE_URL"])
    consumer = start_in_process(app, workers=1)
    yield app
    consumer.stop(graceful=True)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def test_organiser_prints_all_badges_watching_the_progress_bar(
    worker_app, page, tmp_path, screenshots, monkeypatch
):
    from playwright.sync_api import expect

    from confapp.badges.render import BadgeDocument

    draw = BadgeDocument.add

    def slow_add(self, *args, **kwargs):
        draw(self, *args, **kwargs)
        time.sleep(DRAW_AT_LEAST)

    monkeypatch.setattr(BadgeDocument, "add", slow_add)

    base = worker_app.config["LIVE_URL"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "org@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/events/cdc/manage/badges")
    main = page.locator("main")
    expect(main).to_contain_text(f"{DELEGATES} confirmed registrations have a badge")
    page.get_by_label("Layout", exact=True).select_option("a4x8")
    page.get_by_role("button", name="Download print-ready PDF").click()

    # The page answers at once with the progress bar; the script moves it without a reload.
    bar = main.locator("#job-bar")
    expect(bar).to_be_visible()
    assert main.locator("#job-refresh").is_visible()  # the way without JavaScript
    page.screenshot(path=str(screenshots / "badge-job-progress.png"))
    seen: set[int] = set()
    for _ in range(600):
        if main.locator("#job-download").count():
            break
        try:
            value = page.evaluate(
                "() => { const b = document.getElementById('job-bar');"
                " return b ? [b.value, b.max] : null; }"
            )
        except Exception:  # the page reloads itself when the job ends
            value = None
        if value and 0 < value[0] < value[1] == DELEGATES:
            seen.add(int(value[0]))
        page.wait_for_timeout(100)
    assert len(seen) >= 2, f"the bar never moved between start and end: {sorted(seen)}"

    expect(main.locator("#job-report")).to_contain_text(f"{DELEGATES} badges in this PDF.")
    page.screenshot(path=str(screenshots / "badge-job-done.png"))
    with page.expect_download() as download_info:
        main.locator("#job-download").click()
    download = download_info.value
    assert download.suggested_filename == "cdc-badges-a4x8.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = pdf_text(body, tmp_path)
    if text is not None:
        assert "Delegate 0000" in text and f"Delegate {DELEGATES - 1:04d}" in text
    with worker_app.app_context():
        printed = db.session.scalar(
            sa.select(sa.func.count()).where(Registration.badge_printed_at.is_not(None))
        )
        assert printed == DELEGATES
