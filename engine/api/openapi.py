"""The OpenAPI 3.1 description of the API, built once at start-up from the loaded project.

Every hosted repository gets its own paths (``/api/v1/<instance>/<repository>/records...``) and schemas named
``<instance>.<repository>.<Part>``, because an instance may adapt a type. A record's values are described by
each field type's own JSON Schema fragment (``kind.json_schema``), the one the validator uses: OpenAPI 3.1
speaks JSON Schema 2020-12, so the fragments go in as they are, with the validator's other rules around them
(``engine.api.value_schemas``). Query parameters are described by the readers' own schemas
(``engine.api.query``), the idempotency key by ``engine.api.idempotency``. Nothing about one repository type is
written here; the description follows the YAML.

What the description says is valid the server takes, and what it says is not the server refuses with a
status described for that call; every status a call can answer is described (414 and 413 included). Rules JSON
Schema cannot say are said in words: see ``value_schemas``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app

from engine.access import User, can
from engine.api import idempotency, query
from engine.api.representation import writable_fields
from engine.api.value_schemas import NULL, kept_by_draft, new_record_rules, new_record_values, sent, stored, titled
from engine.fields.values import lower_first
from engine.schema.model import SYSTEM_FIELDS, Instance, RepositoryType
from engine.store.base import IDEMPOTENCY_WINDOW
from engine.store.drafts import ID_PATTERN, MAX_DRAFT_BYTES, MAX_DRAFTS_PER_PERSON
from engine.web.drafting import draftable
from engine.web.finding import PARAMETERS
from engine.web.listing import RELEVANCE, STATES
from engine.web.site import HostedRepository, Site

BEARER = "bearerToken"
STAMP = {"type": "string", "format": "date-time"}
ERROR = {"$ref": "#/components/schemas/Error"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, Any], required: list[str] | None = None, closed: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


COMMON_SCHEMAS: dict[str, Any] = {
    "Error": _object({
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "A message for each field or query parameter at fault, by its name."},
    }, ["status", "message"], closed=False),
    "Attachment": _object({
        "id": {"type": "string"}, "field": {"type": "string"}, "filename": {"type": "string"},
        "content_type": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string"}, "uploaded": STAMP, "uploaded_by": {"type": "string"},
        "download": {"type": "string", "description": "The API address that downloads the file."},
    }, ["id", "field", "filename", "content_type", "size", "sha256", "uploaded", "uploaded_by", "download"]),
    "Index": _object({"instances": {"type": "array", "items": _object({
        "name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "organisation": {"type": "string"},
        "repositories": {"type": "array", "items": _object({
            "name": {"type": "string"}, "title": {"type": "string"}, "title_plural": {"type": "string"},
            "description": {"type": "string"}, "records": {"type": "string"}},
            ["name", "title", "title_plural", "description", "records"])},
    }, ["name", "title", "description", "organisation", "repositories"])}}, ["instances"]),
}

_TEXT = {"type": "string"}
COMMON_SCHEMAS["Match"] = _object({
    "score": {"type": "number", "description": "How well the record matched: comparable within one answer."},
    "snippet": {"anyOf": [NULL, _object({
        "where": {"type": "string", "description": "The field's label, or the attached file's name."},
        "in_file": {"type": "boolean"},
        "parts": {"type": "array", "description": "The passage in pieces of text, each a match or not.",
                  "items": {"type": "array", "prefixItems": [_TEXT, {"type": "boolean"}], "minItems": 2,
                            "maxItems": 2}},
    }, ["where", "in_file", "parts"])]},
}, ["score", "snippet"])
COMMON_SCHEMAS["SearchResults"] = _object({
    "records": {"type": "array", "items": _object({
        "instance": _TEXT, "repository": _TEXT, "reference": _TEXT, "title": _TEXT, "status": _TEXT,
        "closed": {"type": "boolean"}, "lead": _TEXT, "record": _TEXT, "page": _TEXT, "match": _ref("Match"),
    }, ["instance", "repository", "reference", "title", "status", "closed", "lead", "record", "page", "match"])},
    "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
    "suggestion": {"type": ["string", "null"], "description": "Did you mean: when nothing matched."},
    "facets": {"type": "object", "additionalProperties": {"type": "array", "items": _object(
        {"value": _TEXT, "label": _TEXT, "count": {"type": "integer", "minimum": 0}}, ["value", "label", "count"])}},
    "left_out": {"type": "array", "description": "Repositories whose data could not be read, so not searched.",
                 "items": _object({"instance": _TEXT, "repository": _TEXT, "message": _TEXT},
                                  ["instance", "repository", "message"])},
}, ["records", "total", "page", "per_page", "pages", "suggestion", "facets", "left_out"])

RESPONSES: dict[str, Any] = {
    "BadRequest": _json(ERROR, "The request could not be read: `errors` names each query parameter at fault."),
    "Unauthorized": {**_json(ERROR, "No API token, or one that is not known, where one is needed."),
                     "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}},
    "Forbidden": _json(ERROR, "The token's user may not do this in this instance."),
    "NotFound": _json(ERROR, "No such instance, repository, record or attachment."),
    "Unprocessable": _json(ERROR, "Values refused; nothing was saved. `errors` names each field at fault."),
    "Unavailable": _json(ERROR, "The repository's data could not be read (or its store is busy); nothing was "
                                "changed."),
    "OutOfSpace": _json(ERROR, "The server has run out of disk space; nothing was saved."),
    # Answered by the web server in front of the application (in its own words and format), before any of
    # this API reads the request: a query string of many long filter values can reach it.
    "URITooLong": {"description": "The address, with its query string, is longer than the web server reads; "
                                  "nothing was done. Ask for fewer or shorter values."},
}


def _too_large() -> dict[str, Any]:
    """413, with the limit this site runs with (``MAX_CONTENT_LENGTH``, which the server refuses beyond)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f" ({limit / (1024 * 1024):g} MB)" if limit else ""
    return _json(ERROR, f"The body is larger than the site accepts{size}; nothing was read or saved.")


def _errors(*names: str) -> dict[str, Any]:
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404",
             "Unprocessable": "422"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in ("Unauthorized", *names)}


def _record(repository: HostedRepository, name: str, detail: bool = False) -> dict[str, Any]:
    system = {"reference": {"type": "string"}, "status": {"enum": list(repository.rtype.status_names)},
              "created": STAMP, "created_by": {"type": "string"}, "updated": STAMP,
              "updated_by": {"type": "string"}, "version": {"type": "integer", "minimum": 1}}
    properties: dict[str, Any] = {**{key: system[key] for key in SYSTEM_FIELDS}, "values": _ref(f"{name}.Values")}
    required = list(properties)
    if detail:
        properties["attachments"] = {"type": "array", "items": _ref("Attachment")}
        required.append("attachments")
        # Only in the answer to a save, when there is something to say.
        properties["merged"] = {"const": True, "description": "The change started from an older version and was "
                                                               "merged over the saves made since."}
        properties["dropped"] = {"type": "object", "additionalProperties": {"type": "string"},
                                 "description": "Values sent for fields whose show_when does not hold, not "
                                                "saved: by field, why."}
    else:       # a list that answers a search says how well each record matched, and why
        properties["match"] = _ref("Match")
    return _object(properties, required)


def _list_schema(name: str) -> dict[str, Any]:
    return _object({
        "records": {"type": "array", "items": _ref(f"{name}.Record")},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
        "next": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]},
    }, ["records", "total", "page", "per_page", "pages", "next", "previous"])


def _history_schema(name: str) -> dict[str, Any]:
    change = _object({"field": {"type": "string"}, "old": {}, "new": {}}, ["field", "old", "new"])
    version = _object({"version": {"type": "integer", "minimum": 1}, "note": {"type": "string"},
                       "changes": {"type": "array", "items": change}, "record": _ref(f"{name}.Record")},
                      ["version", "note", "changes", "record"])
    return _object({"reference": {"type": "string"}, "versions": {"type": "array", "items": version}},
                   ["reference", "versions"])


def _new_record(repository: HostedRepository) -> dict[str, Any]:
    """A create's body: the required fields, and those required only when a condition holds for it."""
    rtype = repository.rtype
    properties, rules = new_record_values(rtype, writable_fields(rtype))
    always = new_record_rules(rtype)[0]
    values = _object(properties, always)
    body = _object({"status": _status(rtype, f"absent or null: {rtype.initial_status}"), "values": values},
                   ["values"] if always else None)
    return {**body, "allOf": rules} if rules else body


def _status(rtype: RepositoryType, when_absent: str) -> dict[str, Any]:
    return {"enum": [*rtype.status_names, None], "description": f"The record's status ({when_absent})."}


def repository_schemas(repository: HostedRepository, name: str) -> dict[str, Any]:
    rtype = repository.rtype
    fields, writable = rtype.fields, writable_fields(rtype)
    # A change empties a field with null, so only a field always required refuses it; a requirement that a
    # condition brings depends on the values stored, and is said in the field's words (422 when unmet).
    required = set(new_record_rules(rtype)[0])
    return {
        f"{name}.Values": _object({f.name: stored(f) for f in fields}, [f.name for f in fields]),
        f"{name}.Record": _record(repository, name),
        f"{name}.RecordDetail": _record(repository, name, detail=True),
        f"{name}.NewRecord": _new_record(repository),
        f"{name}.Changes": _object({
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version your change starts from (409 when the record has moved on)."},
            "status": _status(rtype, "absent or null: unchanged"),
            "values": _object({f.name: sent(f, required=f.name in required) for f in writable}),
        }, ["version"]),
        f"{name}.List": _list_schema(name),
        f"{name}.History": _history_schema(name),
        f"{name}.Conflict": _object({**COMMON_SCHEMAS["Error"]["properties"], "current": _ref(f"{name}.Record"),
                                     "conflicts": {"type": "object", "description": "Each field both you and "
                                                   "someone else changed: {theirs, yours}."}},
                                    ["status", "message", "current"], closed=False),
        f"{name}.Restore": _object({"version": {"type": "integer", "minimum": 1,
                                                "description": "The record's current version."}}, ["version"]),
    }


#: What each of the list's own parameters asks for (their schemas are the reader's: ``query.control_schemas``).
CONTROL_WORDS = {
    "q": "Words to search for.",
    "state": "; ".join(f"{state}: {words}" for state, words in STATES.items()) + ".",
    "page": "Which page of the answer: past the last, `records` is empty.",
}


def _query_parameter(name: str, schema: dict[str, Any], description: str, repeatable: bool = False) -> dict:
    if repeatable:
        return {"name": name, "in": "query", "style": "form", "explode": True,
                "schema": {"type": "array", "items": schema}, "description": description}
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _list_parameters(repository: HostedRepository) -> list[dict[str, Any]]:
    """The browse page's query string, each parameter as the list's reader takes it (``engine.api.query``):
    one value each but for the filters, which take several."""
    rtype = repository.rtype
    words = {**CONTROL_WORDS,
             "sort": f"A field or system field, `-` in front for descending; default `{rtype.listing.sort}`, or "
                     f"`{RELEVANCE}` (the most relevant first: the default with `q`; without it, the default).",
             "per_page": f"Records per page; default {rtype.listing.per_page}, as on the browse page."}
    once = " Given once: twice is a 400."
    parameters = [_query_parameter(name, schema, words[name] + once)
                  for name, schema in query.control_schemas(repository).items()]
    for facet in repository.filters.values():
        item = query.filter_item(facet)
        reads = "" if "enum" in item else " (the field type reads it: a 400 when it cannot)"
        parameters.append(_query_parameter(facet.name, item, f"{facet.label}, as the browse page filters it{reads}; "
                                                             "repeat for any of several values.", repeatable=True))
    return parameters


def _operation(repository: HostedRepository, name: str, action: str, summary: str, responses: dict,
               writes: bool = False, **extra: Any) -> dict[str, Any]:
    anyone = repository.instance.access.read == "anyone" and not writes
    responses = {**_transport(responses, "requestBody" in extra),
                 "503": {"$ref": "#/components/responses/Unavailable"},
                 **({"507": {"$ref": "#/components/responses/OutOfSpace"}} if writes else {})}
    return {"operationId": f"{name}.{action}", "summary": summary, "tags": [name],
            "security": [{}, {BEARER: []}] if anyone else [{BEARER: []}], "responses": responses, **extra}


def _transport(responses: dict[str, Any], has_body: bool) -> dict[str, Any]:
    """``responses`` and what any call may meet on the way in: an address too long (414) and, for a call that
    sends a body, a body too large (413; a call may say more particularly why)."""
    extra = {"414": {"$ref": "#/components/responses/URITooLong"}}
    if has_body:
        extra["413"] = {"$ref": "#/components/responses/TooLarge"}
    return {**extra, **responses}


def _body(name: str, part: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(f"{name}.{part}")}}}


def _saved(name: str) -> dict[str, Any]:
    return {**_json(_ref(f"{name}.RecordDetail"), "The record as saved, with its attachments."),
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}}}


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


def _created(name: str) -> dict[str, Any]:
    saved = _saved(name)
    replayed = {"schema": {"const": "true"},
                "description": f"The create was sent before with this `{idempotency.HEADER}`: this is the record "
                               "it made, as it is now."}
    return {**saved, "headers": {**saved["headers"], idempotency.REPLAYED: replayed}}


def _collection(repository: HostedRepository, name: str) -> dict[str, Any]:
    """``.../records``: list and create."""
    rtype = repository.rtype
    return {
        "get": _operation(repository, name, "list", f"List {lower_first(rtype.title_plural)}",
                          {"200": _json(_ref(f"{name}.List"), "One page of records."), **_errors("BadRequest")},
                          parameters=_list_parameters(repository)),
        "post": _operation(repository, name, "create", f"Add a {lower_first(rtype.title)}",
                           {"201": _created(name), **_errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                           writes=True, parameters=[IDEMPOTENCY_KEY], requestBody=_body(name, "NewRecord")),
    }


def _one_record(repository: HostedRepository, name: str, reference: dict[str, Any]) -> dict[str, Any]:
    """``.../records/{reference}``: get and update (a change from an older version merges; 409 when it cannot)."""
    conflict = _json(_ref(f"{name}.Conflict"), "You and someone who saved since `version` changed the same "
                                               "fields (`conflicts`, `errors`): `current` is the record now.")
    return {
        "parameters": [reference],
        "get": _operation(repository, name, "get", "One record",
                          {"200": _json(_ref(f"{name}.RecordDetail"), "The record, with its attachments."),
                           **_errors("Forbidden", "NotFound")}),
        "patch": _operation(repository, name, "update", "Change a record",
                            {"200": _saved(name), "409": conflict,
                             **_errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                            writes=True, requestBody=_body(name, "Changes")),
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
        f"{base}/{{reference}}/history": {"parameters": [reference], "get": _operation(
            repository, name, "history", "Every version of a record, oldest first",
            {"200": _json(_ref(f"{name}.History"), "The versions."), **_errors("Forbidden", "NotFound")})},
        f"{base}/{{reference}}/history/{{number}}/restore": {"parameters": [reference, NUMBER], "post": _operation(
            repository, name, "restore_version", "Make an earlier version the current one (a new version)",
            {"200": _saved(name), "409": _json(_ref(f"{name}.Conflict"), "The record has moved on from `version`."),
             **_errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
            writes=True, requestBody=_body(name, "Restore"))},
        f"{base}/{{reference}}/attachments/{{attachment_id}}": {
            "parameters": [reference, attachment_id], "get": _operation(
                repository, name, "attachment", "Download an attachment (as the type it was uploaded with)",
                {"200": {"description": "The file.", "content": {"*/*": {"schema": {}}}},
                 **_errors("Forbidden", "NotFound")})},
    }


# -- drafts (engine.api.drafts) ---------------------------------------------------------------------------------
DRAFT_ID = {"name": "draft_id", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}}
LEFT_OUT = {"type": "object", "additionalProperties": {"type": "string"},
            "description": "Values sent that the draft could not keep (no such field, a file field, a value of the "
                           "wrong kind): by name, why. Only in the answer to a save."}


def draft_schemas(repository: HostedRepository, name: str) -> dict[str, Any]:
    fields = draftable(repository.rtype)
    # Any value may be sent: what a draft cannot keep is left out and said (`left_out`), never refused.
    anything = {f.name: titled(f, {}, "Kept when it is of the field's kind (`DraftValues`), else left out.")
                for f in fields}
    sent = {**_object(anything, closed=False),
            "description": "Any of the fields, none required; what cannot be kept is left out (`left_out`)."}
    return {
        f"{name}.DraftValues": _object({f.name: kept_by_draft(f) for f in fields}, [f.name for f in fields]),
        f"{name}.Draft": _object({
            "id": {"type": "string"}, "owner": {"type": "string"}, "created": STAMP, "updated": STAMP,
            "version": {"type": "integer", "minimum": 1}, "values": _ref(f"{name}.DraftValues"),
            "submit": {"type": "string", "description": "The API address that submits the draft."},
            "left_out": LEFT_OUT,
        }, ["id", "owner", "created", "updated", "version", "values", "submit"]),
        f"{name}.DraftList": _object({"drafts": {"type": "array", "items": _ref(f"{name}.Draft")}}, ["drafts"]),
        f"{name}.NewDraft": _object({"values": sent}),
        f"{name}.DraftChanges": _object({
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version of the draft you read (409 when it was saved since)."},
            "values": sent}, ["version"]),
        f"{name}.DraftConflict": _object({**COMMON_SCHEMAS["Error"]["properties"], "current": _ref(f"{name}.Draft")},
                                         ["status", "message", "current"], closed=False),
    }


def _draft_operation(repository: HostedRepository, name: str, action: str, summary: str, responses: dict,
                     **extra: Any) -> dict[str, Any]:
    # A draft is always someone's: no call about drafts is answered without a token.
    return {**_operation(repository, name, action, summary, responses, **extra), "security": [{BEARER: []}]}


def draft_paths(repository: HostedRepository, name: str) -> dict[str, Any]:
    base = f"/api/v1/{repository.instance.name}/{repository.name}/drafts"
    draft = _json(_ref(f"{name}.Draft"), "The draft.")
    saved = {**_json(_ref(f"{name}.Draft"), "The draft as saved, with what it left out."),
             "headers": {"Location": {"required": True, "schema": {"type": "string"}}}}
    too_large = _json(ERROR, f"The values are more than a draft may hold ({MAX_DRAFT_BYTES / 1024 / 1024:g} MB), "
                             "or the body more than the site accepts; nothing was saved.")
    many = f"422 also when you keep {MAX_DRAFTS_PER_PERSON} drafts here already: submit or delete one first."
    return {
        base: {
            "get": _draft_operation(repository, name, "list_drafts", "Your drafts, the last saved first",
                                    {"200": _json(_ref(f"{name}.DraftList"), "Your drafts."),
                                     **_errors("Forbidden", "NotFound")}),
            "post": _draft_operation(repository, name, "create_draft", "Save a new draft, unchecked",
                                     {"201": saved, "413": too_large,
                                      **_errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                                     writes=True, requestBody=_body(name, "NewDraft"), description=many),
        },
        f"{base}/{{draft_id}}": {
            "parameters": [DRAFT_ID],
            "get": _draft_operation(repository, name, "get_draft", "One draft", {"200": draft, **_errors("NotFound")}),
            "put": _draft_operation(repository, name, "update_draft", "Replace a draft's values",
                                    {"200": saved, "413": too_large, "409": _json(
                                        _ref(f"{name}.DraftConflict"), "Saved since `version`: `current` is it now."),
                                     **_errors("BadRequest", "NotFound", "Unprocessable")},
                                    writes=True, requestBody=_body(name, "DraftChanges")),
            "delete": _draft_operation(repository, name, "delete_draft", "Delete a draft",
                                       {"204": {"description": "Deleted."}, **_errors("NotFound")}, writes=True),
        },
        f"{base}/{{draft_id}}/submit": {"parameters": [DRAFT_ID], "post": _draft_operation(
            repository, name, "submit_draft", "Submit a draft: every rule is checked, as for a new record",
            {"201": _created(name), "409": _json(ERROR, "Submitted already, and changed since: `reference` is the "
                                                        "record it made; the changes are kept in the draft."),
             **_errors("NotFound", "Unprocessable")}, writes=True)},
    }


@dataclass(frozen=True)
class Description:
    """The description's parts, made once: what every caller gets, and each instance's paths and schemas,
    shown only to callers who may read that instance (as the site's home page lists only those)."""
    paths: dict[str, Any]
    schemas: dict[str, Any]
    instances: tuple[tuple[Instance, dict[str, Any], dict[str, Any]], ...]

    def for_caller(self, user: User, server: str) -> dict[str, Any]:
        paths, schemas = dict(self.paths), dict(self.schemas)
        for instance, own_paths, own_schemas in self.instances:
            if can(user, instance, "read"):
                paths.update(own_paths)
                schemas.update(own_schemas)
        return {
            "openapi": "3.1.0",
            "info": {"title": "Repository Engine API", "version": "1",
                     "description": "Records of the repositories this site hosts that the caller may read. "
                                    "See docs/api.md."},
            "servers": [{"url": server}],
            "paths": paths,
            "components": {"schemas": schemas, "responses": {**RESPONSES, "TooLarge": _too_large()},
                           "securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer",
                "description": "A token from `repo-engine users token USERNAME`."}}},
        }


def describe(site: Site) -> Description:
    index = {"get": {"operationId": "index", "summary": "Instances and their repositories",
                     "security": [{}, {BEARER: []}],
                     "responses": _transport({"200": _json(_ref("Index"), "What the caller may read."),
                                              **_errors()}, has_body=False)}}
    instances = []
    for instance in site.project.instances.values():
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {}
        for repository in site.hosted_in(instance):
            name = f"{instance.name}.{repository.name}"
            schemas.update(repository_schemas(repository, name))
            paths.update(repository_paths(repository, name))
            schemas.update(draft_schemas(repository, name))
            paths.update(draft_paths(repository, name))
        instances.append((instance, paths, schemas))
    return Description({"/api/v1/": index, "/api/v1/search": _search()}, dict(COMMON_SCHEMAS), tuple(instances))


def _search() -> dict[str, Any]:
    """``GET /api/v1/search``: the trust-wide search's parameters, as ``engine.web.finding`` reads them."""
    return {"get": {
        "operationId": "search", "summary": "Search every repository the caller may read, ranked as one list",
        "security": [{}, {BEARER: []}],
        "parameters": [
            {"name": "q", "in": "query", "required": True,
             "schema": {"type": "string", "pattern": query.not_blank()},
             "description": "Words to search for (see docs/search.md): not only spaces."},
            # The trust-wide search's reader takes an empty state or page as none given.
            _query_parameter("state", {"enum": [*STATES, ""]}, CONTROL_WORDS["state"]),
            _query_parameter("page", {"type": "string", "pattern": query.PAGE_OR_NONE}, CONTROL_WORDS["page"]),
            _query_parameter("per_page", dict(query.PAGING["per_page"]), "Results per page. Given once: twice is "
                                                                         "a 400."),
            *(_query_parameter(parameter, {"type": "string"}, f"Only records of this {parameter}; repeat for any "
                                                              "of several.", repeatable=True)
              for parameter in PARAMETERS.values()),
        ],
        "responses": _transport({"200": _json(_ref("SearchResults"), "One page of the results."),
                                 **_errors("BadRequest")}, has_body=False),
    }}
