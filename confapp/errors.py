"""Domain errors raised by services and turned into messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action; the message is shown to the user."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor may not do this."""

    status_code = 403


class ValidationFailed(DomainError):
    """Input broke a rule that forms cannot check alone."""

    status_code = 422
