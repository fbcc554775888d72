"""Domain errors raised by services and turned into answers by the request lifecycle."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action; the message is shown to the user.

    ``code`` is a stable identifier for code that must tell refusals apart (never branch
    on the message text, which is translated); ``field`` names the form field to show it at.
    """

    status_code = 409
    default_code = "refused"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class NotFound(DomainError):
    """The thing asked for does not exist here (or the caller may not know it exists)."""

    status_code = 404
    default_code = "not_found"


class NotAllowed(DomainError):
    """The actor may not do this."""

    status_code = 403
    default_code = "forbidden"


class ValidationFailed(DomainError):
    """Input broke a rule that forms cannot check alone."""

    status_code = 422
    default_code = "invalid"
