"""Absolute links and calendar UIDs from one configured base URL, in a request or not.

Pages link relatively with ``url_for``. Everything that leaves the site — e-mails, calendar
feeds, PDFs, QR codes, API links — needs an absolute address, and that address must not
come from the request's ``Host`` header (a forged header would be written into feeds and
mails, and a site reached under two names would give two calendar UIDs per entry).
``CONFAPP_BASE_URL`` is the one source; services, the CLI and the worker call
:func:`external_url` the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app
from werkzeug.routing import MapAdapter

DEFAULT_BASE_URL = "http://localhost:5000"
_ADAPTER_KEY = "confapp.urls.adapter"


def normalise_base_url(value: str | None) -> str:
    """A base URL without a trailing slash; refuses anything but http(s) with a host."""
    text = (value or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"BASE_URL must be an http(s) URL with a host, not {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"BASE_URL cannot have a query or fragment: {value!r}")
    return text


def base_url(app: Flask | None = None) -> str:
    """The site's configured base URL, e.g. ``https://conf.example.org`` (no trailing slash)."""
    app = app or current_app
    return app.config["BASE_URL"]


def set_base_url(app: Flask, url: str) -> None:
    """Point absolute links at `url` from now on (the demo and test servers learn their
    address only once they listen)."""
    app.config["BASE_URL"] = normalise_base_url(url)
    app.extensions.pop(_ADAPTER_KEY, None)


def site_domain(app: Flask | None = None) -> str:
    """The host name of the base URL: the right side of Message-IDs and calendar UIDs."""
    return urlsplit(base_url(app)).hostname or "localhost"


def _adapter(app: Flask) -> MapAdapter:
    adapter = app.extensions.get(_ADAPTER_KEY)
    if adapter is None:
        parts = urlsplit(base_url(app))
        adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
        app.extensions[_ADAPTER_KEY] = adapter
    return adapter


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an endpoint under the base URL (``_anchor`` adds a fragment)."""
    app = current_app._get_current_object()
    anchor = values.pop("_anchor", None)
    url = _adapter(app).build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def absolute(path: str) -> str:
    """An absolute URL for a site-relative path such as ``/events/cdc``."""
    return base_url() + (path if path.startswith("/") else "/" + path)
