"""Where a scan happens (the entrance, a session, a visit's bus, the meetings area) and what
a scan answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda.models import ProgrammeSession
from confapp.checkin.models import MEETINGS_AREA
from confapp.checkin.models import ScanResult
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.visits.models import Bus
from confapp.visits.models import Visit

if TYPE_CHECKING:
    from confapp.checkin.context import Holder


ENTRANCE = "entrance"


@dataclass(frozen=True)
class Checkpoint:
    """Where a scan happens: the entrance, a session, a visit (bus boarding) or an area
    scanned at all day (the networking meetings area)."""

    key: str
    session: ProgrammeSession | None = None
    visit: Visit | None = None
    session_id: int | None = None
    visit_id: int | None = None
    area: str | None = None

    @classmethod
    def for_ids(
        cls, session_id: int | None, visit_id: int | None, area: str | None = None
    ) -> Checkpoint:
        """The checkpoint of a scan by ids alone (the rows were checked elsewhere)."""
        if session_id is not None:
            return cls(f"session:{session_id}", session_id=session_id)
        if visit_id is not None:
            return cls(f"visit:{visit_id}", visit_id=visit_id)
        if area is not None:
            return cls.for_area(area)
        return cls(ENTRANCE)

    @classmethod
    def for_area(cls, area: str) -> Checkpoint:
        """The checkpoint of an area (one of models.AREAS)."""
        return cls(f"area:{area}", area=area)

    def __post_init__(self) -> None:
        if self.session is not None:
            object.__setattr__(self, "session_id", self.session.id)
        if self.visit is not None:
            object.__setattr__(self, "visit_id", self.visit.id)

    @property
    def label(self) -> str:
        """Human name of the checkpoint."""
        from flask_babel import gettext as _

        if self.session is not None:
            return tr(self.session, "title")
        if self.visit is not None:
            return _("Visit: %(title)s", title=tr(self.visit, "title"))
        if self.area == MEETINGS_AREA:
            return _("Networking meetings area")
        return _("Entrance")


@dataclass
class CheckinOutcome:
    """The answer to one scan (the API's body) plus the rows behind it."""

    result: ScanResult
    registration: Holder | None
    first_scanned_at: dt.datetime | None
    checkpoint: str
    scan_id: str
    conflict: bool = False
    replayed: bool = False


def resolve_checkpoint(event: Event, session_id: int | None, visit_id: int | None) -> Checkpoint:
    """The checkpoint of a scan; refuses both ids at once or ids of another event."""
    if session_id is not None and visit_id is not None:
        raise ValidationFailed(_("Send session_id or visit_id, not both."), field="session_id")
    if session_id is not None:
        session = db.session.get(ProgrammeSession, session_id)
        if session is None or session.event_id != event.id:
            raise ValidationFailed(
                _("No session %(id)s in this event.", id=session_id), field="session_id"
            )
        return Checkpoint(f"session:{session.id}", session=session)
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.event_id != event.id:
            raise ValidationFailed(
                _("No visit %(id)s in this event.", id=visit_id), field="visit_id"
            )
        return Checkpoint(f"visit:{visit.id}", visit=visit)
    return Checkpoint(ENTRANCE)


def bus_of_visit(conn: sa.Connection, bus_id: int, visit_id: int | None) -> bool:
    """Whether the bus belongs to the visit."""
    buses = Bus.__table__
    return (
        conn.execute(
            sa.select(buses.c.id).where(buses.c.id == bus_id, buses.c.visit_id == visit_id)
        ).first()
        is not None
    )
