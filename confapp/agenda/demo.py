"""Demo programme: rooms, tracks and three days of sessions for the demo conference."""

from __future__ import annotations

import datetime as dt

from confapp.agenda import rooms as venue
from confapp.agenda import sessions as programme
from confapp.agenda import times
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.events.models import Event

R = PersonRole
K = SessionKind

ROOMS = [
    ("Plenary Hall", 600, "Ground floor"),
    ("Magnolia", 120, "First floor, east wing"),
    ("Silver Oak", 80, "First floor, west wing"),
    ("Banyan", 100, "First floor, south wing"),
    ("Lotus", 60, "Second floor"),
    ("Workshop Room", 30, "Second floor, room 204"),
]
# The conference's seed themes.
TRACKS = [
    ("Industrial productivity", "#0b5d4b"),
    ("Inclusive growth through micro-enterprise development", "#b7410e"),
    ("Innovation", "#1f6feb"),
    ("Energy efficiency", "#8a6d00"),
    ("Common infrastructure", "#6b4fbb"),
    ("Sustainable production", "#2f7d32"),
]
PEOPLE = {
    "meera": ("Dr Meera Iyer", "Foundation for MSME Clusters", "IN"),
    "juan": ("Juan Pablo Rodríguez", "UNIDO", "AT"),
    "amina": ("Amina Okafor", "Lagos Cluster Association", "NG"),
    "tran": ("Tran Thi Mai", "Vietnam Chamber of Commerce", "VN"),
    "kwame": ("Kwame Mensah", "Ghana Enterprises Agency", "GH"),
    "sofia": ("Sofía Castro", "TCI Network", "ES"),
    "rahul": ("Rahul Verma", "Confederation of Indian Industry", "IN"),
    "lucia": ("Lucía Fernández", "Inter-American Development Bank", "US"),
    "samuel": ("Samuel Kiprono", "Kenya Industrial Research Institute", "KE"),
    "nadia": ("Nadia Haddad", "Moroccan Ministry of Industry", "MA"),
    "pedro": ("Pedro Alves", "SEBRAE", "BR"),
    "anh": ("Nguyen Van Anh", "Hanoi Craft Villages", "VN"),
}

# (day index, start, end, title, kind, room index or None, track index or None, people, seats)
PROGRAMME = [
    (0, "08:30", "09:30", "Registration and welcome coffee", K.NETWORKING, None, None, [], None),
    (
        0,
        "09:30",
        "11:00",
        "Opening plenary: changing paradigms of cluster development",
        K.PLENARY,
        0,
        0,
        [("meera", R.CHAIR), ("juan", R.SPEAKER), ("rahul", R.SPEAKER)],
        None,
    ),
    (0, "11:00", "11:30", "Tea break", K.BREAK, None, None, [], None),
    (
        0,
        "11:30",
        "13:00",
        "Lean manufacturing in auto-component clusters",
        K.PARALLEL,
        1,
        0,
        [("nadia", R.CHAIR), ("kwame", R.SPEAKER), ("tran", R.SPEAKER)],
        None,
    ),
    (
        0,
        "11:30",
        "13:00",
        "Credit guarantees that reach micro-enterprises",
        K.PANEL,
        2,
        1,
        [("lucia", R.MODERATOR), ("pedro", R.PANELLIST), ("amina", R.PANELLIST)],
        None,
    ),
    (
        0,
        "11:30",
        "13:00",
        "Technology centres as cluster innovation hubs",
        K.PARALLEL,
        3,
        2,
        [("samuel", R.CHAIR), ("anh", R.SPEAKER)],
        None,
    ),
    (
        0,
        "11:30",
        "13:00",
        "Energy audits for foundry and forging units",
        K.PARALLEL,
        4,
        3,
        [("rahul", R.CHAIR), ("sofia", R.SPEAKER)],
        None,
    ),
    (
        0,
        "11:30",
        "13:00",
        "Workshop: mapping your cluster's value chain",
        K.WORKSHOP,
        5,
        0,
        [("sofia", R.SPEAKER)],
        25,
    ),
    (0, "13:00", "14:00", "Lunch", K.BREAK, None, None, [], None),
    (
        0,
        "14:00",
        "15:30",
        "Common effluent treatment plants: who pays, who runs them",
        K.PANEL,
        1,
        4,
        [("juan", R.MODERATOR), ("nadia", R.PANELLIST), ("samuel", R.PANELLIST)],
        None,
    ),
    (
        0,
        "14:00",
        "15:30",
        "Women-led micro-enterprises in handloom clusters",
        K.PARALLEL,
        2,
        1,
        [("tran", R.CHAIR), ("amina", R.SPEAKER), ("anh", R.SPEAKER)],
        None,
    ),
    (
        0,
        "14:00",
        "15:30",
        "Cleaner production in leather and tanning",
        K.PARALLEL,
        3,
        5,
        [("kwame", R.CHAIR), ("pedro", R.SPEAKER)],
        None,
    ),
    (
        0,
        "14:00",
        "15:30",
        "Digital tools for artisan clusters",
        K.PARALLEL,
        4,
        2,
        [("anh", R.CHAIR), ("lucia", R.SPEAKER)],
        None,
    ),
    (0, "15:30", "17:00", "One-to-one networking meetings", K.NETWORKING, None, None, [], None),
    (
        1,
        "09:00",
        "10:30",
        "Plenary: what two decades of cluster programmes taught us",
        K.PLENARY,
        0,
        0,
        [("juan", R.CHAIR), ("sofia", R.SPEAKER), ("meera", R.SPEAKER), ("kwame", R.SPEAKER)],
        None,
    ),
    (1, "10:30", "11:00", "Coffee break", K.BREAK, None, None, [], None),
    (
        1,
        "11:00",
        "12:30",
        "Blended finance for common infrastructure",
        K.PANEL,
        1,
        4,
        [("lucia", R.CHAIR), ("pedro", R.PANELLIST), ("nadia", R.PANELLIST)],
        None,
    ),
    (
        1,
        "11:00",
        "12:30",
        "Cluster associations as service providers",
        K.PARALLEL,
        2,
        1,
        [("amina", R.CHAIR), ("samuel", R.SPEAKER)],
        None,
    ),
    (
        1,
        "11:00",
        "12:30",
        "Solar and waste-heat recovery in ceramic clusters",
        K.PARALLEL,
        3,
        3,
        [("rahul", R.CHAIR), ("tran", R.SPEAKER)],
        None,
    ),
    (
        1,
        "11:00",
        "12:30",
        "Circular economy in agro-processing clusters",
        K.PARALLEL,
        4,
        5,
        [("kwame", R.CHAIR), ("anh", R.SPEAKER)],
        None,
    ),
    (
        1,
        "11:00",
        "12:30",
        "Workshop: designing a cluster development plan",
        K.WORKSHOP,
        5,
        0,
        [("meera", R.SPEAKER), ("sofia", R.SPEAKER)],
        20,
    ),
    (1, "12:30", "13:30", "Lunch", K.BREAK, None, None, [], None),
    (1, "14:00", "18:00", "Cluster visits (see Visits)", K.OTHER, None, None, [], None),
    (
        2,
        "09:00",
        "10:30",
        "Regional roundtables: Africa, Asia, Latin America",
        K.PARALLEL,
        1,
        1,
        [("kwame", R.MODERATOR), ("tran", R.MODERATOR), ("pedro", R.MODERATOR)],
        None,
    ),
    (
        2,
        "09:00",
        "10:30",
        "Productivity benchmarking across clusters",
        K.PARALLEL,
        2,
        0,
        [("juan", R.CHAIR), ("samuel", R.SPEAKER)],
        None,
    ),
    (
        2,
        "09:00",
        "10:30",
        "Open innovation between universities and MSMEs",
        K.PANEL,
        3,
        2,
        [("sofia", R.MODERATOR), ("nadia", R.PANELLIST), ("meera", R.PANELLIST)],
        None,
    ),
    (
        2,
        "09:00",
        "10:30",
        "Shared testing labs and tool rooms",
        K.PARALLEL,
        4,
        4,
        [("rahul", R.CHAIR), ("amina", R.SPEAKER)],
        None,
    ),
    (
        2,
        "09:00",
        "10:30",
        "Workshop: pitching to development banks",
        K.WORKSHOP,
        5,
        1,
        [("lucia", R.SPEAKER)],
        20,
    ),
    (2, "10:30", "11:00", "Coffee break", K.BREAK, None, None, [], None),
    (
        2,
        "11:00",
        "12:30",
        "Energy-efficiency finance: from audit to loan",
        K.PANEL,
        1,
        3,
        [("lucia", R.MODERATOR), ("rahul", R.PANELLIST), ("pedro", R.PANELLIST)],
        None,
    ),
    (
        2,
        "11:00",
        "12:30",
        "Sustainable production standards for export markets",
        K.PARALLEL,
        2,
        5,
        [("tran", R.CHAIR), ("kwame", R.SPEAKER)],
        None,
    ),
    (2, "12:30", "13:30", "Lunch", K.BREAK, None, None, [], None),
    (
        2,
        "13:30",
        "15:00",
        "Closing plenary and the New Delhi statement",
        K.PLENARY,
        0,
        0,
        [("meera", R.CHAIR), ("juan", R.SPEAKER), ("rahul", R.SPEAKER)],
        None,
    ),
]

DESCRIPTION = (
    "Practitioners compare what worked and what did not.\n\n"
    "- short inputs from the speakers\n- open discussion with the room\n\n"
    "Background reading on the [event page](/)."
)


def seed_programme(
    event: Event, *, now: dt.datetime | None = None, publish: bool = True
) -> list[ProgrammeSession]:
    """Create rooms, tracks and a three-day programme for the event (flush only)."""
    now = now or dt.datetime.now(dt.UTC)
    rooms = [venue.create_room(event, name=n, capacity=c, location=loc) for n, c, loc in ROOMS]
    tracks = [venue.create_track(event, name=n, colour=c) for n, c in TRACKS]
    days = max((event.ends_on - event.starts_on).days + 1, 1)
    sessions = []
    for day, start, end, title, kind, room, track, people, seats in PROGRAMME:
        date = event.starts_on + dt.timedelta(days=min(day, days - 1))
        if day >= days:
            continue
        starts = times.to_utc(event, dt.datetime.combine(date, dt.time.fromisoformat(start)))
        ends = times.to_utc(event, dt.datetime.combine(date, dt.time.fromisoformat(end)))
        data = programme.SessionData(
            title=title,
            kind=kind,
            starts_at=starts,
            ends_at=ends,
            room_id=rooms[room].id if room is not None else None,
            track_id=tracks[track].id if track is not None else None,
            description=DESCRIPTION if kind in (K.PARALLEL, K.PANEL, K.WORKSHOP) else "",
            seat_limit=seats,
            people=[
                programme.PersonData(PEOPLE[p][0], role, PEOPLE[p][1], PEOPLE[p][2])
                for p, role in people
            ],
        )
        sessions.append(programme.create_session(event, data, now=now))
    if publish and sessions and event.programme_published_at is None:
        programme.publish_programme(event, now)
    return sessions
