"""Benchmark: the 400-session programme page in Arabic against the same page in English.

Run: python bench/programme_languages.py [--sessions 400] [--repeat 30]
Same data as bench/programme.py, with every session title and track name also entered in
Arabic (so the Arabic page reads the content translations too). Two clients, one per
language (chosen once with ?lang=, then remembered in the session), requests interleaved.
The goal is a ratio of at most 1.15: catalogs are loaded once per process, not per request.
Uses a temporary SQLite file unless CONFAPP_DATABASE_URL is set (a scratch database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from programme import build  # noqa: E402

from confapp import create_app  # noqa: E402
from confapp.agenda.models import ProgrammeSession  # noqa: E402
from confapp.agenda.models import Track  # noqa: E402
from confapp.extensions import db  # noqa: E402


def translate_content(app) -> None:
    """Arabic titles and track names for everything on the page."""
    with app.app_context():
        for s in db.session.scalars(db.select(ProgrammeSession)):
            s.title_i18n = {"ar": f"الجلسة {s.id}: العناقيد الصناعية والتمويل والسياسات"}
        for t in db.session.scalars(db.select(Track)):
            t.name_i18n = {"ar": f"المحور {t.id}"}
        db.session.commit()


def _get(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return elapsed


def main() -> None:
    """Print the English and Arabic medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("CONFAPP_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app("testing", {"DATABASE_URL": url, "MAIL_OUTBOX": f"{tmp}/outbox"})
    slug = build(app, args.sessions)
    translate_content(app)
    path = f"/events/{slug}/programme"
    clients = {}
    for language in ("en", "ar"):
        clients[language] = app.test_client()
        first = _get(clients[language], f"{path}?lang={language}")
        print(f"first {language} request (catalog loaded here if ever): {first * 1000:.1f} ms")
    arabic_page = clients["ar"].get(path).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic_page and "العناقيد الصناعية" in arabic_page
    english_page = clients["en"].get(path).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english_page
    for _ in range(3):
        for client in clients.values():
            _get(client, path)
    times: dict[str, list[float]] = {"en": [], "ar": []}
    # Interleaved, so that load from other processes hits both sides alike.
    for _ in range(args.repeat):
        for language, client in clients.items():
            times[language].append(_get(client, path))
    en_ms = statistics.median(times["en"]) * 1000
    ar_ms = statistics.median(times["ar"]) * 1000
    print(
        f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; "
        f"sessions on the page: {args.sessions}; repeat {args.repeat}"
    )
    print(
        f"programme page in English (median): {en_ms:.1f} ms ({len(english_page) / 1024:.0f} KiB)"
    )
    print(f"programme page in Arabic  (median): {ar_ms:.1f} ms ({len(arabic_page) / 1024:.0f} KiB)")
    print(f"ratio Arabic / English: {ar_ms / en_ms:.2f}x (target <= 1.15x)")


if __name__ == "__main__":
    main()
