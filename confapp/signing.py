"""Signed, expiring tokens for links (e-mail verification, password reset).

No web machinery here: services sign and check links in a request, the CLI or a worker.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(payload: Any, salt: str) -> str:
    """Sign a JSON-serialisable payload for a link (verification, reset...)."""
    return _serializer(salt).dumps(payload)


def unsign(token: str, salt: str, max_age: int) -> Any | None:
    """Return the payload of a valid, unexpired token, else None."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None


def api_token_hash(raw: str) -> str:
    """What is stored of a bearer token: its SHA-256 in hex."""
    return hashlib.sha256(raw.encode()).hexdigest()
