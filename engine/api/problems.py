"""Errors of the JSON API: one shape for every refusal, so a client reads ``message`` and ``errors`` alike
whether a filter, a field, a token or the record's version was wrong.

``{"status": 422, "message": "...", "errors": {"division": "Select division"}}``: ``errors`` names each
field or query parameter at fault; a conflict adds ``current``, the record as it is now.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Response, jsonify, request

API_PREFIX = "/api/"

#: What the ``message`` of an error says when the handler has nothing more particular to say.
MESSAGES = {
    400: "The request could not be read.",
    401: "Send an API token: Authorization: Bearer <token>.",
    403: "Your token does not allow this here.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    409: "Someone else changed this record since the version you sent.",
    413: "What you sent is too large.",
    422: "Some values were refused; nothing was saved.",
    500: "Sorry, there is a problem with the service. Nothing was saved unless you had a success response.",
    503: "The service cannot answer this at the moment; nothing was changed.",
    507: "The server has run out of space; nothing was saved.",
}


class ApiError(Exception):
    """A refusal an API view raises; ``response()`` turns it into the JSON error."""

    def __init__(self, status: int, message: str | None = None, errors: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None, **extra: Any):
        self.status = status
        self.message = message or MESSAGES.get(status, MESSAGES[500])
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(self.message)

    def response(self) -> tuple[Response, int]:
        return json_error(self.status, self.message, self.errors, self.headers, **self.extra)


def json_error(status: int, message: str | None = None, errors: Mapping[str, str] | None = None,
               headers: Mapping[str, str] | None = None, **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"status": status, "message": message or MESSAGES.get(status, MESSAGES[500])}
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    response = jsonify(body)
    response.headers.update(headers or {})
    return response, status


def is_api_request() -> bool:
    """Errors on these paths are answered in JSON, whichever handler catches them."""
    return request.path.startswith(API_PREFIX)
