"""A seat counter shared by everything that has limited places."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from confapp.extensions import db


class CapacityPool(db.Model):
    """Seats of an event, a workshop or a visit.

    `taken` is only ever changed by a conditional UPDATE in capacity.services, and the
    CHECK constraint is the last line of defence: the database refuses an overbooking
    even if some future code path forgets the rule.
    """

    __tablename__ = "capacity_pool"
    __table_args__ = (
        sa.CheckConstraint("taken >= 0", name="taken_not_negative"),
        sa.CheckConstraint("capacity IS NULL OR taken <= capacity", name="not_overbooked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: unlimited.
    capacity: Mapped[int | None]
    taken: Mapped[int] = mapped_column(default=0)

    @property
    def seats_left(self) -> int | None:
        """Free seats, or None when unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.taken, 0)
