"""Reader-language labels of the event's own choices (registration categories).

They live with the events package because its settings form lists them; registration
re-exports them beside its other choice lists.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from confapp.events.models import RegistrationCategory

CATEGORY_LABELS: dict[str, Any] = {
    RegistrationCategory.DELEGATE: _l("Delegate"),
    RegistrationCategory.SPEAKER: _l("Speaker"),
    RegistrationCategory.PRESS: _l("Press"),
    RegistrationCategory.SPONSOR: _l("Sponsor"),
    RegistrationCategory.ORGANISING_STAFF: _l("Organising staff"),
}
