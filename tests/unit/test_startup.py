"""Start-up stays fast: building the app (every gunicorn worker, every `confapp` command)
imports no heavy library that only some requests or commands use, and computes no
password hash. Measured figures are in the README (bench: `confapp --help`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Libraries imported where they are used (see confapp/lazy.py and confapp/migrate.py).
HEAVY = (
    "fpdf",
    "fontTools",
    "PIL",
    "openpyxl",
    "alembic",
    "flask_migrate",
    "huey",
    "icalendar",
    "markdown",
    "qrcode",
    "email_validator",
    "pyuca",
    "uharfbuzz",
)

PROBE = """
import json, sys
import werkzeug.security as ws
hashed = []
real = ws.generate_password_hash
ws.generate_password_hash = lambda *a, **k: hashed.append(1) or real(*a, **k)
from confapp import create_app
app = create_app("testing", {"DATABASE_URL": "sqlite://"})
loaded = sorted(
    name for name in %r
    if name in sys.modules and not type(sys.modules[name]).__name__.startswith("_Lazy")
)
rules = len(list(app.url_map.iter_rules()))
print(json.dumps({"loaded": loaded, "hashes": len(hashed), "rules": rules}))
"""


def _probe() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_building_the_app_imports_no_heavy_library_and_hashes_no_password():
    result = _probe()
    assert result["rules"] > 100  # the whole app was built
    assert result["loaded"] == [], "import these where they are used"
    assert result["hashes"] == 0


def test_the_lazy_modules_load_on_first_use(app):
    from confapp.agenda import ical
    from confapp.badges import qr

    assert ical.icalendar.Calendar().to_ical().startswith(b"BEGIN:VCALENDAR")
    assert qr.qr_png("HELLO").startswith(b"\x89PNG")


HELP_PROBE = """
import json, sys
sys.argv = ["confapp", "--help"]
from confapp.cli import main
try:
    main()
except SystemExit:
    pass
loaded = sorted(
    name for name in %r
    if name in sys.modules and not type(sys.modules[name]).__name__.startswith("_Lazy")
)
print(json.dumps({"loaded": loaded}))
"""


def test_a_confapp_command_imports_no_heavy_library_nor_plugin_commands():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
    env["CONFAPP_ENV"] = "development"
    env["CONFAPP_DATABASE_URL"] = "sqlite://"
    # Flask-Limiter's commands come in through the plugin scan confapp's group skips.
    watched = (*HEAVY, "flask_limiter.commands")
    out = subprocess.run(
        [sys.executable, "-c", HELP_PROBE % (watched,)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    ).stdout
    assert json.loads(out.strip().splitlines()[-1])["loaded"] == []


def test_confapp_help_lists_the_commands_without_loading_alembic():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
    env["CONFAPP_ENV"] = "development"
    env["CONFAPP_DATABASE_URL"] = "sqlite://"
    out = subprocess.run(
        [sys.executable, "-c", "from confapp.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    ).stdout
    for command in ("db", "demo", "worker", "badges", "import-delegates"):
        assert f"  {command} " in out
