"""The optional name in Latin letters: form, organiser edit, import, API, scanner, lists."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Registration
from tests.helpers import make_confirmed_registration
from tests.helpers import make_door
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import registration_form
from tests.helpers import sign_in


def _details(**overrides):
    data = {k: v for k, v in registration_form().items() if k not in ("email", "password")}
    data.update(overrides)
    return data


@pytest.mark.parametrize("value", ["Zhang Lei", "Muḥammad al-Hāshimī", "Rājesh Śarmā", ""])
def test_latin_names_with_accents_are_accepted(value):
    cleaned = services.clean_details(_details(full_name="张磊", name_latin=f"  {value}  "))
    assert cleaned["name_latin"] == value


@pytest.mark.parametrize("value", ["张磊", "محمد", "Zhang 磊", "Виктория"])
def test_other_scripts_are_refused_with_a_clear_message(value):
    with pytest.raises(ValidationFailed) as refused:
        services.clean_details(_details(full_name="张磊", name_latin=value))
    assert refused.value.field == "name_latin"
    assert "Latin letters" in refused.value.message


def test_registration_form_and_delegate_edit_keep_it(app, client):
    with app.app_context():
        make_event("cdc")
        db.session.commit()
    page = client.get("/events/cdc/register").get_data(as_text=True)
    assert 'name="name_latin"' in page and "Name in Latin letters" in page
    answer = client.post(
        "/events/cdc/register",
        data=registration_form(full_name="张磊", name_latin="Zhang Lei"),
    )
    assert answer.status_code == 302
    with app.app_context():
        reg = db.session.scalar(sa.select(Registration))
        assert (reg.full_name, reg.name_latin) == ("张磊", "Zhang Lei")
    mine = client.get("/events/cdc/my-registration").get_data(as_text=True)
    assert "Zhang Lei" in mine
    form = _details(full_name="张磊", name_latin="ZHANG Lei")
    assert client.post("/events/cdc/my-registration/edit", data=form).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.name_latin)) == "ZHANG Lei"
    refused = client.post("/events/cdc/my-registration/edit", data={**form, "name_latin": "磊"})
    assert refused.status_code in (200, 422) and "Latin letters" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.name_latin)) == "ZHANG Lei"


@pytest.fixture
def organiser(app, client):
    with app.app_context():
        event = make_event("cdc")
        org = make_staff(event, "org@example.org")
        reg = make_confirmed_registration(event, "lei@example.cn", full_name="张磊", country="CN")
        db.session.commit()
        sign_in(client, db.session.get(User, org.id))
        return reg.id


def test_organiser_sets_it_and_it_shows_in_the_list(app, client, organiser):
    url = f"/events/cdc/manage/registrations/{organiser}"
    answer = client.post(url, data={"category": "delegate", "name_latin": "Zhang Lei", "notes": ""})
    assert answer.status_code == 302
    listing = client.get("/events/cdc/manage/registrations").get_data(as_text=True)
    assert "张磊" in listing and "Zhang Lei" in listing
    # Searching the list by the Latin spelling finds the person.
    found = client.get("/events/cdc/manage/registrations?q=zhang").get_data(as_text=True)
    assert "张磊" in found
    refused = client.post(url, data={"category": "delegate", "name_latin": "张", "notes": ""})
    assert refused.status_code in (200, 422) and "Latin letters" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Registration, organiser).name_latin == "Zhang Lei"
    export = client.get("/events/cdc/manage/registrations.csv").get_data(as_text=True)
    header, row = export.splitlines()[:2]
    assert header.endswith(",name_latin") and row.endswith(",Zhang Lei")


def test_import_csv_column(app, client, organiser):
    content = "full_name,name_latin,email,country\n王小明,Wang Xiaoming,wang@example.cn,CN\n"
    answer = client.post(
        "/events/cdc/manage/registrations/import",
        data={"file": (io.BytesIO(content.encode()), "d.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.text
    with app.app_context():
        reg = db.session.scalar(sa.select(Registration).where(Registration.full_name == "王小明"))
        assert reg.name_latin == "Wang Xiaoming"
    bad = "full_name,name_latin,email,country\n李娜,李娜,li@example.cn,CN\n"
    answer = client.post(
        "/events/cdc/manage/registrations/import",
        data={"file": (io.BytesIO(bad.encode()), "d.csv")},
        content_type="multipart/form-data",
    )
    assert "Latin letters" in answer.get_data(as_text=True)


def test_api_and_scanner_answer_carry_it(app, client):
    door = make_door(app)
    with app.app_context():
        reg = db.session.get(Registration, door["reg_id"])
        reg.full_name, reg.name_latin = "محمد الهاشمي", "Muhammad al-Hashimi"
        organiser = make_staff(reg.event, "org@example.org")
        from confapp.accounts.services import issue_api_token
        from confapp.db import utcnow

        org_bearer = issue_api_token(organiser, "test", utcnow())
        db.session.commit()
    headers = {"Authorization": f"Bearer {door['bearer']}"}
    answer = client.post(
        "/api/v1/events/cdc/checkins",
        json={"token": door["badge"], "session_id": None, "visit_id": None, "scan_id": "s1"},
        headers=headers,
    ).get_json()
    assert answer["delegate"]["name_latin"] == "Muhammad al-Hashimi"
    found = client.get("/api/v1/events/cdc/checkins/search?q=hashimi", headers=headers)
    [person] = found.get_json()["results"]
    assert person["full_name"] == "محمد الهاشمي" and person["name_latin"] == "Muhammad al-Hashimi"
    listing = client.get(
        "/api/v1/events/cdc/registrations", headers={"Authorization": f"Bearer {org_bearer}"}
    ).get_json()
    assert listing["items"][0]["name_latin"] == "Muhammad al-Hashimi"
