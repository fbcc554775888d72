"""Organisers' bulk actions on registrations (approve, reject, cancel many at once) and
what each would do, said before it is done. Flush only; the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.accounts.models import User
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import join_list
from confapp.registration import leave
from confapp.registration.details import ACTIVE_STATUSES
from confapp.registration.details import Status
from confapp.registration.models import Registration
from confapp.registration.states import approve
from confapp.registration.states import cancel
from confapp.registration.states import reject
from confapp.registration.states import waiting_queue

BULK_ACTIONS = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}


def _selected(event: Event, action: str, ids: Iterable[int]) -> tuple[list[Registration], int]:
    """The chosen registrations of this event in handling order; and how many ids were not."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed(_("Unknown action."), field="action")
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise ValidationFailed(_("Select at least one registration."), field="ids")
    regs = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.id.in_(wanted))
        .order_by(Registration.id)
    ).all()
    if action != "approve":
        # Leave the waiting ones first, so nobody selected is promoted (and e-mailed)
        # only to be cancelled a moment later in the same batch.
        regs = sorted(regs, key=lambda r: (r.status is Status.CONFIRMED, r.id))
    return list(regs), len(wanted) - len(regs)


def apply_bulk(
    event: Event, action: str, ids: Iterable[int], *, actor: User, now: dt.datetime
) -> tuple[int, list[str]]:
    """Approve, reject or cancel many registrations; (done, reasons for the skipped)."""
    handlers = {"approve": approve, "reject": reject, "cancel": cancel}
    regs, missing = _selected(event, action, ids)
    done, skipped = 0, []
    for reg in regs:
        try:
            handlers[action](reg, actor=actor, now=now)
            done += 1
        except DomainError as exc:
            skipped.append(exc.message)
    if missing:
        skipped.append(
            ngettext(
                "%(num)d selected registration does not belong to this event.",
                "%(num)d selected registrations do not belong to this event.",
                missing,
            )
        )
    return done, skipped


def _names(regs: list[Registration], limit: int = 10) -> str:
    shown = join_list(r.full_name for r in regs[:limit])
    if len(regs) <= limit:
        return shown
    return _("%(names)s and %(count)s more", names=shown, count=len(regs) - limit)


def bulk_consequences(
    event: Event, action: str, ids: Iterable[int], now: dt.datetime
) -> tuple[int, list[str]]:
    """What cancelling or rejecting these registrations would do, for the confirmation
    page: (how many would change, sentences saying who is e-mailed and who gets the seats)."""
    regs, _missing = _selected(event, action, ids)
    active = [r for r in regs if r.status in ACTIVE_STATUSES]
    if not active:
        return 0, [_("None of the selected registrations is active: nothing would change.")]
    names = _names(active)
    lines = [
        {
            "approve": ngettext(
                "%(num)d registration is approved: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are approved: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
            "reject": ngettext(
                "%(num)d registration is rejected: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are rejected: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
            "cancel": ngettext(
                "%(num)d registration is cancelled: %(names)s. Each person is e-mailed.",
                "%(num)d registrations are cancelled: %(names)s. Each person is e-mailed.",
                len(active),
                names=names,
            ),
        }[action]
    ]
    if len(active) < len(regs):
        lines.append(
            ngettext(
                "%(num)d selected registration is not active.",
                "%(num)d selected registrations are not active.",
                len(regs) - len(active),
            )
        )
    freed = sum(1 for r in active if r.status is Status.CONFIRMED)
    if freed and event.pool.capacity is not None:
        chosen = {r.id for r in regs}
        heirs = db.session.scalars(
            waiting_queue(event).where(Registration.id.not_in(chosen)).limit(freed)
        ).all()
        if heirs:
            lines.append(
                ngettext(
                    "%(num)d freed place goes to the first on the waiting list, who is "
                    "e-mailed: %(names)s.",
                    "%(num)d freed places go to the first on the waiting list, who are "
                    "e-mailed: %(names)s.",
                    len(heirs),
                    names=_names(list(heirs)),
                )
            )
        if freed > len(heirs):
            lines.append(
                ngettext(
                    "%(num)d place becomes free for new registrations.",
                    "%(num)d places become free for new registrations.",
                    freed - len(heirs),
                )
            )
    for reg in active[:5]:
        lines.extend(
            _("%(name)s: %(consequence)s", name=reg.full_name, consequence=line)
            for line in leave.describe_everything(reg, now)
        )
    return len(active), lines
