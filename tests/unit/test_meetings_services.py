"""Meeting services: request states, instant booking, availability, batch, feedback, report."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.i18n import isolate_name
from confapp.lookups import event_scoped_or_404
from confapp.meetings import pdf as meeting_pdf
from confapp.meetings import services
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import SlotUnavailability
from confapp.registration.models import RegistrationStatus
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def setup_event(slots=3, tables=2, mode=MeetingBookingMode.INSTANT, people=4, **event_fields):
    event = make_event(meeting_booking_mode=mode, **event_fields)
    services.generate_slots(
        event,
        local_time(event, 0, "14:00"),
        local_time(event, 0, "14:00") + dt.timedelta(minutes=20 * slots),
        20,
    )
    services.add_tables(event, tables)
    regs = [
        make_confirmed_registration(
            event,
            f"p{i}@example.org",
            directory_opt_in=True,
            country=("KE", "IN", "BR", "DE")[i % 4],
        )
        for i in range(people)
    ]
    db.session.flush()
    return event, regs


NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_request_state_machine(ctx, outbox):
    event, (a, b, c, _) = setup_event()
    req = services.send_request(event, a, b, "Hello", NOW)
    assert req.status is RequestStatus.PENDING
    with pytest.raises(DomainError):
        services.send_request(event, b, a, "Again", NOW)  # open request either way round
    with pytest.raises(NotAllowed):
        services.accept_request(event, req, a, NOW)  # requester cannot accept
    with pytest.raises(NotAllowed):
        services.cancel_request(event, req, c, NOW)  # outsider cannot cancel
    services.decline_request(event, req, b, NOW)
    assert req.status is RequestStatus.DECLINED
    with pytest.raises(DomainError):
        services.accept_request(event, req, b, NOW)
    with pytest.raises(DomainError):
        services.cancel_request(event, req, a, NOW)
    # After a decline a new request may be sent; accepted + booked, then cancelled by the invitee.
    req2 = services.send_request(event, a, b, "", NOW)
    meeting = services.accept_request(event, req2, b, NOW)
    assert meeting is not None and req2.status is RequestStatus.ACCEPTED
    services.cancel_request(event, req2, b, NOW)
    assert req2.status is RequestStatus.CANCELLED and req2.cancelled_by_id == b.id
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(MeetingAttendee.id))) == 0
    db.session.commit()
    subjects = [m["Subject"] for m in outbox.messages()]
    assert any("Meeting request from" in s for s in subjects)
    assert any("declined" in s for s in subjects)
    assert any("accepted" in s for s in subjects)
    assert any("cancelled" in s for s in subjects)


def test_request_rules(ctx):
    event, (a, b, c, d) = setup_event(max_pending_requests=2)
    with pytest.raises(DomainError):
        services.send_request(event, a, a, "", NOW)
    b.directory_opt_in = False
    with pytest.raises(DomainError):
        services.send_request(event, a, b, "", NOW)
    with pytest.raises(DomainError):
        services.send_request(event, a, c, "x" * 1001, NOW)
    elsewhere = make_confirmed_registration(
        make_event("elsewhere"), "away@example.org", directory_opt_in=True
    )
    with pytest.raises(DomainError):
        services.send_request(event, a, elsewhere, "", NOW)  # another event's delegate
    services.send_request(event, a, c, "", NOW)
    services.send_request(event, a, d, "", NOW)
    b.directory_opt_in = True
    with pytest.raises(DomainError, match="awaiting an answer"):
        services.send_request(event, a, b, "", NOW)
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 2


def test_instant_booking_respects_availability_and_preference(ctx):
    event, (a, b, c, _) = setup_event(slots=3, tables=1)
    slots = services.list_slots(event)
    services.set_availability(event, b, [slots[2].id])
    req = services.send_request(event, a, b, "", NOW)
    meeting = services.accept_request(event, req, b, NOW, slot_id=slots[0].id)
    assert meeting.slot_id == slots[2].id  # the only slot b has
    # c and a: a is busy in slot 2, so slot 0 (preferred 1 ignored if chosen) is used.
    req2 = services.send_request(event, c, a, "", NOW)
    meeting2 = services.accept_request(event, req2, a, NOW, slot_id=slots[1].id)
    assert meeting2.slot_id == slots[1].id
    with pytest.raises(DomainError, match="meeting"):
        services.set_availability(event, b, [slots[0].id])
    assert db.session.scalar(sa.select(sa.func.count(SlotUnavailability.id))) == 2


def test_accept_without_common_slot_stays_accepted_unbooked(ctx):
    event, (a, b, *_) = setup_event(slots=2, tables=1)
    slots = services.list_slots(event)
    services.set_availability(event, a, [slots[0].id])
    services.set_availability(event, b, [slots[1].id])
    req = services.send_request(event, a, b, "", NOW)
    assert services.accept_request(event, req, b, NOW) is None
    assert req.status is RequestStatus.ACCEPTED and req.meeting is None
    with pytest.raises(DomainError, match="no slot left"):
        services.book_slot(event, req, a, NOW, None)


def test_batch_mode_and_schedule_all(ctx, outbox):
    event, regs = setup_event(slots=2, tables=1, mode=MeetingBookingMode.BATCH, people=5)
    a, b, c, d, e = regs
    reqs = []
    for x, y in ((a, b), (a, c), (a, d), (b, c), (d, e)):
        r = services.send_request(event, x, y, "", NOW)
        assert services.accept_request(event, r, y, NOW) is None  # batch: no booking yet
        reqs.append(r)
    report = services.schedule_all(event, NOW, time_limit=1)
    # 2 slots x 1 table: at most 2 meetings.
    assert report.scheduled == report.total_scheduled == 2
    assert report.bound == 2
    assert len(report.unscheduled) == 3
    assert all(item.reason and item.text and item.suggestion for item in report.unscheduled)
    # A second run keeps what is there and adds nothing.
    again = services.schedule_all(event, NOW, time_limit=1)
    assert again.scheduled == 0 and again.total_scheduled == 2
    db.session.commit()
    assert any("schedule" in m["Subject"] for m in outbox.messages())


def test_feedback_and_linkage_report(ctx):
    event, (a, b, c, d) = setup_event(slots=3, tables=2)
    r1 = services.send_request(event, a, b, "", NOW)
    services.accept_request(event, r1, b, NOW)
    r2 = services.send_request(event, c, d, "", NOW)
    services.accept_request(event, r2, d, NOW)
    services.send_request(event, a, c, "", NOW)
    with pytest.raises(DomainError, match="opens"):
        services.submit_feedback(
            event, r1, a, NOW, took_place=True, rating=5, cooperation_likely=True
        )
    later = NOW + dt.timedelta(days=200)
    with pytest.raises(DomainError):
        services.submit_feedback(
            event, r1, a, later, took_place=True, rating=6, cooperation_likely=True
        )
    with pytest.raises(NotAllowed):
        services.submit_feedback(
            event, r1, c, later, took_place=True, rating=4, cooperation_likely=True
        )
    services.submit_feedback(
        event, r1, a, later, took_place=True, rating=5, cooperation_likely=True
    )
    services.submit_feedback(
        event, r1, b, later, took_place=True, rating=3, cooperation_likely=False
    )
    services.submit_feedback(
        event, r2, c, later, took_place=False, rating=4, cooperation_likely=True
    )
    report = services.linkage_report(event)
    assert (report.requested, report.accepted, report.scheduled, report.held) == (3, 2, 2, 1)
    assert report.average_rating == 4.0 and report.cooperation_likely == 1
    # a is KE, b is IN.
    assert report.country_pairs == {("IN", "KE"): 1}
    assert report.sector_pairs == {("industry", "industry"): 1}


def test_slot_and_table_admin(ctx):
    event, _ = setup_event(slots=3, tables=2)
    # Overlapping generation adds nothing; bad input refused.
    assert (
        services.generate_slots(
            event, local_time(event, 0, "14:00"), local_time(event, 0, "15:00"), 20
        )
        == []
    )
    with pytest.raises(DomainError):
        services.generate_slots(
            event, local_time(event, 0, "15:00"), local_time(event, 0, "14:00"), 20
        )
    with pytest.raises(DomainError):
        services.add_tables(event, 0)
    assert [t.name for t in services.add_tables(event, 1)] == ["Table 3"]
    with pytest.raises(DomainError):
        services.add_tag(event, "")
    services.add_tag(event, "Finance")
    with pytest.raises(DomainError):
        services.add_tag(event, "finance")


@pytest.mark.postgres
def test_concurrent_acceptance_never_double_books(app):
    contenders = 12
    with app.test_request_context():
        event, regs = setup_event(slots=3, tables=2, people=1 + 6 + 12)
        hub, fans, pairs = regs[0], regs[1:7], regs[7:]
        request_ids = []
        for fan in fans:  # the hub asked six people; all accept at once
            request_ids.append((services.send_request(event, hub, fan, "", NOW).id, fan.id))
        for x, y in zip(pairs[::2], pairs[1::2], strict=True):  # six independent pairs
            request_ids.append((services.send_request(event, x, y, "", NOW).id, y.id))
        db.session.commit()
        event_id = event.id
        hub_id = hub.id
    assert len(request_ids) == contenders
    barrier = threading.Barrier(contenders)
    errors: list[BaseException] = []

    def run(request_id, invitee_id):
        try:
            with app.test_request_context():
                from confapp.events.models import Event
                from confapp.registration.models import Registration

                ev = db.session.get(Event, event_id)
                actor = db.session.get(Registration, invitee_id)
                barrier.wait()
                req = db.session.get(MeetingRequest, request_id)
                services.accept_request(ev, req, actor, NOW)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in request_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        rows = db.session.execute(sa.select(Meeting.slot_id, Meeting.table_id)).all()
        attendees = db.session.execute(
            sa.select(MeetingAttendee.registration_id, MeetingAttendee.slot_id)
        ).all()
        accepted = db.session.scalar(
            sa.select(sa.func.count(MeetingRequest.id)).where(
                MeetingRequest.status == RequestStatus.ACCEPTED
            )
        )
    assert accepted == contenders
    assert len(rows) == len(set(rows)) == 6  # 3 slots x 2 tables, all used, none twice
    assert len(attendees) == len(set(attendees)) == 12
    hub_slots = [s for r, s in attendees if r == hub_id]
    assert len(hub_slots) == len(set(hub_slots)) <= 3


def test_batch_respects_availability_and_reports_reasons(ctx):
    event, (a, b, c, d) = setup_event(slots=3, tables=5, mode=MeetingBookingMode.BATCH)
    slots = services.list_slots(event)
    services.set_availability(event, a, [slots[1].id])
    services.set_availability(event, c, [slots[0].id])
    services.set_availability(event, d, [slots[2].id])
    ab = services.send_request(event, a, b, "", NOW)
    ac = services.send_request(event, a, c, "", NOW)
    cd = services.send_request(event, c, d, "", NOW)
    for req, who in ((ab, b), (ac, c), (cd, d)):
        services.accept_request(event, req, who, NOW)
    report = services.schedule_all(event, NOW, time_limit=1)
    assert report.total_scheduled == 1 and report.bound == 1
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.request_id == ab.id and meeting.slot_id == slots[1].id
    reasons = {item.request.id: item.reason for item in report.unscheduled}
    assert reasons == {ac.id: "no_common_slot", cd.id: "no_common_slot"}
    # Past slots are never used.
    later = services.schedule_all(event, slots[2].ends_at, time_limit=1)
    assert later.scheduled == 0


def _priority(request_id: int) -> int:
    return db.session.scalar(
        sa.select(MeetingRequest.priority).where(MeetingRequest.id == request_id)
    )


def test_set_request_priority(ctx):
    event, (a, b, c, d) = setup_event(mode=MeetingBookingMode.BATCH)
    accepted = services.send_request(event, a, b, "", NOW)
    services.accept_request(event, accepted, b, NOW)
    pending = services.send_request(event, c, d, "", NOW)
    declined = services.send_request(event, a, c, "", NOW)
    services.decline_request(event, declined, c, NOW)
    other_event = make_event("other")
    db.session.commit()

    assert services.set_request_priority(accepted, services.PRIORITY_LEVELS["top"]) is accepted
    assert services.set_request_priority(pending, 2).priority == 2
    assert _priority(accepted.id) == 3  # flushed: visible to queries in the transaction
    found = services.request_page(event, services.RequestFilters())
    assert [r.request.id for r in found.rows] == [accepted.id, pending.id]  # highest first
    assert found.total == 2
    db.session.rollback()  # the service never commits: the caller's transaction decides
    assert (_priority(accepted.id), _priority(pending.id)) == (1, 1)

    for bad in (0, 4, -1, True, "3", None):
        with pytest.raises(DomainError, match="Choose a priority"):
            services.set_request_priority(accepted, bad)
    with pytest.raises(DomainError, match="only pending or accepted"):
        services.set_request_priority(declined, 3)
    with pytest.raises(NotFound):  # another event's request is not found there
        event_scoped_or_404(MeetingRequest, accepted.id, other_event)
    assert {_priority(r.id) for r in (accepted, pending, declined)} == {1}
    # The scheduler receives the priority as the request's weight.
    services.set_request_priority(accepted, 3)
    report = services.schedule_all(event, NOW, notify=False)
    assert (report.scheduled, report.bound) == (1, 3)


def test_update_settings_flushes_or_refuses(ctx):
    event = make_event("settings-test")
    services.update_settings(event, booking_mode=MeetingBookingMode.INSTANT, max_pending_requests=7)
    assert (event.meeting_booking_mode, event.max_pending_requests) == (
        MeetingBookingMode.INSTANT,
        7,
    )
    for bad in (0, 501):
        with pytest.raises(DomainError):
            services.update_settings(
                event, booking_mode=MeetingBookingMode.BATCH, max_pending_requests=bad
            )
    assert (event.meeting_booking_mode, event.max_pending_requests) == (
        MeetingBookingMode.INSTANT,
        7,
    )


def test_reminders_name_each_waiting_request_once(ctx, outbox):
    from confapp.registration.models import RegistrationStatus

    event, (a, b, c, d) = setup_event(people=4, max_pending_requests=5)
    old = NOW - dt.timedelta(hours=30)
    to_b_from_a = services.send_request(event, a, b, "Sourcing leather", old)
    to_b_from_c = services.send_request(event, c, b, "", old - dt.timedelta(hours=1))
    fresh = services.send_request(
        event, a, c, "", NOW - dt.timedelta(hours=2)
    )  # not waited long enough
    answered = services.send_request(event, d, a, "", old)
    services.decline_request(event, answered, a, NOW)
    gone = services.send_request(event, d, c, "", old)
    d.status = RegistrationStatus.CANCELLED  # no longer coming: no reminder of their request
    db.session.commit()
    before = len(outbox.messages())

    report = services.remind_pending(event, NOW, older_than=dt.timedelta(hours=24))
    db.session.commit()
    assert (report.delegates, report.requests) == (1, 2)
    reminders = outbox.messages()[before:]
    assert [m["To"] for m in reminders] == ["p1@example.org"]
    assert "2 meeting requests await your answer" in reminders[0]["Subject"]
    body = outbox.body(reminders[0])
    # Oldest first, with the message.
    assert body.index(c.full_name) < body.index(a.full_name) and '"Sourcing leather"' in body
    assert {to_b_from_a.reminded_at, to_b_from_c.reminded_at} == {NOW}
    assert fresh.reminded_at is None and answered.reminded_at is None and gone.reminded_at is None

    # Run again, even much later: nothing new to remind of, nothing sent.
    again = services.remind_pending(
        event, NOW + dt.timedelta(days=2), older_than=dt.timedelta(hours=24)
    )
    db.session.commit()
    assert (again.delegates, again.requests) == (1, 1)  # only `fresh`, now old enough
    assert [m["To"] for m in outbox.messages()[before + 1 :]] == ["p2@example.org"]
    assert "1 meeting request awaits your answer" in outbox.messages()[-1]["Subject"]


def test_no_reminders_once_the_last_slot_has_begun(ctx, outbox):
    event, (a, b, _c, _d) = setup_event(slots=2)
    req = services.send_request(event, a, b, "", NOW - dt.timedelta(days=3))
    db.session.commit()
    last_start = max(slot.starts_at for slot in services.list_slots(event))
    before = len(outbox.messages())
    report = services.remind_pending(event, last_start, older_than=dt.timedelta(hours=24))
    db.session.commit()
    assert (report.delegates, report.requests) == (0, 0) and req.reminded_at is None
    assert len(outbox.messages()) == before
    # Just before it, the reminder still goes out.
    report = services.remind_pending(
        event, last_start - dt.timedelta(minutes=1), older_than=dt.timedelta(hours=24)
    )
    assert (report.delegates, report.requests) == (1, 1)


@pytest.mark.parametrize("how", ["cancel", "reject"])
def test_leaving_the_event_releases_meetings_and_tells_the_counterpart(ctx, outbox, how):
    """Issue 16 #9: a delegate who leaves frees their slots and tables, withdraws their
    open requests, and each counterpart is e-mailed."""
    from confapp.registration import services as registration_services
    from tests.helpers import make_staff

    event, (leaver, booked_with, asked, asking) = setup_event()
    organiser = make_staff(event, "org@example.org")
    meeting_req = services.send_request(event, leaver, booked_with, "Meet?", NOW)
    meeting = services.accept_request(event, meeting_req, booked_with, NOW)
    assert meeting is not None
    pending_out = services.send_request(event, leaver, asked, "", NOW)
    pending_in = services.send_request(event, asking, leaver, "", NOW)
    db.session.commit()
    before = {r.email: len(outbox.to(r.email)) for r in (booked_with, asked, asking)}

    if how == "cancel":
        registration_services.cancel(leaver, actor=leaver.user, now=NOW)
    else:
        registration_services.reject(leaver, actor=organiser, now=NOW)
    db.session.commit()

    for req in (meeting_req, pending_out, pending_in):
        db.session.refresh(req)
        assert req.status is RequestStatus.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingAttendee)) == 0
    for other in (booked_with, asked, asking):
        told = outbox.to(other.email)[before[other.email] :]
        assert told, f"{other.email} was not told"
    # The freed slot can be booked by the counterpart with someone else.
    again = services.send_request(event, booked_with, asked, "", NOW)
    assert services.accept_request(event, again, asked, NOW) is not None


def test_a_booked_meeting_mails_both_an_itip_calendar_entry(ctx, outbox):
    """Issue 16 #14: meeting e-mails carried no .ics; the booking now comes with an iTIP
    PUBLISH whose UID is the personal feed's, read by vobject."""
    from tests.calendars import read_vobject

    event, (a, b, _, _) = setup_event()
    req = services.send_request(event, a, b, "Hello", NOW)
    meeting = services.accept_request(event, req, b, NOW)
    db.session.commit()
    booked = [m for m in outbox.messages() if list(m.iter_attachments())]
    assert booked, "no meeting e-mail with a calendar attachment"
    attachment = next(booked[-1].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    seen = read_vobject(attachment.get_payload(decode=True))
    assert seen["method"] == "PUBLISH"
    (entry,) = seen["events"]
    assert entry["uid"].startswith(f"meeting-{meeting.id}@")
    assert entry["organizer"] is not None


def test_language_names_are_cldr_names_in_reading_order(app):
    """Languages are offered and shown by name ("Swahili", not pycountry's "Swahili
    (macrolanguage)"), sorted as the reader's language sorts them, never by code."""
    from confapp.i18n import force_language
    from confapp.meetings import profiles

    with app.test_request_context():
        names = dict(profiles.language_choices("en"))
        assert names["sw"] == "Swahili" and names["ms"] == "Malay"
        assert not [n for n in names.values() if "macrolanguage" in n]
        order = [n for _code, n in profiles.language_choices("en")]
        assert order.index("Afrikaans") < order.index("Akan") < order.index("Zulu")
        with force_language("fr"):
            assert profiles.language_names(["sw", "en", "fr"]) == ["anglais", "français", "swahili"]
        french = [n for _code, n in profiles.language_choices("fr")]
        # "éwé" sorts with the e's, not after "z" as code points would put it.
        assert french.index("éwé") < french.index("finnois")


def test_only_confirmed_delegates_may_book_meetings(ctx):
    event, (a, *_) = setup_event()
    assert services.meeting_delegate(event, a.user) == a
    a.status = RegistrationStatus.CANCELLED
    with pytest.raises(NotAllowed, match="confirmed registration for"):
        services.meeting_delegate(event, a.user)
    with pytest.raises(NotAllowed):
        services.meeting_delegate(event, None)  # signed out


def test_bookable_slots_only_for_open_unbooked_requests_in_instant_mode(ctx):
    event, (a, b, c, _) = setup_event(slots=3, tables=1)
    slots = services.list_slots(event)
    services.set_availability(event, c, [slots[0].id, slots[2].id])
    waiting = services.send_request(event, a, c, "", NOW)
    booked = services.send_request(event, a, b, "", NOW)
    services.accept_request(event, booked, b, NOW, slot_id=slots[0].id)
    rows = services.my_requests(event, a)
    free = services.bookable_slots(event, rows, NOW)
    # Slot 0 is taken by a's booked meeting (its one table), slot 1 is not c's.
    assert free == {waiting.id: [(slots[2].id, services.slot_label(event, slots[2]))]}
    assert services.bookable_slots(event, rows, slots[2].starts_at) == {waiting.id: []}
    event.meeting_booking_mode = MeetingBookingMode.BATCH
    assert services.bookable_slots(event, rows, NOW) == {}


def test_a_delegates_printed_schedule_lists_booked_meetings_only(ctx):
    event, (a, b, c, _) = setup_event(slots=2, tables=1)
    slots = services.list_slots(event)
    booked = services.send_request(event, a, b, "", NOW)
    services.accept_request(event, booked, b, NOW, slot_id=slots[1].id)
    services.send_request(event, c, a, "", NOW)  # pending: not on the sheet
    tables = services.list_tables(event)
    rows = meeting_pdf.delegate_rows(event, a)
    assert rows == [
        (
            services.slot_label(event, slots[1]),
            isolate_name(tables[0].name),
            f"{isolate_name(b.full_name)}, {isolate_name(b.organisation)} (India)",
        )
    ]
