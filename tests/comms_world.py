"""A hand-counted event for the communications tests (see each person's line below)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from confapp.agenda import services as agenda_services
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.services import SessionData
from confapp.checkin.models import Attendance
from confapp.extensions import db
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.registration.models import RegistrationStatus
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from confapp.visits.models import VisitSignup
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@dataclasses.dataclass
class World:
    event: object
    organiser: object
    visit: object
    session: object
    people: dict


def _attend(event, reg, checkpoint, *, session=None, visit=None):
    db.session.add(
        Attendance(
            event_id=event.id,
            registration_id=reg.id,
            checkpoint=checkpoint,
            session_id=getattr(session, "id", None),
            visit_id=getattr(visit, "id", None),
            first_scanned_at=NOW,
        )
    )


def fast_passwords(monkeypatch) -> None:
    """Password hashes that take microseconds (these tests build many accounts; signing
    in still works)."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "confapp.accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


def build() -> World:
    """Seven people; the counts each filter must give are written in the tests."""
    event = make_event("cdc", languages=["en", "fr", "es", "ar"], default_language="en")
    organiser = make_staff(event, "org@example.org")
    visit = make_visit(event, "Panipat textile cluster")
    session = agenda_services.create_session(
        event,
        SessionData(
            title="Workshop on cluster finance",
            kind=SessionKind.WORKSHOP,
            starts_at=local_time(event, 0, "10:00"),
            ends_at=local_time(event, 0, "11:00"),
            seat_limit=20,
        ),
        now=NOW,
    )

    def person(name, **fields):
        status = fields.pop("status", RegistrationStatus.CONFIRMED)
        language = fields.pop("language", None)
        reg = make_confirmed_registration(
            event, f"{name}@example.org", full_name=f"{name.title()} Example", **fields
        )
        reg.status = status
        reg.user.language = language
        return reg

    ana = person("ana", country="KE", organisation_type="msme", sector="industry",
                 needs_visa_letter=True, language="fr")  # fmt: skip
    ben = person("ben", category="speaker", country="IN", organisation_type="policy_maker",
                 sector="services", language="es")  # fmt: skip
    chloe = person("chloe", country="BD", organisation_type="cluster_association",
                   sector="agriculture", needs_visa_letter=True)  # fmt: skip
    dan = person("dan", status=RegistrationStatus.WAITLISTED, country="KE",
                 organisation_type="msme", sector="industry")  # fmt: skip
    eve = person("eve", status=RegistrationStatus.PENDING, category="press", country="FR",
                 organisation_type="other", sector="services")  # fmt: skip
    fay = person("fay", status=RegistrationStatus.CANCELLED, country="IN",
                 organisation_type="msme", sector="industry")  # fmt: skip
    gus = person("gus", country="KE", organisation_type="financial_institution",
                 sector="industry", needs_visa_letter=True, language="ar")  # fmt: skip
    db.session.flush()
    # Visit: ana and ben hold seats, gus waits (not "signed up").
    for reg, status in ((ana, SeatStatus.CONFIRMED), (ben, SeatStatus.CONFIRMED),
                        (gus, SeatStatus.WAITLISTED)):  # fmt: skip
        db.session.add(VisitSignup(visit_id=visit.id, registration_id=reg.id, status=status))
    db.session.add(
        SessionSignup(session_id=session.id, registration_id=chloe.id, status=SeatStatus.CONFIRMED)
    )
    # Scans: ana and ben (and cancelled fay) at the entrance, ben on the visit, gus in S.
    for reg in (ana, ben, fay):
        _attend(event, reg, "entrance")
    _attend(event, ben, f"visit:{visit.id}", visit=visit)
    _attend(event, gus, f"session:{session.id}", session=session)
    # Visa: chloe's letter is approved, gus's is only requested, ana never asked.
    db.session.add(VisaRequest(registration=chloe, status=VisaStatus.APPROVED))
    db.session.add(VisaRequest(registration=gus, status=VisaStatus.REQUESTED))
    # Meetings: ana and ben have one booked; ben asked chloe, who has not answered.
    slot = MeetingSlot(event_id=event.id, starts_at=local_time(event, 1, "14:00"),
                       ends_at=local_time(event, 1, "14:30"))  # fmt: skip
    table = MeetingTable(event_id=event.id, name="T1")
    db.session.add_all([slot, table])
    db.session.flush()
    accepted = MeetingRequest(event_id=event.id, requester_id=ana.id, invitee_id=ben.id,
                              status=RequestStatus.ACCEPTED)  # fmt: skip
    waiting = MeetingRequest(event_id=event.id, requester_id=ben.id, invitee_id=chloe.id,
                             status=RequestStatus.PENDING)  # fmt: skip
    db.session.add_all([accepted, waiting])
    db.session.flush()
    meeting = Meeting(event_id=event.id, request_id=accepted.id, slot_id=slot.id,
                      table_id=table.id)  # fmt: skip
    db.session.add(meeting)
    db.session.flush()
    for reg in (ana, ben):
        db.session.add(
            MeetingAttendee(meeting_id=meeting.id, registration_id=reg.id, slot_id=slot.id)
        )
    db.session.flush()
    people = dict(ana=ana, ben=ben, chloe=chloe, dan=dan, eve=eve, fay=fay, gus=gus)
    return World(event, organiser, visit, session, people)
