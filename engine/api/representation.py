"""Records as JSON, and request bodies as record values.

A record is its system fields beside ``values`` (every field of the type, ``null`` when empty; dates as
ISO ``YYYY-MM-DD`` strings, times as ISO date-times in UTC). Keeping the values in their own object means a
field can never collide with a system field or with what the API adds (``attachments``).

File fields are read-only here: their value is the ids of the record's attachments, which only an upload on
the record's page can add (JSON carries no files, and an id typed by hand would name no file).
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from flask import request, url_for

from engine.api.problems import ApiError
from engine.fields.values import lower_first
from engine.schema.model import SYSTEM_FIELDS, Field, RepositoryType
from engine.search.snippets import Snippet
from engine.store.base import Attachment, Record, Version
from engine.store.documents import stamp
from engine.web.site import HostedRepository

NOT_JSON = "The body must be a JSON object, sent with Content-Type: application/json."


def writable_fields(rtype: RepositoryType) -> tuple[Field, ...]:
    return tuple(f for f in rtype.fields if not f.kind.holds_files)


def record_json(hosted: HostedRepository, record: Record) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in SYSTEM_FIELDS:
        value = record[name]
        body[name] = stamp(value) if name in ("created", "updated") else value
    body["values"] = {f.name: record.values.get(f.name) for f in hosted.rtype.fields}
    return body


def attachment_json(hosted: HostedRepository, attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id, "field": attachment.field, "filename": attachment.filename,
        "content_type": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256,
        "uploaded": stamp(attachment.uploaded), "uploaded_by": attachment.uploaded_by,
        "download": url_for("api.attachment", instance=hosted.instance.name, repo=hosted.name,
                            reference=attachment.reference, attachment_id=attachment.id),
    }


def version_json(hosted: HostedRepository, version: Version) -> dict[str, Any]:
    return {
        "version": version.record.version, "note": version.note,
        "changes": [{"field": c.name, "old": c.old, "new": c.new} for c in version.changes],
        "record": record_json(hosted, version.record),
    }


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read_body(allowed: tuple[str, ...]) -> dict[str, Any]:
    """The request's JSON object; 400 when it is not one, 422 naming each key that is not ``allowed``."""
    try:
        body = json.loads(request.get_data(), parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):    # RecursionError: thousands of nested [[[
        raise ApiError(400, NOT_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(400, NOT_JSON)
    unknown = {key: f"“{key}” is not accepted here: send {', '.join(allowed)}" for key in body if key not in allowed}
    if unknown:
        raise ApiError(422, errors=unknown)
    return body


def values_from(rtype: RepositoryType, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's ``values``, empty ones (``""``, ``[]``) as ``null``; file fields refused by name, and so is a
    name that is no field even with ``null`` (which the validator, reading a record, lets by: nothing to check).
    A name that is no field with a value goes on to the validator, to be named with every other problem."""
    values = body.get("values", {})
    if not isinstance(values, dict):
        raise ApiError(422, errors={"values": "values must be an object naming fields and their values"})
    fields = rtype.field_map
    wrong = {name: f"{name} is not a field of {lower_first(rtype.title)}"
             for name, value in values.items() if name not in fields and value is None}
    wrong.update({name: f"{fields[name].label} holds files: add them on the record's page"
                  for name in values if name in fields and fields[name].kind.holds_files})
    if wrong:
        raise ApiError(422, errors=wrong)
    return {name: None if name in fields and fields[name].kind.is_empty(value) else value
            for name, value in values.items()}


def status_from(body: Mapping[str, Any], rtype: RepositoryType) -> str | None:
    status = body.get("status")
    if status is not None and status not in rtype.status_names:
        raise ApiError(422, errors={"status": f"Status must be one of: {', '.join(rtype.status_names)}"})
    return status


def version_from(body: Mapping[str, Any]) -> int:
    """The body's ``version``: a whole number from 1, as JSON Schema's ``integer`` says (``3.0`` is one)."""
    version = body.get("version")
    whole = isinstance(version, int) or (isinstance(version, float) and version.is_integer())
    if isinstance(version, bool) or not whole or version < 1:
        raise ApiError(422, errors={"version": "Send the version of the record your change starts from, "
                                               "a whole number such as 3"})
    return int(version)


def match_json(score: float, snippet: Snippet | None) -> dict[str, Any]:
    """How well a record matched a search, and the passage that shows why: its pieces of text, each marked
    as a match or not (``[["…the ", false], ["falls", true], …]``), so a client can mark them its own way."""
    found = None
    if snippet is not None:
        found = {"where": snippet.where, "in_file": snippet.in_file,
                 "parts": [[text, marked] for text, marked in snippet.parts]}
    return {"score": round(score, 4), "snippet": found}


def dropped_json(hosted: HostedRepository, asked: Mapping[str, Any], saved: Record) -> dict[str, str]:
    """Values the request gave that were not saved because their field's ``show_when`` does not hold for the
    record as saved, each with why (the rule ``Records`` applies on every path)."""
    hidden = hosted.validator.hidden({**saved.values, **asked}, saved.status)
    return {name: hidden[name] for name in asked if name in hidden and saved.values.get(name) is None}


def conflict_json(hosted: HostedRepository, conflict) -> dict[str, Any]:
    """The fields both people changed: what is saved now (theirs) and what this request gave (yours)."""
    current = conflict.current
    return {name: {"theirs": current.status if name == "status" else current.values.get(name),
                   "yours": conflict.yours.get(name)} for name in conflict.fields}
