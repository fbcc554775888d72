"""Presentation helpers: safe Markdown, programme filters and the room x time grid layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping

import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from confapp.agenda import programme
from confapp.agenda import stars
from confapp.agenda import times
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionStatus
from confapp.events.models import Event
from confapp.i18n import join_list
from confapp.lazy import lazy_import
from confapp.web.params import parse_int

markdown_lib = lazy_import("markdown")  # loaded on first use: see confapp/lazy.py


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitised by nh3 (no scripts, styles or event handlers)."""
    if not text:
        return Markup("")
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    # nh3 has removed every tag and attribute not on its allow-list, so this is safe markup.
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S704  # nosec B704


def event_days(event: Event) -> list[dt.date]:
    """Every day of the event."""
    days = (event.ends_on - event.starts_on).days + 1
    return [event.starts_on + dt.timedelta(days=i) for i in range(max(days, 1))]


def day_bounds(event: Event, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC start and end of a local day of the event."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=event.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=event.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def iso_utc(moment: dt.datetime | None) -> str:
    """A moment for ``<time datetime>``: UTC to the second, e.g. ``2027-02-20T04:30:00Z``."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # stored times are UTC
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# Summaries written before the badge showed the kind began with it ("Cancelled: …").
_KIND_PREFIXES = {
    "added": "Added: ",
    "cancelled": "Cancelled: ",
    "reinstated": "Back on the programme: ",
}


_CHANGE_KINDS = {
    "added": _l("Added"),
    "moved": _l("Moved"),
    "retimed": _l("New time"),
    "changed": _l("Changed"),
    "cancelled": _l("Cancelled"),
    "reinstated": _l("Back on the programme"),
    "removed": _l("Removed"),
}

# Names of the session fields a "changed" entry lists.
_FIELDS = {
    "title": _l("title"),
    "kind": _l("kind"),
    "track": _l("track"),
    "description": _l("description"),
    "people": _l("people"),
}


def change_kind(change) -> str:
    """The badge of a change (its kind) in the reader's language."""
    return str(_CHANGE_KINDS.get(change.kind, change.kind))


def change_text(change, event=None) -> str:
    """A change's summary for the changes page, where a badge already names its kind: said
    in the reader's language from its details, else (older entries) as it was stored."""
    details = getattr(change, "details", None) or {}
    event = event or getattr(change, "event", None)
    if details and event is not None:
        try:
            return _change_sentence(change.kind, details, event)
        except (KeyError, TypeError, ValueError):
            pass  # details of an unexpected shape: the stored summary still says it
    prefix = _KIND_PREFIXES.get(change.kind)
    summary = change.summary
    return summary[len(prefix) :] if prefix and summary.startswith(prefix) else summary


def _span(event, details: dict, start: str = "starts", end: str = "ends") -> str:
    return times.span_text(event, times.from_iso(details[start]), times.from_iso(details[end]))


def _room(name: str | None) -> str:
    return name or _("no room")


def _change_sentence(kind: str, details: dict, event) -> str:
    title = details.get("title", "")
    if kind == "added":
        return _("%(title)s, %(when)s.", title=title, when=_span(event, details))
    if kind in ("cancelled", "reinstated"):
        return _("%(title)s (%(when)s).", title=title, when=_span(event, details))
    if kind == "moved":
        parts = []
        if "old_starts" in details:
            parts.append(
                _(
                    "from %(old)s to %(new)s",
                    old=_span(event, details, "old_starts", "old_ends"),
                    new=_span(event, details),
                )
            )
        if "old_room" in details:
            parts.append(
                _(
                    "from %(old)s to %(new)s",
                    old=_room(details["old_room"]),
                    new=_room(details.get("room")),
                )
            )
        return _("%(title)s moved %(what)s.", title=title, what=_(" and ").join(parts))
    if kind == "changed" and "fields" in details:
        old = details.get("old_title") or title
        name = title if old == title else _("%(old)s (now %(new)s)", old=old, new=title)
        fields = join_list(str(_FIELDS.get(f, f)) for f in details["fields"])
        return _("%(name)s: %(fields)s updated.", name=name, fields=fields)
    if kind == "changed" and "old_room" in details:
        return _(
            "Room %(old)s is now called %(new)s.", old=details["old_room"], new=details["room"]
        )
    raise KeyError(kind)


def chosen_day(value: str | None, days: list[dt.date], by_day: Mapping) -> dt.date:
    """The day asked for in ``?day=`` if the event has it, else the first day with sessions."""
    try:
        chosen = dt.date.fromisoformat((value or "").strip()) if (value or "").isascii() else None
    except ValueError:
        chosen = None
    if chosen in days:
        return chosen
    # With a search, open on the first day that has a match.
    return next((d for d in days if by_day.get(d)), days[0])


def programme_page(event: Event, args: Mapping[str, str], registration) -> dict:
    """Everything the programme page shows for one day, from the query arguments."""
    # Only a text search reads descriptions; the grid never shows them.
    loaded = programme.load_programme_with(
        event, for_grid=True, with_descriptions=bool(args.get("q"))
    )
    filters = Filters.from_args(args, loaded.rooms, [t.id for t in loaded.tracks])
    days = event_days(event)
    by_day: dict[dt.date, list[ProgrammeSession]] = {d: [] for d in days}
    for s in loaded.sessions:
        if filters.keep(s, loaded.people.get(s.id, ())):
            by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    day = chosen_day(args.get("day"), days, by_day)
    starred, seats = stars.personal_marks(registration)
    return {
        "day": day,
        "days": days,
        "counts": {d: len(v) for d, v in by_day.items()},
        "grid": layout(by_day.get(day, []), loaded.rooms),
        "rooms": loaded.rooms,
        "tracks": loaded.tracks,
        "people": loaded.people,
        "kinds": list(SessionKind),
        "filters": filters,
        "starred": starred,
        "seats": seats,
        "zone": times.zone_label(event),
    }


@dataclasses.dataclass
class Filters:
    """The programme page's filters, validated against what exists."""

    track: int | None = None
    kind: SessionKind | None = None
    room: int | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        """Whether any filter narrows the programme."""
        return bool(self.track or self.kind or self.room or self.q)

    @classmethod
    def from_args(
        cls, args: Mapping[str, str], rooms: Iterable[Room], track_ids: Iterable[int]
    ) -> Filters:
        """Read filters from query arguments; unknown values are ignored, never an error."""

        def as_id(name: str, allowed: set[int]) -> int | None:
            value = parse_int(args.get(name))
            return value if value in allowed else None

        kind = (args.get("kind") or "").strip()
        return cls(
            track=as_id("track", set(track_ids)),
            kind=SessionKind(kind) if kind in SessionKind._value2member_map_ else None,
            room=as_id("room", {r.id for r in rooms}),
            q=(args.get("q") or "").strip()[:100],
        )

    def keep(self, session: ProgrammeSession, people: Iterable = ()) -> bool:
        """Whether the session (with its people) passes the filters."""
        if self.track and session.track_id != self.track:
            return False
        if self.kind and session.kind is not self.kind:
            return False
        if self.room and session.room_id != self.room:
            return False
        if self.q:
            needle = self.q.casefold()
            # Every language's title and description: a delegate may search in theirs.
            haystack = [
                session.title,
                session.description,
                session.room.name if session.room else "",
                *(session.title_i18n or {}).values(),
                *(session.description_i18n or {}).values(),
            ]
            haystack += [f"{p.name} {p.organisation}" for p in people]
            if not any(needle in h.casefold() for h in haystack):
                return False
        return True


@dataclasses.dataclass
class Column:
    """A room column of the grid (several lanes when cancelled items overlap)."""

    label: str
    start: int
    lanes: int


@dataclasses.dataclass
class Placed:
    """A session with its grid position (CSS grid lines)."""

    session: ProgrammeSession
    row_start: int
    row_end: int
    col_start: int
    col_span: int


@dataclasses.dataclass
class Grid:
    """A day laid out as rooms (columns) by time boundaries (rows)."""

    columns: list[Column]
    times: list[dt.datetime]
    items: list[Placed]
    width: int


def _lanes(sessions: list[ProgrammeSession]) -> dict[int, int]:
    """Greedy interval colouring: overlapping sessions of one column get separate lanes."""
    lane_ends: list[dt.datetime] = []
    lanes: dict[int, int] = {}
    for s in sorted(
        sessions, key=lambda s: (s.starts_at, s.status is SessionStatus.CANCELLED, s.id)
    ):
        for i, end in enumerate(lane_ends):
            if end <= s.starts_at:
                lanes[s.id], lane_ends[i] = i, s.ends_at
                break
        else:
            lanes[s.id] = len(lane_ends)
            lane_ends.append(s.ends_at)
    return lanes


def layout(sessions: list[ProgrammeSession], rooms: list[Room]) -> Grid:
    """Place one day's sessions; items keep time order (the phone list reads the same DOM)."""
    boundaries = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    index = {moment: i for i, moment in enumerate(boundaries)}
    by_room: dict[int | None, list[ProgrammeSession]] = {}
    for s in sessions:
        by_room.setdefault(s.room_id, []).append(s)
    # A session without a room spans the whole width unless something overlaps it.
    spanning, other = [], []
    for s in by_room.pop(None, []):
        alone = all(
            o is s or o.ends_at <= s.starts_at or o.starts_at >= s.ends_at for o in sessions
        )
        (spanning if alone else other).append(s)
    columns: list[Column] = []
    lane_of: dict[int, int] = {}
    col_of: dict[int | None, int] = {}
    position = 2  # CSS grid line 1 is the time column
    for room in rooms:
        if room.id not in by_room:
            continue
        lanes = _lanes(by_room[room.id])
        lane_of.update(lanes)
        count = max(lanes.values()) + 1
        columns.append(Column(room.name, position, count))
        col_of[room.id] = position
        position += count
    if other:
        lanes = _lanes(other)
        lane_of.update(lanes)
        count = max(lanes.values()) + 1
        columns.append(Column(_("Elsewhere"), position, count))
        col_of[None] = position
        position += count
    width = max(position - 2, 1)
    placed = []
    for s in sessions:
        rows = (index[s.starts_at] + 2, index[s.ends_at] + 2)
        if s in spanning:
            placed.append(Placed(s, *rows, 2, width))
        else:
            placed.append(Placed(s, *rows, col_of[s.room_id] + lane_of[s.id], 1))
    return Grid(columns=columns, times=boundaries[:-1], items=placed, width=width)
