"""CSV import of delegations, on the web and with `confapp import-delegates`: all or nothing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.extensions import db
from confapp.registration.imports import read_csv
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

HEADER = (
    "full_name,email,organisation,organisation_type,job_title,country,sector,phone,"
    "interests,dietary,accessibility,needs_visa_letter,directory_opt_in,category"
)
GOOD = "\n".join(
    [
        HEADER,
        "Amina Diallo,amina@example.sn,Dakar Cluster,cluster_association,Chair,SN,industry,"
        "+221 77 000,innovation;finance,halal,,yes,no,",
        'Bruno Costa,Bruno@Example.br,"Costa, Filhos & Cia",msme,Owner,BR,agriculture,,'
        "export_markets,,,0,1,speaker",
        "Chen Li,chen@example.cn,,,,CN,,,,,,,,",
    ]
)
BAD = "\n".join(
    [
        HEADER,
        "Amina Diallo,amina@example.sn,,,,SN,,,,,,,,",  # line 2: fine
        ",nobody@example.org,,,,IN,,,,,,,,",  # line 3: no name
        "Bad Mail,not-an-email,,,,IN,,,,,,,,",  # line 4
        "Bad Country,bc@example.org,,,,XX,,,,,,,,",  # line 5
        "Bad Enum,be@example.org,,cult,,IN,mining,,,,,,,",  # line 6
        "Bad Bool,bb@example.org,,,,IN,,,,,,maybe,,",  # line 7
        "Dup,AMINA@example.sn,,,,SN,,,,,,,,",  # line 8: same as line 2
        "Taken,taken@example.org,,,,IN,,,,,,,,",  # line 9: already registered
        "Bad Interest,bi@example.org,,,,IN,,,golf,,,,,",  # line 10
    ]
)


@pytest.fixture
def setup(app):
    with app.test_request_context():
        event = make_event(capacity=3)
        organiser = make_staff(event, "org@example.org")
        make_registration(event, "taken@example.org")
        db.session.commit()
        return {"organiser": organiser.id}


@pytest.fixture
def org_client(app, setup):
    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.get(User, setup["organiser"]))
    return client


def _state():
    db.session.remove()
    return (
        db.session.scalar(sa.select(sa.func.count(Registration.id))),
        db.session.scalar(sa.select(sa.func.count(User.id))),
    )


def _upload(client, content: bytes, name: str = "delegates.csv"):
    return client.post(
        "/events/cdc/manage/registrations/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_web_import_of_a_good_file(app, org_client, outbox):
    # Semicolon-separated, with a BOM, as Excel saves "CSV UTF-8" in many locales.
    content = "\ufeff" + GOOD.replace(",", ";").replace(
        '"Costa; Filhos & Cia"', '"Costa, Filhos & Cia"'
    )
    content = content.replace("innovation;finance", "innovation|finance")
    # Within a ;-file the interests column is still ;-separated: quote it.
    content = content.replace("innovation|finance", '"innovation;finance"')
    response = _upload(org_client, content.encode("utf-8"))
    assert response.status_code == 302, response.text
    with app.app_context():
        regs = {r.email: r for r in db.session.scalars(sa.select(Registration))}
        assert set(regs) == {
            "taken@example.org",
            "amina@example.sn",
            "bruno@example.br",
            "chen@example.cn",
        }
        amina, bruno, chen = (
            regs["amina@example.sn"],
            regs["bruno@example.br"],
            regs["chen@example.cn"],
        )
        assert amina.source is RegistrationSource.IMPORT
        assert amina.interests == ["innovation", "finance"]
        assert (amina.needs_visa_letter, amina.directory_opt_in) == (True, False)
        assert bruno.organisation == "Costa, Filhos & Cia"
        assert bruno.category.value == "speaker" and bruno.directory_opt_in
        assert (amina.status, bruno.status, chen.status) == (S.CONFIRMED, S.CONFIRMED, S.WAITLISTED)
        assert (
            db.session.scalar(sa.select(User).where(User.email == "bruno@example.br")).password_hash
            is None
        )
    [welcome] = outbox.to("amina@example.sn")
    assert "organisers have registered you" in outbox.body(welcome)
    assert any("/reset-password/" in link for link in outbox.links(welcome))
    assert "waiting list" in outbox.to("chen@example.cn")[0]["Subject"]


def test_web_import_with_errors_writes_nothing_and_lists_lines(app, org_client, outbox):
    with app.app_context():
        before = _state()
    response = _upload(org_client, BAD.encode("utf-8"))
    assert response.status_code == 422
    text = response.text
    assert (
        "<strong>Nothing was imported.</strong> Correct these 8 problems and upload the file again:"
        in text
    )
    for line, reason in [
        (3, "full_name"),
        (4, "email"),
        (5, "country"),
        (6, "organisation_type"),
        (7, "needs_visa_letter"),
        (8, "already appears on line 2"),
        (9, "already registered"),
        (10, "interests"),
    ]:
        assert f"Line {line}: {reason}" in text or (f"Line {line}:" in text and reason in text)
    assert "Line 2:" not in text
    with app.app_context():
        assert _state() == before
    assert outbox.to("amina@example.sn") == []


def test_web_import_counts_problems_and_columns_in_words(app, org_client):
    one_unknown = b"full_name,email,country,passport\nA,a@example.org,IN,X1\n"
    text = _upload(org_client, one_unknown).text
    assert "Correct this problem and upload the file again:" in text
    assert "unknown column: passport (expected:" in text
    org_client.get("/?lang=ar")
    text = _upload(org_client, one_unknown).text
    assert "صحّح هذه المشكلة وأعد رفع الملف:" in text
    assert "عمود غير معروف: passport (المتوقع:" in text
    two_unknown = b"full_name,email,country,passport,fax\nA,a@example.org,IN,X1,0\n"
    assert "عمودان غير معروفين: passport, fax (المتوقع:" in _upload(org_client, two_unknown).text
    three_missing = b"name\nA\n"
    text = _upload(org_client, three_missing).text
    assert "أعمدة ناقصة: full_name, email, country" in text
    assert "صحّح هاتين المشكلتين وأعد رفع الملف:" in text  # and the unknown column "name"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00b\x00a\x00d", "not UTF-8"),
        (b"", "The file is empty."),
        (b"name,email\nA,a@example.org\n", "missing columns: full_name, country"),
        (
            b"full_name,email,country,passport\nA,a@example.org,IN,X1\n",
            "unknown column: passport (expected: full_name, email,",
        ),
        (HEADER.encode() + b"\n", "no delegates"),
    ],
)
def test_web_import_refuses_unreadable_files(app, org_client, content, message):
    with app.app_context():
        before = _state()
    response = _upload(org_client, content)
    assert response.status_code in (200, 422)
    assert message in response.text
    with app.app_context():
        assert _state() == before


def test_read_csv_counts_lines_from_the_header():
    rows, errors = read_csv(b"full_name,email,country\n\nA,a@x.org,IN\n")
    assert errors == []
    assert rows == [(3, {"full_name": "A", "email": "a@x.org", "country": "IN"})]


def test_cli_import_all_or_nothing(app, setup, runner, tmp_path, outbox):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    with app.app_context():
        before = _state()
    result = runner.invoke(args=["import-delegates", "cdc", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was imported: 8 problems found." in result.output
    assert "line 5: country" in result.output
    with app.app_context():
        assert _state() == before

    good = tmp_path / "good.csv"
    good.write_bytes(("\ufeff" + GOOD).encode("utf-8"))
    result = runner.invoke(args=["import-delegates", "cdc", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 delegates into cdc: 2 confirmed, 1 on the waiting list." in result.output
    with app.app_context():
        assert _state() == (before[0] + 3, before[1] + 3)
    assert any("/reset-password/" in link for link in outbox.links(outbox.to("chen@example.cn")[0]))
    # Running the same file again: everyone is already registered, nothing changes.
    again = runner.invoke(args=["import-delegates", "cdc", str(good)])
    assert again.exit_code == 1 and "already registered" in again.output
    assert runner.invoke(args=["import-delegates", "nope", str(good)]).exit_code != 0


def test_import_reuses_existing_accounts(app, setup, runner, tmp_path, outbox):
    with app.app_context():
        make_user("chen@example.cn", full_name="Chen Existing")
        db.session.commit()
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(args=["import-delegates", "cdc", str(good)]).exit_code == 0
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(User.id)).where(User.email == "chen@example.cn")
            )
            == 1
        )
    # An account with a password gets no set-password link.
    assert not any(
        "/reset-password/" in link for link in outbox.links(outbox.to("chen@example.cn")[0])
    )


def _many(rows: int, bad_line: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        country = "XX" if bad_line == i + 2 else "KE"
        lines.append(f"Delegate {i},d{i}@example.org,,,,{country},,,,,,,,")
    return "\n".join(lines).encode()


def test_a_long_file_is_imported_by_a_job_whose_page_reports_it(app, setup, client):
    with app.app_context():
        sign_in(client, db.session.get(User, setup["organiser"]))
    answer = client.post(
        "/events/cdc/manage/registrations/import",
        data={"file": (io.BytesIO(_many(250)), "delegation.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302 and "/manage/jobs/" in answer.headers["Location"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="job-done"' in page
    assert "250 delegates imported · 248 on the waiting list." in page  # capacity 3, 1 taken
    with app.app_context():
        imported = db.session.scalars(
            sa.select(Registration).where(Registration.source == RegistrationSource.IMPORT)
        ).all()
        assert len(imported) == 250
        # File order decides who gets the seats and the order of the waiting list.
        confirmed = sorted(r.email for r in imported if r.status is S.CONFIRMED)
        assert confirmed == ["d0@example.org", "d1@example.org"]
        from confapp.registration import services

        last = next(r for r in imported if r.email == "d249@example.org")
        assert services.waitlist_position(last) == 248
        from confapp.eventlog.models import EventLogEntry

        entry = db.session.scalar(
            sa.select(EventLogEntry).where(EventLogEntry.kind == "registration.import_csv")
        )
        assert entry is not None and entry.via == "job"


def test_a_long_file_with_one_bad_line_imports_nothing_and_names_the_line(app, setup, client):
    with app.app_context():
        sign_in(client, db.session.get(User, setup["organiser"]))
    answer = client.post(
        "/events/cdc/manage/registrations/import",
        data={"file": (io.BytesIO(_many(300, bad_line=180)), "delegation.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="job-failed"' in page and "Nothing was imported" in page
    assert "Line 180: country" in page
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Registration)
                .where(Registration.source == RegistrationSource.IMPORT)
            )
            == 0
        )
