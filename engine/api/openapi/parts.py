"""The building blocks every part of the OpenAPI description is made of: a reference, a JSON answer, an object
schema, the schemas and answers every repository shares (``Error``, ``Attachment``, ``Index``, ``Match``,
``SearchResults``; 400 to 507), and an operation with what any call may meet on the way in (414, 413)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app

from engine.api import idempotency
from engine.api.value_schemas import NULL

if TYPE_CHECKING:
    from engine.web.site import HostedRepository

BEARER = "bearerToken"
STAMP = {"type": "string", "format": "date-time"}
ERROR = {"$ref": "#/components/schemas/Error"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def object_of(properties: dict[str, Any], required: list[str] | None = None, closed: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


COMMON_SCHEMAS: dict[str, Any] = {
    "Error": object_of({
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "A message for each field or query parameter at fault, by its name."},
    }, ["status", "message"], closed=False),
    "Attachment": object_of({
        "id": {"type": "string"}, "field": {"type": "string"}, "filename": {"type": "string"},
        "content_type": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string"}, "uploaded": STAMP, "uploaded_by": {"type": "string"},
        "download": {"type": "string", "description": "The API address that downloads the file."},
    }, ["id", "field", "filename", "content_type", "size", "sha256", "uploaded", "uploaded_by", "download"]),
    "Index": object_of({"instances": {"type": "array", "items": object_of({
        "name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "organisation": {"type": "string"},
        "repositories": {"type": "array", "items": object_of({
            "name": {"type": "string"}, "title": {"type": "string"}, "title_plural": {"type": "string"},
            "description": {"type": "string"}, "records": {"type": "string"}},
            ["name", "title", "title_plural", "description", "records"])},
    }, ["name", "title", "description", "organisation", "repositories"])}}, ["instances"]),
}

TEXT = {"type": "string"}
COMMON_SCHEMAS["Match"] = object_of({
    "score": {"type": "number", "description": "How well the record matched: comparable within one answer."},
    "snippet": {"anyOf": [NULL, object_of({
        "where": {"type": "string", "description": "The field's label, or the attached file's name."},
        "in_file": {"type": "boolean"},
        "parts": {"type": "array", "description": "The passage in pieces of text, each a match or not.",
                  "items": {"type": "array", "prefixItems": [TEXT, {"type": "boolean"}], "minItems": 2,
                            "maxItems": 2}},
    }, ["where", "in_file", "parts"])]},
}, ["score", "snippet"])
COMMON_SCHEMAS["SearchResults"] = object_of({
    "records": {"type": "array", "items": object_of({
        "instance": TEXT, "repository": TEXT, "reference": TEXT, "title": TEXT, "status": TEXT,
        "closed": {"type": "boolean"}, "lead": TEXT, "record": TEXT, "page": TEXT, "match": ref("Match"),
    }, ["instance", "repository", "reference", "title", "status", "closed", "lead", "record", "page", "match"])},
    "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
    "suggestion": {"type": ["string", "null"], "description": "Did you mean: when nothing matched."},
    "facets": {"type": "object", "additionalProperties": {"type": "array", "items": object_of(
        {"value": TEXT, "label": TEXT, "count": {"type": "integer", "minimum": 0}}, ["value", "label", "count"])}},
    "left_out": {"type": "array", "description": "Repositories whose data could not be read, so not searched.",
                 "items": object_of({"instance": TEXT, "repository": TEXT, "message": TEXT},
                                    ["instance", "repository", "message"])},
}, ["records", "total", "page", "per_page", "pages", "suggestion", "facets", "left_out"])

RESPONSES: dict[str, Any] = {
    "BadRequest": answer(ERROR, "The request could not be read: `errors` names each query parameter at fault."),
    "Unauthorized": {**answer(ERROR, "No API token, or one that is not known, where one is needed."),
                     "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}},
    "Forbidden": answer(ERROR, "The token's user may not do this in this instance."),
    "NotFound": answer(ERROR, "No such instance, repository, record or attachment."),
    "Unprocessable": answer(ERROR, "Values refused; nothing was saved. `errors` names each field at fault."),
    "Unavailable": answer(ERROR, "The repository's data could not be read (or its store is busy); nothing was "
                                 "changed."),
    "OutOfSpace": answer(ERROR, "The server has run out of disk space; nothing was saved."),
    # Answered by the web server in front of the application (in its own words and format), before any of
    # this API reads the request: a query string of many long filter values can reach it.
    "URITooLong": {"description": "The address, with its query string, is longer than the web server reads; "
                                  "nothing was done. Ask for fewer or shorter values."},
}


def too_large_answer() -> dict[str, Any]:
    """413, with the limit this site runs with (``MAX_CONTENT_LENGTH``, which the server refuses beyond)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f" ({limit / (1024 * 1024):g} MB)" if limit else ""
    return answer(ERROR, f"The body is larger than the site accepts{size}; nothing was read or saved.")


def errors(*names: str) -> dict[str, Any]:
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404",
             "Unprocessable": "422"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in ("Unauthorized", *names)}


def operation(repository: HostedRepository, name: str, action: str, summary: str, responses: dict,
              writes: bool = False, **extra: Any) -> dict[str, Any]:
    anyone = repository.instance.access.read == "anyone" and not writes
    responses = {**transport(responses, "requestBody" in extra),
                 "503": {"$ref": "#/components/responses/Unavailable"},
                 **({"507": {"$ref": "#/components/responses/OutOfSpace"}} if writes else {})}
    return {"operationId": f"{name}.{action}", "summary": summary, "tags": [name],
            "security": [{}, {BEARER: []}] if anyone else [{BEARER: []}], "responses": responses, **extra}


def transport(responses: dict[str, Any], has_body: bool) -> dict[str, Any]:
    """``responses`` and what any call may meet on the way in: an address too long (414) and, for a call that
    sends a body, a body too large (413; a call may say more particularly why)."""
    extra = {"414": {"$ref": "#/components/responses/URITooLong"}}
    if has_body:
        extra["413"] = {"$ref": "#/components/responses/TooLarge"}
    return {**extra, **responses}


def request_body(name: str, part: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(f"{name}.{part}")}}}


def saved_answer(name: str) -> dict[str, Any]:
    return {**answer(ref(f"{name}.RecordDetail"), "The record as saved, with its attachments."),
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}}}


def created_answer(name: str) -> dict[str, Any]:
    saved = saved_answer(name)
    replayed = {"schema": {"const": "true"},
                "description": f"The create was sent before with this `{idempotency.HEADER}`: this is the record "
                               "it made, as it is now."}
    return {**saved, "headers": {**saved["headers"], idempotency.REPLAYED: replayed}}
