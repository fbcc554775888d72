"""Static files: content-hashed names cached for a year, gzip and brotli answers, rewritten
references, plain names that always revalidate, and Flask's plain serving when debugging."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from confapp import ROOT
from confapp import assets
from confapp import create_app

HASHED = re.compile(r"/static/css/app\.[0-9a-f]{12}\.css")


@pytest.fixture
def fresh_app(tmp_path):
    """An app whose static files are built into an empty folder, as on a fresh machine."""
    app = create_app(
        "testing", {"DATABASE_URL": "sqlite://", "STATIC_BUILD_DIR": str(tmp_path / "built")}
    )
    return app


def test_a_fresh_machine_builds_hashed_compressed_files_at_start(fresh_app, tmp_path):
    built = tmp_path / "built"
    manifest = fresh_app.extensions["confapp.assets"]
    hashed = manifest.names["js/scanner.js"]
    assert re.fullmatch(r"js/scanner\.[0-9a-f]{12}\.js", hashed)
    for name in (hashed, "js/scanner.js"):
        assert (built / name).read_bytes()
        assert gzip.decompress((built / f"{name}.gz").read_bytes()) == (built / name).read_bytes()
        assert brotli.decompress((built / f"{name}.br").read_bytes()) == (built / name).read_bytes()
    # Every file of static/ is there (PDF fonts too: gzip only, brotli would take seconds).
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    assert set(manifest.names) == {p.relative_to(ROOT / "static").as_posix() for p in sources}
    fonts = [n for n in manifest.names if n.endswith(".ttf")]
    for name in fonts:
        assert not (built / f"{manifest.names[name]}.br").exists()


def test_pages_link_hashed_names_served_compressed_and_immutable(fresh_app):
    client = fresh_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    url = HASHED.search(page).group(0)
    plain = (ROOT / "static" / "css" / "app.css").read_bytes()

    identity = client.get(url, headers={"Accept-Encoding": "identity"})
    assert identity.status_code == 200 and identity.get_data() == plain
    assert identity.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert identity.headers["Vary"] == "Accept-Encoding"
    assert identity.headers["X-Content-Type-Options"] == "nosniff"
    assert identity.mimetype == "text/css"

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain
    assert len(zipped.get_data()) < len(plain) / 2

    chrome = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert chrome.headers["Content-Encoding"] == "br"
    assert brotli.decompress(chrome.get_data()) == plain

    again = client.get(url, headers={"If-None-Match": identity.headers["ETag"]})
    assert again.status_code == 304


def test_plain_names_still_answer_but_always_revalidate(fresh_app):
    client = fresh_app.test_client()
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Encoding"] == "gzip"
    assert client.get("/static/css/nothing-here.css").status_code == 404


def test_module_imports_point_at_hashed_names(fresh_app, tmp_path):
    manifest = fresh_app.extensions["confapp.assets"]
    scanner = (tmp_path / "built" / manifest.names["js/scanner.js"]).read_text()
    noble = Path(manifest.names["vendor/noble-ed25519/index.min.js"]).name
    assert f'from "../vendor/noble-ed25519/{noble}"' in scanner


def test_references_are_rewritten_and_hashes_follow_what_a_file_loads(tmp_path):
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "js").mkdir()
    (source / "img" / "logo.svg").write_text("<svg/>")
    (source / "css" / "site.css").write_text(
        'body{background:url("../img/logo.svg?x=1#a")}'
        "@import 'more.css';.b{background:url(data:image/png;base64,AA)}"
        ".c{background:url(https://example.org/x.png)}.d{background:url(../img/missing.png)}"
    )
    (source / "css" / "more.css").write_text("p{color:red}")
    (source / "js" / "a.js").write_text(
        'import { b } from "./b.js";\nimport "./c.js";\nconst d = import("./d.js");\n'
        'import x from "bare-name";\n'
    )
    for name in "bcd":
        (source / "js" / f"{name}.js").write_text(f"export const {name} = 1;")

    first = assets.build(source, tmp_path / "out")
    out = tmp_path / "out"
    css = (out / first.names["css/site.css"]).read_text()
    logo = Path(first.names["img/logo.svg"]).name
    more = Path(first.names["css/more.css"]).name
    assert f'url("../img/{logo}?x=1#a")' in css and f"@import '{more}'" in css
    assert "url(data:image/png;base64,AA)" in css and "url(https://example.org/x.png)" in css
    assert "url(../img/missing.png)" in css
    script = (out / first.names["js/a.js"]).read_text()
    for name in "bcd":
        assert f"./{Path(first.names[f'js/{name}.js']).name}" in script
    assert '"bare-name"' in script
    # The plain name holds the same rewritten content.
    assert (out / "css/site.css").read_text() == css

    # A change to the image changes the image's name and the stylesheet's that uses it.
    (source / "img" / "logo.svg").write_text("<svg></svg>")
    second = assets.build(source, out)
    assert second.names["img/logo.svg"] != first.names["img/logo.svg"]
    assert second.names["css/site.css"] != first.names["css/site.css"]
    assert second.names["css/more.css"] == first.names["css/more.css"]
    assert second.version != first.version
    # Old hashed files stay for pages rendered before the change.
    assert (out / first.names["css/site.css"]).exists()


def test_debug_mode_and_a_read_only_folder_fall_back_to_plain_names(tmp_path):
    debug = create_app("testing", {"DATABASE_URL": "sqlite://", "DEBUG": True})
    assert debug.extensions["confapp.assets"] is None
    page = debug.test_client().get("/login").get_data(as_text=True)
    assert '"/static/css/app.css"' in page

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    app = create_app("testing", {"DATABASE_URL": "sqlite://", "STATIC_BUILD_DIR": str(blocked)})
    assert app.extensions["confapp.assets"] is None
    client = app.test_client()
    assert '"/static/css/app.css"' in client.get("/login").get_data(as_text=True)
    assert client.get("/static/css/app.css").status_code == 200


def test_templates_use_static_url():
    """Every template links static files through static_url (hashed names), never url_for."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "url_for('static'" in p.read_text() or 'url_for("static"' in p.read_text()
    ]
    assert offenders == []


def test_scanner_service_worker_is_served_fresh_from_the_event_folder(app, client):
    from confapp.extensions import db
    from tests.helpers import make_event

    with app.app_context():
        make_event("cdc")
        db.session.commit()
    response = client.get("/events/cdc/scan-sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert body.startswith('const SCANNER = {"page": "/events/cdc/scan", "assets": ["/static/')
    assert 'addEventListener("fetch"' in body
    assert re.search(r'"version": "[0-9a-f]{12}"', body)
    assert client.get("/events/nothing/scan-sw.js").status_code == 404
