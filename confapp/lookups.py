"""Event-scoped lookups: an id from a URL or a form names something inside one event."""

from __future__ import annotations

from typing import Any
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.db import MAX_ID
from confapp.errors import NotFound
from confapp.extensions import db

T = TypeVar("T")


def event_scoped_or_404(model: type[T], ident: Any, event: Any, **parents: Any) -> T:
    """The row of `model` with this id inside `event` (and inside each named parent), else
    NotFound, which answers 404: another event's id is as unknown as an id that never was.

    Models that carry ``event_id`` are checked against the event; a model without it must
    name the parent that scopes it (``visit=visit`` checks ``visit_id``), and that parent
    must itself have been loaded through this function.
    """
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID:
        raise NotFound(_("There is nothing at this address."))
    stmt = sa.select(model).where(model.id == ident)
    if hasattr(model, "event_id"):
        stmt = stmt.where(model.event_id == event.id)
    elif not parents:
        raise TypeError(f"{model.__name__} has no event_id: name the parent that scopes it")
    for name, parent in parents.items():
        stmt = stmt.where(getattr(model, f"{name}_id") == getattr(parent, "id", parent))
    found = db.session.scalar(stmt)
    if found is None:
        raise NotFound(_("There is nothing at this address."))
    return found
