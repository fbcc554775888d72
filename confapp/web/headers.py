"""The security headers of every answer: a CSP without inline scripts for pages, nothing
loadable for data, no framing, a strict referrer policy, HSTS in production."""

from __future__ import annotations

_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def security_headers(mimetype: str, *, production: bool) -> tuple[tuple[str, str], ...]:
    """The security headers every answer of this type carries (pages, data)."""
    # Data, never a document to render: nothing may load (OWASP's advice for APIs).
    wanted = _DATA_HEADERS if mimetype == "application/json" else _PAGE_HEADERS
    return (*wanted, _HSTS) if production else wanted


def add_security_headers(response, *, production: bool):
    """Set the security headers a response lacks."""
    # One pass over the present names rather than a search of the list per header.
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend(
        [
            (name, value)
            for name, value in security_headers(response.mimetype, production=production)
            if name.lower() not in present
        ]
    )
    return response


_COMMON_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=()"),
)
_PAGE_HEADERS = (("Content-Security-Policy", _PAGE_CSP), *_COMMON_HEADERS)
_DATA_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    *_COMMON_HEADERS,
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
