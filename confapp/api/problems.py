"""API answers shared by the web layer and the services that build them (no Flask here)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is sent (gettext)."""
    return message


# The 401 answer: (status, error, message) and the Bearer challenge header. The message is
# translated when sent; the error code stays English.
UNAUTHORISED = (
    401,
    "unauthorized",
    N_("Send a valid API token as 'Authorization: Bearer <token>'."),
)
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="confapp"'}
