"""A repository's workflow actions, comments and watching in the description (``engine.api.workflow``): the
actions available on a record, one path per action of the type's ``workflow:`` (each with its own comment
rule), the discussion of every record, and watching it."""
from __future__ import annotations

import re
import sys
from typing import Any

from engine.api import query
from engine.api.openapi.parts import STAMP, answer, errors, object_of, operation, ref, request_body, saved_answer
from engine.fields.values import CONTROL_CHARACTERS
from engine.schema.model import COMMENT_RULES, Action
from engine.web.site import HostedRepository
from engine.workflow.rules import MAX_COMMENT

TEXT = {"type": "string"}


def _blank() -> str:
    """A pattern for a comment that is nothing once trimmed: only spaces (control characters are dropped before
    any rule, so they are no part of it)."""
    spaces = (c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and not CONTROL_CHARACTERS.match(c))
    return "^[" + "".join(f"\\u{ord(c):04x}" for c in spaces) + "]*$"


BLANK = _blank()


def comment_schema(rule: str) -> dict[str, Any]:
    """What an action's ``comment`` may be: text with a letter in it (required), any text or none (optional),
    only spaces or none (an action that takes no comment)."""
    if rule == "required":
        return {"type": "string", "pattern": query.not_blank(), "maxLength": MAX_COMMENT,
                "description": "Why: required, not only spaces."}
    if rule == "none":
        return {"type": ["string", "null"], "pattern": BLANK, "description": "This action takes no comment."}
    return {"type": ["string", "null"], "maxLength": MAX_COMMENT, "description": "Kept in the record's history."}


def workflow_schemas(repository: HostedRepository, name: str) -> dict[str, Any]:
    rtype = repository.rtype
    statuses = {"enum": list(rtype.status_names)}
    schemas: dict[str, Any] = {
        f"{name}.Actions": object_of({
            "reference": TEXT, "status": statuses, "version": {"type": "integer", "minimum": 1},
            "actions": {"type": "array", "items": object_of({
                "action": TEXT, "slug": TEXT, "to": statuses, "comment": {"enum": list(COMMENT_RULES)},
                "take": {"type": "string", "description": "The API address that takes the action."}},
                ["action", "slug", "to", "comment", "take"])}}, ["reference", "status", "version", "actions"]),
        f"{name}.Comment": object_of({"id": TEXT, "by": TEXT, "at": STAMP, "text": TEXT},
                                         ["id", "by", "at", "text"]),
        f"{name}.Comments": object_of({"reference": TEXT, "comments": {"type": "array",
                                                                          "items": ref(f"{name}.Comment")}},
                                          ["reference", "comments"]),
        f"{name}.NewComment": object_of({"text": {"type": "string", "pattern": query.not_blank(),
                                                      "maxLength": MAX_COMMENT}}, ["text"]),
        f"{name}.Watching": object_of({"reference": TEXT, "watching": {"type": "boolean"}},
                                          ["reference", "watching"]),
    }
    for action in rtype.workflow.actions if rtype.workflow else ():
        schemas[f"{name}.Act.{action.slug}"] = object_of({
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version of the record you read (409 when it has moved on)."},
            "comment": comment_schema(action.comment)}, ["version", "comment"] if action.comment == "required"
            else ["version"])
    return schemas


def _act(repository: HostedRepository, name: str, action: Action) -> dict[str, Any]:
    rtype = repository.rtype
    state = answer(ref(f"{name}.Conflict"), f"The record cannot take it as it is now: it is not "
                         f"{' or '.join(action.from_statuses)}, a field it needs is empty, or it was saved since "
                         "`version`. `errors` says which; `current` is the record now. Nothing was changed.")
    labels = ", ".join(rtype.field(name).label for name in action.requires)
    needs = f" It needs {labels} filled in." if labels else ""
    return {"post": operation(
        repository, name, f"act.{action.slug}", f"{action.name}: from {', '.join(action.from_statuses)} to {action.to}",
        {"200": saved_answer(name), "409": state,
         **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
        writes=True, requestBody=request_body(name, f"Act.{action.slug}"),
        description=f"403 names who may take it.{needs}")}


def workflow_paths(repository: HostedRepository, name: str, reference: dict[str, Any]) -> dict[str, Any]:
    base = f"/api/v1/{repository.instance.name}/{repository.name}/records/{{reference}}"
    watched = answer(ref(f"{name}.Watching"), "Whether you watch the record now.")
    paths: dict[str, Any] = {
        f"{base}/actions": {"parameters": [reference], "get": operation(
            repository, name, "actions", "The workflow actions you may take on a record now",
            {"200": answer(ref(f"{name}.Actions"), "The actions (none without a token, or a workflow)."),
             **errors("Forbidden", "NotFound")})},
        f"{base}/comments": {
            "parameters": [reference],
            "get": operation(repository, name, "comments", "The discussion beside a record, oldest first",
                             {"200": answer(ref(f"{name}.Comments"), "The comments."),
                              **errors("Forbidden", "NotFound")}),
            "post": operation(repository, name, "comment", "Comment on a record (its watchers are told)",
                              {"201": answer(ref(f"{name}.Comment"), "The comment as kept."),
                               **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                              writes=True, requestBody=request_body(name, "NewComment")),
        },
        f"{base}/watch": {
            "parameters": [reference],
            "put": operation(repository, name, "watch", "Watch a record: be told of its actions, comments and edits",
                             {"200": watched, **errors("Forbidden", "NotFound")}, writes=True),
            "delete": operation(repository, name, "unwatch", "Stop watching a record",
                                {"200": watched, **errors("Forbidden", "NotFound")}, writes=True),
        },
    }
    for action in repository.rtype.workflow.actions if repository.rtype.workflow else ():
        paths[f"{base}/actions/{action.slug}"] = {"parameters": [reference], **_act(repository, name, action)}
    return paths


def reference_parameter(repository: HostedRepository) -> dict[str, Any]:
    pattern = rf"^{re.escape(repository.rtype.reference_prefix)}-\d{{4,}}$"
    return {"name": "reference", "in": "path", "required": True, "schema": {"type": "string", "pattern": pattern}}
