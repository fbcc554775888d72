"""Demo cluster visits within a day's reach of New Delhi, with buses and some sign-ups."""

from __future__ import annotations

import datetime as dt

from confapp.events.models import Event
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits import services
from confapp.visits.models import Visit

# (day offset from the first day, departs, returns, title, cluster, sector, location, meeting point,
#  buses, hand-set cap, requirements, ID number required, description)
VISITS = [
    (
        1,
        "13:45",
        "19:30",
        "Auto components at Manesar",
        "Gurugram–Manesar auto components cluster",
        "Automotive parts",
        "IMT Manesar, Haryana",
        "Main lobby, India Habitat Centre (Lodhi Road gate)",
        [("Bus A", 45), ("Bus B", 35)],
        None,
        (
            "Photo ID at the factory gate. Closed shoes; no loose clothing on the shop floor. "
            "No photography inside."
        ),
        True,
        "Tier-2 suppliers of forgings and machined parts, their shared tool room and testing lab, "
        "and how the cluster association negotiates with the large vehicle makers.",
    ),
    (
        1,
        "13:30",
        "20:00",
        "Handloom textiles of Panipat",
        "Panipat handloom and recycled-textile cluster",
        "Textiles",
        "Panipat, Haryana",
        "Main lobby, India Habitat Centre (Lodhi Road gate)",
        [("Bus 1", 40)],
        None,
        "Comfortable shoes; the weaving sheds are warm.",
        False,
        (
            "Rug and blanket weavers, the world's largest recycled-yarn hub "
            "and a common dyeing facility."
        ),
    ),
    (
        1,
        "13:30",
        "20:30",
        "Sports goods makers of Meerut",
        "Meerut sports goods cluster",
        "Sports goods",
        "Meerut, Uttar Pradesh",
        "Gate 2, India Habitat Centre",
        [("Van 1", 14), ("Van 2", 14)],
        None,
        "Closed shoes.",
        False,
        (
            "Cricket bats, balls and fitness equipment from family firms; "
            "design centre and export compliance."
        ),
    ),
    (
        3,
        "06:30",
        "21:00",
        "Footwear cluster of Agra",
        "Agra footwear cluster",
        "Leather footwear",
        "Agra, Uttar Pradesh",
        "Main lobby, India Habitat Centre (Lodhi Road gate)",
        [("Coach 1", 49)],
        None,
        "Passport or national ID at the gate. Breakfast and lunch packs are provided. Early start!",
        True,
        "Hand-stitching units and modern factories, the footwear design and development institute, "
        "and cleaner tanning.",
    ),
    (
        3,
        "07:00",
        "20:30",
        "Brassware of Moradabad",
        "Moradabad brassware and metal handicrafts cluster",
        "Metal handicrafts",
        "Moradabad, Uttar Pradesh",
        "Gate 2, India Habitat Centre",
        [("Bus 1", 40), ("Bus 2", 40)],
        60,
        "Closed shoes; the foundries are hot and dusty.",
        False,
        (
            "Casting, engraving and electroplating units; "
            "the common effluent treatment plant and exporters' showrooms."
        ),
    ),
    (
        3,
        "08:00",
        "18:30",
        "Blue pottery of Khurja",
        "Khurja ceramics and pottery cluster",
        "Ceramics",
        "Khurja, Uttar Pradesh",
        "Gate 2, India Habitat Centre",
        [("Van 1", 12)],
        None,
        "Closed shoes.",
        False,
        "Gas-fired kilns replacing coal, glaze labs and women-run decoration workshops.",
    ),
]


def _at(event: Event, day: int, hhmm: str) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    local = dt.datetime.combine(
        event.starts_on + dt.timedelta(days=day), dt.time(hours, minutes), tzinfo=event.tz
    )
    return local.astimezone(dt.UTC)


def seed_visits(event: Event, registrations: list[Registration], now: dt.datetime) -> list[Visit]:
    """Create the demo visits and sign some delegates up (no e-mails); flush only."""
    visits = []
    for (
        day,
        start,
        end,
        title,
        cluster,
        sector,
        location,
        meeting,
        buses,
        cap,
        requirements,
        needs_id,
        description,
    ) in VISITS:
        departs = _at(event, day, start)
        data = services.VisitData(
            title=title,
            departs_at=departs,
            returns_at=_at(event, day, end),
            cluster_name=cluster,
            cluster_sector=sector,
            cluster_location=location,
            meeting_point=meeting,
            description=description,
            capacity_cap=cap,
            requirements=requirements,
            requires_id_number=needs_id,
            # Sign-up closes at 20:00 the evening before, so buses and gate lists can be made.
            signup_closes_at=_at(event, day - 1, "20:00"),
            buses=[services.BusData(name, seats) for name, seats in buses],
        )
        visits.append(services.create_visit(event, data, now=now))
    confirmed = [r for r in registrations if r.status is RegistrationStatus.CONFIRMED]
    # One visit per delegate and day: the first day's visits, then the last day's.
    # Khurja (12 seats) gets 15 sign-ups first, so the demo shows a waiting list.
    plan = [
        (visits[0], 30),
        (visits[1], 18),
        (visits[2], 10),
        (visits[5], 15),
        (visits[3], 20),
        (visits[4], 12),
    ]
    cursor = {1: 0, 3: 0}
    for visit, wanted in plan:
        day = (visit.departs_at.astimezone(event.tz).date() - event.starts_on).days
        for index in range(wanted):
            if cursor[day] >= len(confirmed):
                break
            registration = confirmed[cursor[day]]
            cursor[day] += 1
            services.add_by_hand(
                event,
                visit,
                registration,
                now=now,
                notify=False,
                # A few small groups travelling together, to show the bus assignment.
                group_code=f"TEAM{index // 3 + 1}" if index < 9 else "",
                id_number=f"ID{registration.id:07d}" if visit.requires_id_number else "",
            )
    for visit in visits:
        if visit.buses:
            services.assign_buses(visit)
    return visits
