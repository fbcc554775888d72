"""Browser fixtures: the app served on a free local port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from confapp import create_app
from confapp.extensions import db
from confapp.urls import set_base_url

CHROMIUM = os.environ.get("CONFAPP_CHROMIUM", "/usr/bin/chromium")
# Flags of every Chromium the tests launch (tests with a fake camera add their own).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser` (so `-m "not browser"` leaves them all out,
    whether or not its module says so); skip them with a reason when Chromium or Playwright
    is missing."""
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "needs the playwright package (pip install -e '.[test]')"
    if reason:
        for item in items:
            if "tests/e2e" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live_app(tmp_path):
    """The app on a temporary SQLite database, served by a real HTTP server in a thread."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    app = create_app(
        "testing",
        {
            "DATABASE_URL": url,
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": True,
        },
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    set_base_url(app, app.config["LIVE_URL"])  # links in e-mails point at this server
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page (phone-sized screens set per test)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where journeys save screenshots: docs/screenshots (the README's) when
    CONFAPP_SCREENSHOTS=1, else a temporary folder so test runs leave the tree clean."""
    if os.environ.get("CONFAPP_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    else:
        folder = tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def has_chromium() -> bool:
    """Whether a Chromium binary is available."""
    return Path(CHROMIUM).exists() or bool(shutil.which("chromium"))
