"""The world every route can be walked in: one event with a delegate (a visa request and a
visit seat), staff, an organiser and an administrator, a second event with its own
organiser, a published programme, an announcement and a finished job; a URL for every
rule of app.url_map and a signed-in test client per role.

Shared by the walks over every route: the authorisation matrix, hostile input, double
submits, HTML validity and languages (tests/web/test_authorisation_matrix.py,
test_bad_input.py, test_double_submit.py, test_html_valid.py, test_every_page_translated.py).
"""

from __future__ import annotations

import datetime as dt

from confapp.accounts.models import EventRoleKind
from confapp.agenda import services as agenda_services
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.agenda.services import SessionData
from confapp.extensions import db
from confapp.jobs.models import Job
from confapp.jobs.models import JobStatus
from confapp.visa.models import VisaRequest
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

ROLES = ("anonymous", "delegate", "other_organiser", "staff", "organiser", "admin")

# Routes that end the role's standing (signing out, cancelling) are walked last.
LAST = ("registration.cancel", "accounts.logout")


def build_world(app) -> dict:
    """Event A with a delegate, staff and organiser; event B with its own organiser.

    Returns the users by role (detached) and a value for every URL argument of every rule."""
    with app.app_context():
        event = make_event("cdc", capacity=50)
        other = make_event("other")
        organiser = make_staff(event, "org@example.org")
        staff = make_staff(event, "staff@example.org", EventRoleKind.STAFF)
        other_organiser = make_staff(other, "org-b@example.org")
        # People's names that are no interface words ("Staff", "Delegate"), so that the
        # language walk can tell a name from a word left in English.
        organiser.full_name, staff.full_name = "Olu Adeyemi", "Sita Rao"
        other_organiser.full_name = "Bruno Costa"
        admin = make_user("admin@example.org", admin=True, full_name="Mei Lin")
        registration = make_confirmed_registration(
            event, "delegate@example.org", full_name="Amina Odhiambo"
        )
        visa = VisaRequest(
            registration=registration,
            passport_name="AMINA ODHIAMBO",
            passport_number="P1234567",
            nationality="KE",
            date_of_birth=dt.date(1980, 1, 1),
            status="requested",
        )
        db.session.add(visa)
        room = Room(event_id=event.id, name="Hall A", capacity=100)
        track = Track(event_id=event.id, name="Innovation", colour="#225588")
        db.session.add_all([room, track])
        db.session.flush()
        session = agenda_services.create_session(
            event,
            SessionData(
                title="Workshop on cluster finance",
                kind=SessionKind.WORKSHOP,
                starts_at=local_time(event, 0, "10:00"),
                ends_at=local_time(event, 0, "11:00"),
                room_id=room.id,
                track_id=track.id,
                seat_limit=20,
            ),
            now=dt.datetime.now(dt.UTC),
        )
        agenda_services.publish_programme(event, dt.datetime.now(dt.UTC))
        from confapp.visits.services import signup as visit_signup
        from tests.helpers import make_visit

        visit = make_visit(event, buses=(("Bus 1", 10), ("Bus 2", 10)))
        visit_holder = visit_signup(event, visit, registration, now=dt.datetime.now(dt.UTC))
        from confapp.comms import services as comms_services

        announcement = comms_services.create(
            event,
            comms_services.Draft(
                subject={"en": "Shuttle times"},
                body={"en": "The shuttle leaves the hotel at 08:00."},
                publish=True,
            ),
            user=organiser,
            now=dt.datetime.now(dt.UTC),
        )
        job = Job(event_id=event.id, kind="badges.pdf", status=JobStatus.DONE, done=2, total=2)
        db.session.add(job)
        db.session.commit()
        users = {
            "delegate": registration.user,
            "other_organiser": other_organiser,
            "staff": staff,
            "organiser": organiser,
            "admin": admin,
        }
        values = {
            "slug": "cdc",
            "reg_id": registration.id,
            "request_id": visa.id,
            "session_id": session.id,
            "room_id": room.id,
            "track_id": track.id,
            "token": "not-a-valid-token",
            "filename": "css/app.css",
            "action": "cancel",
            "visit_id": visit.id,
            "signup_id": visit_holder.id,
            "registration_id": registration.id,
            "slot_id": 999999,
            "tag_id": 999999,
            "kind": "logo",
            "role_id": staff.roles[0].id,
            "invitation_id": 999999,
            "message_id": 999999,
            "key": "countries",
            "announcement_id": announcement.id,
            "job_id": job.id,
            "number": "7K3M-Q9ZP-2X4T",
        }
        return {
            "users": {k: db.session.get(type(u), u.id) for k, u in users.items()},
            "values": values,
        }


def rule_url(rule, values) -> str:
    """The rule's path with its arguments filled in from the world's values."""
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in (
            "int",
            "path",
            "any(cancel, reinstate, delete)",
            "any(accept, decline, cancel, book)",
        ):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
    return path


def walk_rules(app) -> list:
    """Every rule of the app, by endpoint, the ones in LAST at the end."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.endpoint))


def client_for(app, world, role: str):
    """A test client signed in as the world's person of that role (none for anonymous)."""
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            sign_in(client, world["users"][role])
    return client
