"""The OpenAPI 3.1 document of /api/v1, assembled from what each feature registers.

Features describe their endpoints next to their views with `add_path()` and
`add_schema()`; `/api/v1/openapi.json` serves `document()`.
"""

from __future__ import annotations

import copy
from typing import Any

PATHS: dict[str, dict[str, dict[str, Any]]] = {}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Short reason, e.g. unauthorized."},
            "message": {"type": "string", "description": "Human-readable explanation."},
        },
    },
}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def add_path(path: str, method: str, spec: dict[str, Any]) -> None:
    """Describe one operation, e.g. add_path("/events", "get", {...}); path is under /api/v1."""
    method = method.lower()
    if method not in _METHODS:
        raise ValueError(f"not an HTTP method: {method}")
    PATHS.setdefault(path, {})[method] = spec


def add_schema(name: str, schema: dict[str, Any]) -> None:
    """Register a reusable schema under components.schemas."""
    SCHEMAS[name] = schema


def ref(name: str) -> dict[str, str]:
    """A $ref to a registered schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(
    schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A response object with a JSON body (and response headers, if any)."""
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


# The Link header of paged listings (confapp.api.pagination).
LINK_HEADER = {
    "description": 'RFC 8288 links: rel="next" while there is a next page, rel="prev"',
    "schema": {"type": "string"},
}


def error_responses(*statuses: int) -> dict[str, Any]:
    """Standard error responses (401, 403, 404, 422...) with the Error schema."""
    texts = {
        400: "Bad request",
        401: "Missing or invalid bearer token",
        403: "The caller lacks the role needed",
        404: "Not found",
        409: "Conflict with the current state",
        422: "Invalid input",
    }
    return {str(s): json_content(ref("Error"), texts.get(s, "Error")) for s in statuses}


# Operations marked like this need the bearer token (staff, organisers, admins).
BEARER = [{"bearerAuth": []}]


# Answers any operation may give besides its own: malformed input (such as text with NUL
# characters, refused for every request before the views run) is a 400.
COMMON_ERRORS = (400,)


def _with_common_errors(paths: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    for operations in paths.values():
        for spec in operations.values():
            responses = spec.setdefault("responses", {})
            for status, response in error_responses(*COMMON_ERRORS).items():
                responses.setdefault(status, response)
    return paths


def document() -> dict[str, Any]:
    """The complete OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "confapp API",
            "version": "1",
            "description": (
                "Events, programmes, visits and check-in of cluster development conferences. "
                "Public endpoints need no credentials; the others take "
                "'Authorization: Bearer <token>' of a staff member or organiser "
                "(tokens: `confapp create-token EMAIL`)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _with_common_errors(copy.deepcopy(dict(sorted(PATHS.items())))),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API token"}
            },
        },
    }
