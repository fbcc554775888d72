"""Badge PDF speed, in-process and for the whole `confapp badges` command, in one run.

Names: a quarter each Latin with diacritics, Devanagari, Arabic and Chinese (bench/names.py),
so shaping and the fallback fonts are paid for as at a South-South conference.

In-process: confapp.badges.render for each layout, against the naive baseline measured in
the same run (a default `qrcode.make()` PNG per badge embedded with `pdf.image()`, the
same text). Goal: >= 500 badges/s.

Command: `confapp badges bench -o FILE.pdf` in a subprocess on a SQLite database of N
confirmed delegates (default 2,000), and the same command on an event without delegates:
the difference is what the command's own work costs (query, tokens, rendering, writing,
marking as printed), the empty run is start-up. Goal (issue 13): >= 300 badges/s for the
whole command, start-up included; its own work is printed beside it.

Every QR code of the a4x8 run is decoded with zxing-cpp from a pdftoppm rendering
(skip with --no-decode).

Run: python bench/badges.py [N] [--no-decode]
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qrcode  # noqa: E402

from bench.names import mixed_names  # noqa: E402
from confapp.badges import tokens  # noqa: E402
from confapp.badges.render import BadgeData  # noqa: E402
from confapp.badges.render import BadgeDocument  # noqa: E402
from confapp.badges.render import build_badges  # noqa: E402
from confapp.pdf import font_set  # noqa: E402

ORGS = [
    "Kenya Leather Cluster",
    "Foundation for MSME Clusters",
    "UNIDO",
    "Ministry of MSME, Government of India",
    "Chambre de Commerce et d'Industrie du Sénégal",
    "Small Industries Development Bank of India",
]
COUNTRIES = [("KE", "Kenya"), ("IN", "India"), ("SN", "Senegal"), ("EG", "Egypt"), ("CN", "China")]
CATEGORIES = [("delegate", "Delegate")] * 6 + [("speaker", "Speaker"), ("press", "Press")]
TITLE = "Changing paradigms of cluster development: learning from global experiences"


def make_badges(n: int) -> list[BadgeData]:
    """n badges with the four-script name mix."""
    badges = []
    for i, name in enumerate(mixed_names(n), 1):
        category, label = CATEGORIES[i % len(CATEGORIES)]
        badges.append(
            BadgeData(
                tokens.issue("bench", 1, i, 1),
                name,
                ORGS[i % len(ORGS)],
                COUNTRIES[i % len(COUNTRIES)][1],
                category,
                label,
                TITLE,
            )
        )
    return badges


class NaiveDocument(BadgeDocument):
    """The same badge, but the QR code is a default qrcode.make() PNG per badge."""

    def add(self, badge, rows=None, **kwargs):
        """Place a badge with a PNG QR."""
        self._png = io.BytesIO()
        qrcode.make(badge.token).save(self._png)
        super().add(badge, rows=[0], **kwargs)

    def _qr(self, rows, x, y, size):
        self.pdf.image(self._png, x, y, size, size)


def in_process(n: int, decode: bool) -> bool:
    """Time both renderers per layout; print badges/s and the ratio."""
    fonts = font_set({})
    badges = make_badges(n)
    naive_n = max(50, n // 10)
    print(f"in-process: {n} badges (naive baseline: {naive_n}), four scripts")
    ok = True
    for layout in ("a6", "a4x4", "a4x8"):
        start = time.perf_counter()
        chosen = fonts.for_texts(text for b in badges for text in b.texts())
        pdf = build_badges(badges, layout=layout, fonts=chosen)
        fast = n / (time.perf_counter() - start)
        start = time.perf_counter()
        doc = NaiveDocument(layout, fonts.for_texts(t for b in badges[:naive_n] for t in b.texts()))
        for badge in badges[:naive_n]:
            doc.add(badge)
        doc.output()
        naive = naive_n / (time.perf_counter() - start)
        verdict = "OK" if fast >= 500 else "BELOW TARGET"
        ok &= fast >= 500
        print(
            f"  {layout:5} fast {fast:6.0f} badges/s  naive {naive:5.0f} badges/s  "
            f"ratio {fast / naive:5.1f}x  pdf {len(pdf) / 1e6:.1f} MB  [{verdict}: >= 500/s]"
        )
        if decode and layout == "a4x8":
            found = decode_all(pdf)
            expected = {b.token for b in badges}
            print(f"  a4x8 QR codes decoded: {len(found & expected)}/{len(expected)}")
            ok &= found >= expected
    return ok


def decode_all(pdf: bytes) -> set[str]:
    """Every QR code text of the PDF (pdftoppm at 150 dpi, zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    found = set()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "badges.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), f"{tmp}/p"], check=True)
        for png in Path(tmp).glob("p*.png"):
            with Image.open(png) as image:
                found |= {r.text for r in zxingcpp.read_barcodes(image)}
    return found


def seed_database(url: str, n: int) -> None:
    """Two events: `bench` with n confirmed delegates (four-script names), `empty` with none."""
    import sqlalchemy as sa

    from confapp import create_app
    from confapp.accounts.models import User
    from confapp.events import services as event_services
    from confapp.extensions import db
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus

    app = create_app("testing", {"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        starts = dt.date.today() + dt.timedelta(days=30)
        for slug in ("bench", "empty"):
            event = event_services.create_event(
                slug=slug, title=TITLE, starts_on=starts, ends_on=starts, timezone="UTC"
            )
            event_services.publish(event)
        db.session.flush()
        event_id = db.session.scalar(sa.select(sa.text("id")).select_from(sa.text("event")))
        now = dt.datetime.now(dt.UTC)
        users = [
            {"email": f"d{i}@bench.example", "full_name": name, "created_at": now}
            for i, name in enumerate(mixed_names(n))
        ]
        db.session.execute(sa.insert(User), users)
        ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
        rows = []
        for i, (user_id, name) in enumerate(zip(ids, mixed_names(n), strict=True)):
            code, _ = COUNTRIES[i % len(COUNTRIES)]
            rows.append(
                {
                    "event_id": event_id,
                    "user_id": user_id,
                    "status": RegistrationStatus.CONFIRMED,
                    "full_name": name,
                    "email": f"d{i}@bench.example",
                    "organisation": ORGS[i % len(ORGS)],
                    "country": code,
                    "interests": [],
                    "created_at": now,
                    "updated_at": now,
                    "status_changed_at": now,
                }
            )
        db.session.execute(sa.insert(Registration), rows)
        db.session.commit()


def command(n: int) -> bool:
    """Time `confapp badges` on n delegates and on none; print badges/s."""
    confapp = Path(sys.executable).with_name("confapp")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        seed_database(url, n)
        env = {
            **os.environ,
            "CONFAPP_DATABASE_URL": url,
            "CONFAPP_SECRET_KEY": "bench-secret-key",
            "CONFAPP_ENV": "development",
        }
        print(f"command: confapp badges SLUG -o FILE.pdf, {n} delegates, SQLite")
        for layout in ("a6", "a4x8"):
            times = {}
            for slug in ("empty", "bench"):
                out = Path(tmp) / f"{slug}-{layout}.pdf"
                start = time.perf_counter()
                done = subprocess.run(
                    [str(confapp), "badges", slug, "-o", str(out), "--layout", layout],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    raise SystemExit(f"confapp badges {slug} failed:\n{done.stderr[-2000:]}")
                times[slug] = time.perf_counter() - start
            work = times["bench"] - times["empty"]
            verdict = "OK" if n / times["bench"] >= 300 else "BELOW TARGET"
            ok &= n / times["bench"] >= 300
            print(
                f"  {layout:5} whole command {times['bench']:5.2f} s"
                f" = {n / times['bench']:4.0f} badges/s"
                f"  (start-up, empty event: {times['empty']:4.2f} s)"
                f"  own work {work:5.2f} s = {n / work:4.0f} badges/s"
                f"  [{verdict}: whole command >= 300/s]"
            )
    return ok


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 2000
    good = in_process(count, decode="--no-decode" not in sys.argv)
    good &= command(count)
    sys.exit(0 if good else 1)
