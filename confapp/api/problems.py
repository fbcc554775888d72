"""API answers shared by the web layer and the services that build them (no Flask here)."""

from __future__ import annotations

# The 401 answer: (status, error, message) and the Bearer challenge header.
UNAUTHORISED = (401, "unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.")
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="confapp"'}
