"""Every HTML page of the delegate's and the organiser's journeys passes the Nu HTML
checker (issue 16 #14: microseconds in <time datetime>, repeated id="csrf_token").

The checker is vnu.jar from npm (``npm install vnu-jar``) run with Java from Debian
(``apt-get install default-jre-headless``). The test finds it through ``VNU_JAR``, else in
``node_modules/vnu-jar`` under ``CONFAPP_TOOLS`` (default ``~/.cache/confapp-tools``), and
is skipped with the reason when Java or the jar is missing. All pages go to one run of the
checker (one JVM start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.route_world import LAST
from tests.route_world import build_world
from tests.route_world import client_for
from tests.route_world import rule_url
from tests.web.test_bad_input import role_for


@pytest.fixture
def world(app):
    """The shared world of tests/route_world.py."""
    return build_world(app)


def vnu_command() -> list[str]:
    """The checker's command line, or skip with what is missing."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is missing (apt-get install default-jre-headless): no Nu HTML checker")
    tools = Path(os.environ.get("CONFAPP_TOOLS", Path.home() / ".cache" / "confapp-tools"))
    candidates = [os.environ.get("VNU_JAR", ""), tools / "node_modules/vnu-jar/build/dist/vnu.jar"]
    jar = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if jar is None:
        pytest.skip(f"vnu.jar not found: set VNU_JAR or run `npm install vnu-jar` in {tools}")
    return [java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json"]


def test_every_journey_page_is_valid_html(app, world, tmp_path):
    command = vnu_command()
    app.config["WTF_CSRF_ENABLED"] = True  # pages as served: every form with its token
    clients = {role: client_for(app, world, role) for role in ("delegate", "organiser")}
    pages: dict[str, str] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint in LAST or rule.endpoint == "static":
            continue
        url = rule_url(rule, world["values"])
        response = clients[role_for(rule.endpoint)].get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        path = tmp_path / f"{rule.endpoint}.html"
        path.write_bytes(response.data)
        pages[str(path)] = f"{rule.endpoint} ({url})"
    assert len(pages) >= 40, "the walk should reach most pages"
    out = subprocess.run(  # noqa: S603 - the checker on files this test wrote
        [*command, *pages], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(out.stderr or "{}").get("messages", [])
    problems = [
        f"{pages.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:"
        f"{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems[:60])
