"""Organiser registration tools: access, list, bulk, manual add, exports, CSV import, races."""

from __future__ import annotations

import datetime as dt
import io
import threading

import openpyxl
import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus as S
from confapp.visa.models import VisaRequest
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import registration_form
from tests.helpers import sign_in

BASE = "/events/cdc/manage/registrations"


def _count(model, *where) -> int:
    db.session.remove()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _regs() -> list[Registration]:
    db.session.remove()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


@pytest.fixture
def setup(app):
    """Event `cdc` (capacity 2), an organiser and a delegate; returns their ids."""
    with app.test_request_context():
        event = make_event(capacity=2)
        organiser = make_staff(event, "org@example.org")
        delegate = make_registration(event, "ana@example.org", full_name="Ana Silva", country="BR")
        db.session.commit()
        return {"organiser": organiser.id, "delegate": delegate.user_id, "event_id": event.id}


@pytest.fixture
def org_client(app, setup):
    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.get(User, setup["organiser"]))
    return client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("get", f"{BASE}/1"),
        ("get", f"{BASE}/new"),
        ("post", f"{BASE}/bulk"),
        ("get", f"{BASE}.csv"),
        ("get", f"{BASE}.xlsx"),
        ("get", f"{BASE}/import"),
        ("post", f"{BASE}/import"),
    ],
)
def test_organiser_pages_refuse_delegates_and_visitors(app, setup, method, path):
    client = app.test_client()
    anonymous = getattr(client, method)(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
    with app.app_context():
        sign_in(client, db.session.get(User, setup["delegate"]))
    assert getattr(client, method)(path).status_code == 403


def test_list_counts_filters_and_search(app, setup, org_client):
    with app.test_request_context():
        event = db.session.get(Event, setup["event_id"])
        make_registration(event, "raj@example.org", full_name="Raj <b>Kumar</b>", country="IN")
        make_registration(event, "li@example.org", full_name="Li Wei", country="CN")
        db.session.commit()
    page = org_client.get(BASE).text
    assert "3 registrations found" in page
    assert "Raj &lt;b&gt;Kumar&lt;/b&gt;" in page
    assert 'name="ids"' in page and 'value="approve"' in page
    assert "2 of 2 places taken" in page
    filtered = org_client.get(BASE, query_string={"status": "waitlisted"}).text
    assert (
        "1 registration found" in filtered and "Li Wei" in filtered and "Ana Silva" not in filtered
    )
    searched = org_client.get(BASE, query_string={"q": "SILVA", "country": "BR"}).text
    assert "1 registration found" in searched and "Ana Silva" in searched
    # Export links keep the filters.
    assert "registrations.csv?q=SILVA" in searched or "registrations.csv?country=BR" in searched
    assert org_client.get(BASE, query_string={"status": "nonsense", "page": "x"}).status_code == 200


def test_pagination_50_per_page(app, setup, org_client):
    with app.app_context():
        _bulk_registrations(setup["event_id"], 60)
    first = org_client.get(BASE).text
    assert first.count('name="ids"') == 50
    assert "page 1 of 2" in first
    second = org_client.get(BASE, query_string={"page": 2}).text
    assert second.count('name="ids"') == 11


def test_bulk_cancel_promotes_and_reports(app, setup, org_client, outbox):
    with app.test_request_context():
        event = db.session.get(Event, setup["event_id"])
        b = make_registration(event, "b@example.org")
        c = make_registration(event, "c@example.org")
        d = make_registration(event, "d@example.org")
        db.session.commit()
        ids = [b.id, c.id]
        assert d.status is S.WAITLISTED
    response = org_client.post(
        f"{BASE}/bulk", data={"action": "cancel", "ids": [str(i) for i in ids], "confirmed": "yes"}
    )
    assert response.status_code == 302
    with app.app_context():
        statuses = {r.email: r.status for r in _regs()}
        assert statuses == {
            "ana@example.org": S.CONFIRMED,
            "b@example.org": S.CANCELLED,
            "c@example.org": S.CANCELLED,
            "d@example.org": S.CONFIRMED,
        }
        assert db.session.get(Event, setup["event_id"]).pool.taken == 2
    assert any(
        m["Subject"].strip().startswith("You have a place") for m in outbox.to("d@example.org")
    )
    # c was waiting and cancelled in the same batch: never told they had a place.
    assert [m["Subject"].split(":")[0].strip() for m in outbox.to("c@example.org")] == [
        "You are on the waiting list",
        "Registration cancelled",
    ]
    assert "2 registrations cancelled." in org_client.get(BASE).text
    # An empty selection is a message, not an error page.
    empty = org_client.post(f"{BASE}/bulk", data={"action": "approve"}, follow_redirects=True)
    assert "Select at least one registration." in empty.text


def test_manage_detail_edits_category_and_note(app, setup, org_client):
    with app.app_context():
        reg_id = _regs()[0].id
    page = org_client.get(f"{BASE}/{reg_id}").text
    assert "Ana Silva" in page and 'value="cancel"' in page
    response = org_client.post(
        f"{BASE}/{reg_id}", data={"category": "speaker", "notes": "<i>VIP</i> speaker"}
    )
    assert response.status_code == 302
    with app.app_context():
        reg = _regs()[0]
        assert (reg.category.value, reg.notes) == ("speaker", "<i>VIP</i> speaker")
    assert "&lt;i&gt;VIP&lt;/i&gt;" in org_client.get(f"{BASE}/{reg_id}").text
    bad = org_client.post(f"{BASE}/{reg_id}", data={"category": "king"})
    assert bad.status_code == 200 and "Not a valid choice" in bad.text
    assert org_client.get(f"{BASE}/99999").status_code == 404


def test_manage_detail_names_the_source_in_the_readers_language(app, setup, org_client):
    with app.app_context():
        reg_id = _regs()[0].id
    assert "source: Online form" in org_client.get(f"{BASE}/{reg_id}?lang=en").text
    page = org_client.get(f"{BASE}/{reg_id}?lang=ar").text
    assert "المصدر: النموذج الإلكتروني" in page and "المصدر: web" not in page


def test_manual_add_creates_passwordless_account_and_respects_capacity(
    app, setup, org_client, outbox
):
    data = registration_form(
        email="New@Example.org", full_name="New Person", category="sponsor", password=None
    )
    response = org_client.post(f"{BASE}/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert user.password_hash is None
        reg = _regs()[-1]
        assert (reg.source, reg.category.value, reg.status) == (
            RegistrationSource.MANUAL,
            "sponsor",
            S.CONFIRMED,
        )
    [message] = outbox.to("new@example.org")
    assert any("/reset-password/" in link for link in outbox.links(message))
    # The event is now full: the next one joins the waiting list; an existing account is reused.
    org_client.post(f"{BASE}/new", data=registration_form(email="org@example.org", password=None))
    with app.app_context():
        assert _regs()[-1].status is S.WAITLISTED
        assert _count(User) == 3
    # Same person twice: a form error, nothing written.
    again = org_client.post(
        f"{BASE}/new", data=registration_form(email="NEW@example.org", password=None)
    )
    assert again.status_code == 200 and "already registered" in again.text
    with app.app_context():
        assert _count(Registration) == 3


def test_export_csv_and_xlsx(app, setup, org_client):
    with app.test_request_context():
        event = db.session.get(Event, setup["event_id"])
        raj = make_registration(
            event,
            "raj@example.org",
            full_name="Rāj =Kumar",
            country="IN",
            interests=["finance", "innovation"],
            needs_visa_letter=True,
        )
        raj.visa_request = VisaRequest(
            passport_name="RAJ KUMAR",
            passport_number="Z9876543",
            nationality="IN",
            date_of_birth=dt.date(1980, 1, 2),
        )
        db.session.commit()
    response = org_client.get(f"{BASE}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("id,status,category,source,full_name,email")
    assert len(lines) == 3
    assert "Rāj =Kumar" in text and "innovation;finance" in text
    assert "Z9876543" not in text and "RAJ KUMAR" not in text and "1980" not in text

    filtered = org_client.get(f"{BASE}.csv", query_string={"country": "IN"}).data.decode(
        "utf-8-sig"
    )
    assert len(filtered.splitlines()) == 2 and "ana@example.org" not in filtered

    xlsx = org_client.get(f"{BASE}.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "id" and sheet["A1"].font.b
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in rows] == ["ana@example.org", "raj@example.org"]
    assert rows[1][4] == "Rāj =Kumar"  # stored as text, not a formula
    assert "Z9876543" not in str(rows)


def _bulk_registrations(event_id: int, n: int, prefix: str = "bulk") -> None:
    """Many registrations fast (no password hashing, no e-mails)."""
    users = [User(email=f"{prefix}{i}@example.org", full_name=f"Bulk {i}") for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Registration(
            event_id=event_id,
            user_id=u.id,
            email=u.email,
            full_name=u.full_name,
            country="KE",
            status=S.CONFIRMED,
            organisation_type=OrganisationType.MSME,
        )
        for u in users
    )
    db.session.commit()


def test_manage_list_query_count_is_constant(app, setup, org_client):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries_for_list() -> int:
        with app.app_context():
            engine = db.engine
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert org_client.get(BASE).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    with app.app_context():
        _bulk_registrations(setup["event_id"], 9)
    few = queries_for_list()
    with app.app_context():
        db.session.execute(sa.delete(Registration).where(Registration.email.like("bulk%")))
        db.session.commit()
        _bulk_registrations(setup["event_id"], 99, prefix="more")
    many = queries_for_list()
    assert few == many, statements
    assert many <= 8


@pytest.mark.postgres
def test_parallel_registrations_never_overbook(app):
    with app.test_request_context():
        event = make_event("race", capacity=25)
        for i in range(5):
            make_registration(event, f"early{i}@example.org")
        db.session.commit()
        assert event.pool.taken == 5
    barrier = threading.Barrier(60)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def register(i: int) -> None:
        try:
            with app.app_context():
                client = app.test_client()
                barrier.wait(timeout=30)
                response = client.post(
                    "/events/race/register",
                    data=registration_form(email=f"racer{i}@example.org", full_name=f"Racer {i}"),
                )
                db.session.remove()
            with lock:
                results.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == [302] * 60
    with app.app_context():
        racers = Registration.email.like("racer%")
        assert _count(Registration, racers) == 60
        assert _count(Registration, racers, Registration.status == S.CONFIRMED) == 20
        assert _count(Registration, racers, Registration.status == S.WAITLISTED) == 40
        assert _count(User, User.email.like("racer%")) == 60
        event = db.session.scalar(sa.select(Event).where(Event.slug == "race"))
        assert event.pool.taken == 25
