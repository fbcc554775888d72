"""Certificates of participation without HTTP: who may have one and when, numbers that
cannot be guessed, re-issue, verification, and a PDF whose every word stays inside its
frame (pdftotext -bbox) with a QR code that decodes to the verification URL."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import sqlalchemy as sa

from confapp.checkin import certificates
from confapp.checkin.certificates import CertificateData
from confapp.checkin.certificates import Validity
from confapp.checkin.certificates import build_certificates
from confapp.checkin.models import Certificate
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.pdf import font_set
from confapp.registration.models import RegistrationStatus
from tests.certificates import can_decode_qr
from tests.certificates import decode_qr
from tests.certificates import outside
from tests.certificates import scan_in
from tests.certificates import words_with_boxes
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)
BEFORE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
# 20 February 2027 begins at 18:30 UTC on the 19th in New Delhi.
JUST_BEFORE = dt.datetime(2027, 2, 19, 18, 29, tzinfo=dt.UTC)
DURING = dt.datetime(2027, 2, 19, 18, 30, tzinfo=dt.UTC)

PARTNERS = (
    "Bharat Foundation for MSME Clusters",
    "United Nations Industrial Development Organization (UNIDO)",
    "National Confederation of Small and Medium Industries",
    "Global Cluster Competitiveness Network",
)
URL = "http://127.0.0.1:5000/certificates/7K3M-Q9ZP-2X4T"
DEMO = CertificateData(
    full_name="Aïssatou Diallo",
    organisation="Fédération des Clusters Artisanaux du Sénégal",
    event_title="Changing paradigms of cluster development: learning from global experiences",
    dates="20–22 February 2027",
    place="India Habitat Centre, New Delhi, India",
    sessions_attended=3,
    partners=PARTNERS,
    number="7K3M-Q9ZP-2X4T",
    issued_on="21 February 2027",
    verify_url=URL,
)
# The longest each field allows (200 characters), in long words that cannot break early.
LONGEST = CertificateData(
    full_name=("Maximiliano Bartholomew Wolfeschlegelsteinhausen " * 5)[:200],
    organisation=("International Association of Wood Workers Cooperatives " * 4)[:200],
    event_title=("Changing paradigms of cluster development: learning from WWW experiences " * 3)[
        :200
    ],
    dates="20 September 2027 – 22 September 2027",
    place="India Habitat Centre Convention Hall Complex, Lodhi Road, New Delhi, India",
    sessions_attended=12,
    partners=tuple(
        (f"United Nations Industrial Development Organization Network {i} " * 4)[:200]
        for i in range(8)
    ),
    number="ZZZZ-WWWW-MMMM",
    issued_on="22 September 2027",
    verify_url="https://conferences.example-foundation-for-msme-clusters.org/certificates/ZZZZ-WWWW-MMMM",
)
UNBREAKABLE = CertificateData(
    full_name="W" * 200,
    organisation="M" * 200,
    event_title="W" * 200,
    dates="20–22 February 2027",
    place="New Delhi, India",
    sessions_attended=1,
    partners=("W" * 200,),
    number="7K3M-Q9ZP-2X4T",
    issued_on="21 February 2027",
    verify_url=URL,
)


@pytest.fixture
def delegate(app_ctx):
    """A confirmed delegate of "cdc" (20–22 February 2027, New Delhi), not scanned in."""
    event = make_event("cdc")
    return make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")


# --- numbers -------------------------------------------------------------------------------


def test_numbers_are_random_and_forgiving_when_typed():
    numbers = {certificates.new_number() for _ in range(2000)}
    assert len(numbers) == 2000  # 60 random bits: no collision in a few thousand
    for number in list(numbers)[:50]:
        assert len(number) == 14 and number.count("-") == 2
        assert certificates.normalise_number(number.lower().replace("-", " ")) == number
    assert certificates.normalise_number("7k3m q9zp 2x4t") == "7K3M-Q9ZP-2X4T"
    assert certificates.normalise_number("OIL0-0000-0000") == "0110-0000-0000"
    assert certificates.normalise_number("7K3M-Q9ZP") is None
    assert certificates.normalise_number("7K3M-Q9ZP-2X4U") is None  # U is not in the set
    assert certificates.normalise_number("<script>") is None


# --- who may have one, and when ---------------------------------------------------------------


def test_refused_before_the_event_and_before_attending_with_the_reason(delegate):
    with pytest.raises(DomainError) as not_begun:
        certificates.issue(delegate, now=BEFORE)
    assert not_begun.value.code == "not_begun"
    assert "20 February 2027" in not_begun.value.message
    with pytest.raises(DomainError) as not_yet:
        certificates.issue(delegate, now=JUST_BEFORE)
    assert not_yet.value.code == "not_begun"
    with pytest.raises(DomainError) as absent:
        certificates.issue(delegate, now=DURING)
    assert absent.value.code == "not_attended"
    assert "scanned in" in absent.value.message
    # Scanned in two months early (the bug of issue 19): still not before the event.
    scan_in(delegate, BEFORE)
    with pytest.raises(DomainError) as early:
        certificates.issue(delegate, now=BEFORE)
    assert early.value.code == "not_begun"
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0


def test_issued_once_attended_and_begun_and_the_same_on_every_download(delegate):
    scan_in(delegate, DURING)
    first = certificates.issue(delegate, now=DURING)
    again = certificates.issue(delegate, now=DURING + dt.timedelta(days=1))
    assert first.id == again.id and first.number == again.number
    assert first.issued_at == DURING and first.full_name == "Ana Example"
    assert certificates.verify(first.number).validity is Validity.VALID


def test_cancelled_registration_gets_none_and_its_number_reads_revoked(delegate):
    scan_in(delegate, DURING)
    issued = certificates.issue(delegate, now=DURING)
    delegate.status = RegistrationStatus.CANCELLED
    db.session.flush()
    with pytest.raises(DomainError) as refused:
        certificates.issue(delegate, now=DURING)
    assert refused.value.code == "not_confirmed"
    assert certificates.verify(issued.number).validity is Validity.REVOKED


def test_reissue_gives_a_new_number_and_the_old_one_reads_replaced(delegate):
    organiser = make_staff(delegate.event, "org@example.org")
    scan_in(delegate, DURING)
    old = certificates.issue(delegate, now=DURING)
    delegate.full_name = "Ana Maria Example"
    later = DURING + dt.timedelta(hours=3)
    new = certificates.reissue(delegate, actor=organiser, now=later, replaces=old.number)
    assert new.number != old.number and new.full_name == "Ana Maria Example"
    assert new.issued_by_id == organiser.id
    replaced = certificates.verify(old.number)
    assert replaced.validity is Validity.REPLACED and replaced.certificate.replaced_at == later
    assert certificates.verify(new.number).validity is Validity.VALID
    assert certificates.verify("7K3M-Q9ZP-2X4T").validity is Validity.UNKNOWN
    assert certificates.verify("not a number").validity is Validity.UNKNOWN
    # The same form sent again (it still names the old number) re-issues nothing.
    with pytest.raises(DomainError) as stale:
        certificates.reissue(delegate, actor=organiser, now=later, replaces=old.number)
    assert stale.value.code == "stale"
    assert certificates.current_certificate(delegate).number == new.number


def test_one_certificate_in_force_per_registration_is_a_database_rule(delegate):
    scan_in(delegate, DURING)
    certificates.issue(delegate, now=DURING)
    db.session.add(
        Certificate(
            number=certificates.new_number(),
            event_id=delegate.event_id,
            registration_id=delegate.id,
            full_name="x",
            issued_at=DURING,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_bulk_issue_only_once_begun_and_in_two_queries(delegate):
    event = delegate.event
    others = [make_confirmed_registration(event, f"d{i}@example.org") for i in range(5)]
    for reg in (delegate, *others):
        scan_in(reg, DURING)
    assert certificates.issue_all(event, [delegate, *others], BEFORE) == {}
    issued = certificates.issue_all(event, [delegate, *others], DURING)
    assert set(issued) == {r.id for r in (delegate, *others)}
    assert len({c.number for c in issued.values()}) == 6
    again = certificates.issue_all(event, [delegate, *others], DURING)
    assert {k: c.number for k, c in again.items()} == {k: c.number for k, c in issued.items()}


# --- the PDF --------------------------------------------------------------------------------------


@needs_pdftotext
@pytest.mark.parametrize(
    "data", [DEMO, LONGEST, UNBREAKABLE], ids=["demo", "longest", "unbreakable"]
)
def test_every_word_lies_inside_the_frame(data, tmp_path):
    pdf = build_certificates([data], font_set())
    (words,) = words_with_boxes(pdf, tmp_path)
    assert len(words) > 20
    # The frame is drawn 12 mm inside the page edges; text keeps 2.5 mm more.
    assert outside(words, 12 + 2.5) == []
    text = " ".join(w[0] for w in words)
    assert data.number in text and data.issued_on.split()[-1] in text
    if data is DEMO:
        for word in ("Aïssatou", "Diallo", "Sénégal", "experiences", "(UNIDO)", "Network"):
            assert word in text  # nothing of the demo was cut or shortened
        assert URL in text and "…" not in text


@needs_pdftotext
def test_arabic_certificate_inside_the_frame_right_to_left(app_ctx, tmp_path):
    arabic = CertificateData(
        full_name="محمد عبد الله الحسيني",
        organisation="اتحاد عناقيد الصناعات الحرفية في شمال أفريقيا والشرق الأوسط",
        event_title="تغيير نماذج تنمية العناقيد: التعلم من التجارب العالمية",
        dates="٢٠–٢٢ فبراير ٢٠٢٧",
        place="نيودلهي، الهند",
        sessions_attended=3,
        partners=PARTNERS,
        language="ar",
        number="7K3M-Q9ZP-2X4T",
        issued_on="٢١ فبراير ٢٠٢٧",
        verify_url=URL,
    )
    pdf = build_certificates(
        [arabic, LONGEST.__class__(**{**LONGEST.__dict__, "language": "ar"})], font_set()
    )
    pages = words_with_boxes(pdf, tmp_path)
    for words in pages:
        assert outside(words, 12 + 2.5) == []
    text = " ".join(w[0] for w in pages[0])
    with force_language("ar"):
        assert "7K3M-Q9ZP-2X4T" in text and URL in text
    assert "CERTIFICATE" not in text
    # Right to left: the footer's text sits at the right, the QR code at the left.
    number = next(w for w in pages[0] if "7K3M" in w[0])
    assert number[1] > 297 / 2 * 72 / 25.4


@pytest.mark.skipif(not can_decode_qr(), reason="needs pdftoppm and node")
def test_qr_code_decodes_to_the_verification_url(tmp_path):
    assert decode_qr(build_certificates([DEMO], font_set()), tmp_path) == URL


@pytest.mark.postgres
def test_downloads_at_once_issue_one_certificate(app):
    """Threads on PostgreSQL: eight first downloads at once, one number for everyone."""
    import threading

    with app.app_context():
        event = make_event("race", starts_on=dt.date.today() - dt.timedelta(days=1))
        reg = make_confirmed_registration(event, "ana@example.org")
        scan_in(reg)
        db.session.commit()
        reg_id = reg.id
    barrier = threading.Barrier(8)
    numbers, errors = [], []

    def download():
        try:
            with app.app_context():
                from confapp.registration.models import Registration

                mine = db.session.get(Registration, reg_id)
                barrier.wait()
                numbers.append(certificates.issue(mine, now=dt.datetime.now(dt.UTC)).number)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=download) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(numbers)) == 1 and len(numbers) == 8
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


@needs_pdftotext
def test_the_organisers_logo_prints_above_and_the_text_still_fits(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (600, 150), (26, 95, 122)).save(logo)
    with_logo = LONGEST.__class__(**{**LONGEST.__dict__, "logo": str(logo)})
    pdf = build_certificates([with_logo], font_set())
    assert b"/Subtype /Image" in pdf
    (words,) = words_with_boxes(pdf, tmp_path)
    assert outside(words, 12 + 2.5) == []
    # The heading sits below the logo (18 mm tall from 19 mm down).
    heading = next(w for w in words if w[0] == "CERTIFICATE")
    assert heading[2] > (19 + 17) * 72 / 25.4


@needs_pdftotext
def test_the_signature_and_signatory_sit_between_the_text_and_the_footer(tmp_path):
    from PIL import Image

    signature = tmp_path / "signature.png"
    Image.new("RGBA", (900, 300), (22, 44, 110, 255)).save(signature)
    signed = LONGEST.__class__(
        **{**LONGEST.__dict__, "signature": str(signature), "signatory": "Dr Meera Raghavan"}
    )
    pdf = build_certificates([signed], font_set())
    assert b"/Subtype /Image" in pdf
    (words,) = words_with_boxes(pdf, tmp_path)
    assert outside(words, 12 + 2.5) == []
    name = next(w for w in words if w[0] == "Raghavan")
    number = next(w for w in words if signed.number in w[0])
    # Under the signature, over the certificate number; the text above stays above it.
    assert name[4] < number[2]
    assert max(w[4] for w in words if w[0] != "Raghavan" and w[2] < name[2] - 30) < name[2]
    unsigned_words = words_with_boxes(build_certificates([LONGEST], font_set()), tmp_path)[0]
    assert "Raghavan" not in {w[0] for w in unsigned_words}
