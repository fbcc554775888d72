"""Paged API listings: the ``Link`` header (RFC 8288) that tells clients where the next page is.

Every listing answers ``page``/``per_page``/``total`` in its body and, when more rows
follow, ``Link: <https://…?page=N+1&per_page=…>; rel="next"`` (and ``rel="prev"`` after the
first page), absolute under the configured base URL (confapp.urls), with the request's
other query parameters kept. A page past the end is an empty page, not an error.
"""

from __future__ import annotations

from flask import Response
from flask import request

from confapp.urls import external_url


def _page_url(page: int, per_page: int) -> str:
    args = {key: request.args.getlist(key) for key in request.args if key not in ("page",)}
    args["per_page"] = [str(per_page)]
    values = {**(request.view_args or {}), **args, "page": page}
    return external_url(request.endpoint, **values)


def page_links(*, page: int, per_page: int, total: int) -> str | None:
    """The Link header value for this page of a listing, or None when there is none."""
    links = []
    if page * per_page < total:
        links.append(f'<{_page_url(page + 1, per_page)}>; rel="next"')
    if page > 1:
        last = max(1, -(-total // per_page))
        links.append(f'<{_page_url(min(page - 1, last), per_page)}>; rel="prev"')
    return ", ".join(links) or None


def with_page_links(response: Response, *, page: int, per_page: int, total: int) -> Response:
    """Add the ``Link`` header of a listing's page to its response (the shared helper)."""
    value = page_links(page=page, per_page=per_page, total=total)
    if value:
        response.headers["Link"] = value
    return response
