"""A repository's drafts in the description (``engine.api.drafts``): their schemas and their paths, every one
of which needs a token."""
from __future__ import annotations

from typing import Any

from engine.api.openapi.parts import (BEARER, COMMON_SCHEMAS, ERROR, STAMP, answer, created_answer, errors, object_of,
                                      operation, ref, request_body)
from engine.api.value_schemas import kept_by_draft, titled
from engine.store.drafts import ID_PATTERN, MAX_DRAFT_BYTES, MAX_DRAFTS_PER_PERSON
from engine.web.drafting import draftable
from engine.web.site import HostedRepository

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
    sent = {**object_of(anything, closed=False),
            "description": "Any of the fields, none required; what cannot be kept is left out (`left_out`)."}
    return {
        f"{name}.DraftValues": object_of({f.name: kept_by_draft(f) for f in fields}, [f.name for f in fields]),
        f"{name}.Draft": object_of({
            "id": {"type": "string"}, "owner": {"type": "string"}, "created": STAMP, "updated": STAMP,
            "version": {"type": "integer", "minimum": 1}, "values": ref(f"{name}.DraftValues"),
            "submit": {"type": "string", "description": "The API address that submits the draft."},
            "left_out": LEFT_OUT,
        }, ["id", "owner", "created", "updated", "version", "values", "submit"]),
        f"{name}.DraftList": object_of({"drafts": {"type": "array", "items": ref(f"{name}.Draft")}}, ["drafts"]),
        f"{name}.NewDraft": object_of({"values": sent}),
        f"{name}.DraftChanges": object_of({
            "version": {"type": "integer", "minimum": 1,
                        "description": "The version of the draft you read (409 when it was saved since)."},
            "values": sent}, ["version"]),
        f"{name}.DraftConflict": object_of({**COMMON_SCHEMAS["Error"]["properties"], "current": ref(f"{name}.Draft")},
                                           ["status", "message", "current"], closed=False),
    }


def _draft_operation(repository: HostedRepository, name: str, action: str, summary: str, responses: dict,
                     **extra: Any) -> dict[str, Any]:
    # A draft is always someone's: no call about drafts is answered without a token.
    return {**operation(repository, name, action, summary, responses, **extra), "security": [{BEARER: []}]}


def draft_paths(repository: HostedRepository, name: str) -> dict[str, Any]:
    base = f"/api/v1/{repository.instance.name}/{repository.name}/drafts"
    draft = answer(ref(f"{name}.Draft"), "The draft.")
    saved = {**answer(ref(f"{name}.Draft"), "The draft as saved, with what it left out."),
             "headers": {"Location": {"required": True, "schema": {"type": "string"}}}}
    too_large = answer(ERROR, f"The values are more than a draft may hold ({MAX_DRAFT_BYTES / 1024 / 1024:g} MB), "
                              "or the body more than the site accepts; nothing was saved.")
    many = f"422 also when you keep {MAX_DRAFTS_PER_PERSON} drafts here already: submit or delete one first."
    return {
        base: {
            "get": _draft_operation(repository, name, "list_drafts", "Your drafts, the last saved first",
                                    {"200": answer(ref(f"{name}.DraftList"), "Your drafts."),
                                     **errors("Forbidden", "NotFound")}),
            "post": _draft_operation(repository, name, "create_draft", "Save a new draft, unchecked",
                                     {"201": saved, "413": too_large,
                                      **errors("BadRequest", "Forbidden", "NotFound", "Unprocessable")},
                                     writes=True, requestBody=request_body(name, "NewDraft"), description=many),
        },
        f"{base}/{{draft_id}}": {
            "parameters": [DRAFT_ID],
            "get": _draft_operation(repository, name, "get_draft", "One draft", {"200": draft, **errors("NotFound")}),
            "put": _draft_operation(repository, name, "update_draft", "Replace a draft's values",
                                    {"200": saved, "413": too_large, "409": answer(
                                        ref(f"{name}.DraftConflict"), "Saved since `version`: `current` is it now."),
                                     **errors("BadRequest", "NotFound", "Unprocessable")},
                                    writes=True, requestBody=request_body(name, "DraftChanges")),
            "delete": _draft_operation(repository, name, "delete_draft", "Delete a draft",
                                       {"204": {"description": "Deleted."}, **errors("NotFound")}, writes=True),
        },
        f"{base}/{{draft_id}}/submit": {"parameters": [DRAFT_ID], "post": _draft_operation(
            repository, name, "submit_draft", "Submit a draft: every rule is checked, as for a new record",
            {"201": created_answer(name),
             "409": answer(ERROR, "Submitted already, and changed since: `reference` is the record it made; the "
                                  "changes are kept in the draft."),
             **errors("NotFound", "Unprocessable")}, writes=True)},
    }
