"""JSON API v1: the OpenAPI document (each feature adds its endpoints: events/api.py lists
the published events)."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify

from confapp.api import openapi

bp = Blueprint("api", __name__)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())


openapi.add_path(
    "/openapi.json",
    "get",
    {
        "summary": "This OpenAPI document",
        "operationId": "getOpenApi",
        "security": [],
        "responses": {"200": openapi.json_content({"type": "object"}, "OpenAPI 3.1 document")},
    },
)
