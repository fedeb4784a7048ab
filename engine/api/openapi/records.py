"""A repository's records in the description: the schemas of its values, records, lists and history
(``repository_schemas``) and the paths that list, create, read, change, restore and download
(``repository_paths``)."""
from __future__ import annotations

import re
from typing import Any

from engine.api import idempotency
from engine.api.openapi.parameters import list_parameters
from engine.api.openapi.parts import (COMMON_SCHEMAS, STAMP, answer, created_answer, errors, object_of, operation,
                                      ref, request_body, saved_answer)
from engine.api.representation import writable_fields
from engine.api.value_schemas import new_record_rules, new_record_values, sent, stored
from engine.fields.values import lower_first
from engine.schema.model import SYSTEM_FIELDS, RepositoryType
from engine.store.base import IDEMPOTENCY_WINDOW
from engine.web.site import HostedRepository

def _record(repository: HostedRepository, name: str, detail: bool = False) -> dict[str, Any]:
    system = {"reference": {"type": "string"}, "status": {"enum": list(repository.rtype.status_names)},
              "created": STAMP, "created_by": {"type": "string"}, "updated": STAMP,
              "updated_by": {"type": "string"}, "version": {"type": "integer", "minimum": 1}}
    properties: dict[str, Any] = {**{key: system[key] for key in SYSTEM_FIELDS}, "values": ref(f"{name}.Values")}
    required = list(properties)
    if detail:
        properties["attachments"] = {"type": "array", "items": ref("Attachment")}
        required.append("attachments")
        # Only in the answer to a save, when there is something to say.
        properties["merged"] = {"const": True, "description": "The change started from an older version and was "
                                                               "merged over the saves made since."}
        properties["dropped"] = {"type": "object", "additionalProperties": {"type": "string"},
                                 "description": "Values sent for fields whose show_when does not hold, not "
                                                "saved: by field, why."}
    else:       # a list that answers a search says how well each record matched, and why
        properties["match"] = ref("Match")
    return object_of(properties, required)


def _list_schema(name: str) -> dict[str, Any]:
    return object_of({
        "records": {"type": "array", "items": ref(f"{name}.Record")},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
        "next": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]},
    }, ["records", "total", "page", "per_page", "pages", "next", "previous"])


def _history_schema(name: str) -> dict[str, Any]:
    change = object_of({"field": {"type": "string"}, "old": {}, "new": {}}, ["field", "old", "new"])
    version = object_of({"version": {"type": "integer", "minimum": 1}, "note": {"type": "string"},
                         "changes": {"type": "array", "items": change}, "record": ref(f"{name}.Record")},
                        ["version", "note", "changes", "record"])
    return object_of({"reference": {"type": "string"}, "versions": {"type": "array", "items": version}},
                     ["reference", "versions"])


def _new_record(repository: HostedRepository) -> dict[str, Any]:
    """A create's body: the required fields, and those required only when a condition holds for it."""
    rtype = repository.rtype
    properties, rules = new_record_values(rtype, writable_fields(rtype))
    always = new_record_rules(rtype)[0]
    values = object_of(properties, always)
    body = object_of({"status": _status(rtype, f"absent or null: {rtype.initial_status}", rtype.start_statuses),
                      "values": values},
                     ["values"] if always else None)
    return {**body, "allOf": rules} if rules else body


def _status(rtype: RepositoryType, when_absent: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {"enum": [*(rtype.status_names if allowed is None else allowed), None],
            "description": f"The record's status ({when_absent})."}


def _changed_status(rtype: RepositoryType) -> dict[str, Any]:
    """A change's status: with a workflow it changes only through the actions (``.../actions/{action}``), so
    none is sent (a status other than the record's own is refused, 422)."""
    if rtype.workflow is None:
        return _status(rtype, "absent or null: unchanged")
    return {"enum": [None], "description": "The status of this type changes only through its actions "
            "(POST .../records/{reference}/actions/{action}): leave it out."}


def repository_schemas(repository: HostedRepository, name: str) -> dict[str, Any]:
    rtype = repository.rtype
    fields, writable = rtype.fields, writable_fields(rtype)
    # A change empties a field with null, so only a field always required refuses it; a requirement that a
    # condition brings depends on the values stored, and is said in the field's words (422 when unmet).
    required = set(new_record_rules(rtype)[0])
    return {
        f"{name}.Values": object_of({f.name: stored(f) for f in fields}, [f.name for f in fields]),
        f"{name}.Record": _record(repository, name),
        f"{name}.RecordDetail": _record(repository, name, detail=True),
        f"{name}.NewRecord": _new_record(repository),
        f"{name}.Changes": object_of({
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version your change starts from (409 when the record has moved on)."},
            "status": _changed_status(rtype),
            "values": object_of({f.name: sent(f, required=f.name in required) for f in writable}),
        }, ["version"]),
        f"{name}.List": _list_schema(name),
        f"{name}.History": _history_schema(name),
        f"{name}.Conflict": object_of({**COMMON_SCHEMAS["Error"]["properties"], "current": ref(f"{name}.Record"),
                                       "conflicts": {"type": "object", "description": "Each field both you and "
                                                     "someone else changed: {theirs, yours}."}},
                                      ["status", "message", "current"], closed=False),
        f"{name}.Restore": object_of({"version": {"type": "integer", "minimum": 1,
                                                  "description": "The record's current version."}}, ["version"]),
    }


IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER, "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_LENGTH,
               "pattern": idempotency.PATTERN},
    "description": "A key of your choosing (a UUID, say) that makes the create safe to send again: within "
                   f"{IDEMPOTENCY_WINDOW.total_seconds() / 3600:g} hours, the same key with the same body answers "
                   f"201 with the record it first made (and `{idempotency.REPLAYED}: true`) instead of making "
                   "another; with another body, 422 and nothing is written. Keys are yours alone: another "
                   f"account's same key is another key. 1 to {idempotency.MAX_LENGTH} printable ASCII characters, "
                   "sent once (400 otherwise).",
}


def _collection(repository: HostedRepository, name: str) -> dict[str, Any]:
    """``.../records``: list and create."""
    rtype = repository.rtype
    return {
        "get": operation(repository, name, "list", f"List {lower_first(rtype.title_plural)}",
                         {"200": answer(ref(f"{name}.List"), "One page of records."), **errors("BadRequest")},
                         parameters=list_parameters(repository)),
        "post": operation(repository, name, "create", f"Add a {lower_first(rtype.title)}",
                          {"201": created_answer(name),
                           **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                          writes=True, parameters=[IDEMPOTENCY_KEY], requestBody=request_body(name, "NewRecord"),
                          **_files_words(rtype)),
    }


def _files_words(rtype: RepositoryType) -> dict[str, str]:
    """What a create of a type with file fields cannot do: a JSON body carries no files."""
    files = [f.label for f in rtype.fields if f.kind.holds_files]
    if not files:
        return {}
    return {"description": f"A JSON body carries no files, so {', '.join(files)} cannot be given here: files are "
                           "added on the record's page. Where one is required, the create is refused (422, naming "
                           "it and the page that makes the record)."}


def _one_record(repository: HostedRepository, name: str, reference: dict[str, Any]) -> dict[str, Any]:
    """``.../records/{reference}``: get and update (a change from an older version merges; 409 when it cannot)."""
    conflict = answer(ref(f"{name}.Conflict"), "You and someone who saved since `version` changed the same "
                                                "fields (`conflicts`, `errors`): `current` is the record now.")
    return {
        "parameters": [reference],
        "get": operation(repository, name, "get", "One record",
                         {"200": answer(ref(f"{name}.RecordDetail"), "The record, with its attachments."),
                          **errors("Forbidden", "NotFound")}),
        "patch": operation(repository, name, "update", "Change a record",
                           {"200": saved_answer(name), "409": conflict,
                            **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                           writes=True, requestBody=request_body(name, "Changes")),
    }


NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
          "description": "The version to restore, as the history lists it."}


def repository_paths(repository: HostedRepository, name: str) -> dict[str, Any]:
    base = f"/api/v1/{repository.instance.name}/{repository.name}/records"
    pattern = rf"^{re.escape(repository.rtype.reference_prefix)}-\d{{4,}}$"
    reference = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string", "pattern": pattern}}
    attachment_id = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        base: _collection(repository, name),
        f"{base}/{{reference}}": _one_record(repository, name, reference),
        f"{base}/{{reference}}/history": {"parameters": [reference], "get": operation(
            repository, name, "history", "Every version of a record, oldest first",
            {"200": answer(ref(f"{name}.History"), "The versions."), **errors("Forbidden", "NotFound")})},
        f"{base}/{{reference}}/history/{{number}}/restore": {"parameters": [reference, NUMBER], "post": operation(
            repository, name, "restore_version", "Make an earlier version the current one (a new version)",
            {"200": saved_answer(name),
             "409": answer(ref(f"{name}.Conflict"), "The record has moved on from `version`."),
             **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
            writes=True, requestBody=request_body(name, "Restore"))},
        f"{base}/{{reference}}/attachments/{{attachment_id}}": {
            "parameters": [reference, attachment_id], "get": operation(
                repository, name, "attachment", "Download an attachment (as the type it was uploaded with)",
                {"200": {"description": "The file.", "content": {"*/*": {"schema": {}}}},
                 **errors("Forbidden", "NotFound")})},
    }
