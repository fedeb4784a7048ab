"""Drafts through the JSON API, under ``/api/v1/<instance>/<repo>/drafts``: the same drafts as the pages'.

A draft keeps what it can of the values sent and says what it left out (``left_out``, by field: a name that
is no field, a file field, a value of the wrong kind), so a client saving half an answer is never refused
for the half it has not sent. Submitting runs every rule and answers as ``POST .../records`` does. These
routes join the API's blueprint (importing this module adds them), so they authenticate, and answer errors,
as every other API call.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Response, jsonify, request, url_for

from engine.access import can
from engine.api import auth, idempotency
from engine.api.problems import ApiError, json_error
from engine.api.representation import attachment_json, read_body, record_json, version_from
from engine.api.routes import bp
from engine.fields.values import lower_first, without_controls
from engine.schema.model import Field, RepositoryType
from engine.store.base import Record
from engine.store.documents import stamp
from engine.store.drafts import Draft, DraftConflict, DraftNotFound, DraftTooLarge, TooManyDrafts
from engine.web import drafting
from engine.web.drafting import draftable
from engine.web.site import HostedRepository
from engine.web.views import hosted, site

#: What a JSON value of each JSON Schema type is in Python (a bool is no number here).
JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,)}
SCALARS = ("string", "number", "boolean")


def draft_json(repository: HostedRepository, draft: Draft) -> dict[str, Any]:
    names = {"instance": repository.instance.name, "repo": repository.name, "draft_id": draft.id}
    return {"id": draft.id, "owner": draft.owner, "created": stamp(draft.created), "updated": stamp(draft.updated),
            "version": draft.version,
            "values": {f.name: draft.values.get(f.name) for f in draftable(repository.rtype)},
            "submit": url_for("api.submit_draft", **names)}


def values_for_draft(rtype: RepositoryType, body: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The values a draft keeps from ``body["values"]`` (without control characters), and why each other one
    was left out."""
    sent = body.get("values", {})
    if not isinstance(sent, dict):
        raise ApiError(422, errors={"values": "values must be an object naming fields and their values"})
    fields = {f.name: f for f in draftable(rtype)}
    kept, left_out = {}, {}
    for name, value in without_controls(sent).items():
        field = fields.get(name)
        if field is None:
            left_out[name] = _not_kept(rtype, name)
        elif field.kind.is_empty(value):
            continue
        elif not _shaped(field, value):
            left_out[name] = field.kind.invalid_message(field, value)
        else:
            kept[name] = value
    return kept, left_out


def _not_kept(rtype: RepositoryType, name: str) -> str:
    field = rtype.field_map.get(name)
    if field is None:
        return f"“{name}” is not a field of {lower_first(rtype.title)}"
    if field.kind.holds_files:
        return f"{field.label} holds files: add them on the record's page once the draft is submitted"
    return f"{field.label} is no longer filled in"


def _shaped(field: Field, value: Any) -> bool:
    """Is ``value`` of the JSON kind the field stores (text, number, list of texts)? Whether it meets the
    field's rules is for the submit to say."""
    schema = field.kind.json_schema(field)
    if not _of_type(value, schema.get("type", SCALARS)):
        return False
    items = schema.get("items", {}).get("type", SCALARS)
    return not isinstance(value, list) or all(_of_type(item, items) for item in value)


def _of_type(value: Any, types: str | tuple | list) -> bool:
    wanted = (types,) if isinstance(types, str) else tuple(types)
    if isinstance(value, bool):
        return "boolean" in wanted
    return any(isinstance(value, JSON_TYPES.get(name, ())) for name in wanted)


# -- routes ---------------------------------------------------------------------------------------------------
def _opened(instance: str, repo: str, draft_id: str) -> tuple[HostedRepository, Draft]:
    repository = _signed_in(instance, repo)
    return repository, drafting.visible_draft(site(), repository, auth.caller(), draft_id)


def _signed_in(instance: str, repo: str) -> HostedRepository:
    repository = hosted(instance, repo)
    if not auth.caller().signed_in:
        raise ApiError(401, f"Send an API token to use your drafts in {repository.instance.title}.",
                       headers={"WWW-Authenticate": auth.REALM})
    return repository


def _draft_saved(repository: HostedRepository, draft: Draft, left_out: dict[str, str], status: int):
    response = jsonify({**draft_json(repository, draft), "left_out": left_out})
    response.headers["Location"] = url_for("api.get_draft", instance=repository.instance.name,
                                           repo=repository.name, draft_id=draft.id)
    return response, status


@bp.post("/<instance>/<repo>/drafts")
def create_draft(instance: str, repo: str):
    repository = _signed_in(instance, repo)
    auth.require(repository.instance, "submit")
    values, left_out = values_for_draft(repository.rtype, read_body(("values",)))
    draft = site().drafts(repository).add(auth.caller().username, values)
    return _draft_saved(repository, draft, left_out, 201)


@bp.get("/<instance>/<repo>/drafts")
def list_drafts(instance: str, repo: str):
    """The caller's own drafts here, the last saved first."""
    repository = _signed_in(instance, repo)
    auth.require(repository.instance, "read")
    person = auth.caller()
    return {"drafts": [draft_json(repository, draft) for draft in site().drafts(repository).owned_by(person.username)
                       if drafting.may_see(person, repository, draft)]}


@bp.get("/<instance>/<repo>/drafts/<draft_id>")
def get_draft(instance: str, repo: str, draft_id: str):
    repository, draft = _opened(instance, repo, draft_id)
    return draft_json(repository, draft)


@bp.put("/<instance>/<repo>/drafts/<draft_id>")
def update_draft(instance: str, repo: str, draft_id: str):
    """Replace the draft's values with those sent, from the ``version`` read (409 when it has moved on)."""
    repository, draft = _opened(instance, repo, draft_id)
    body = read_body(("version", "values"))
    expected = version_from(body)
    values, left_out = values_for_draft(repository.rtype, body)
    saved = site().drafts(repository).update(draft.id, values, expected_version=expected)
    return _draft_saved(repository, saved, left_out, 200)


@bp.delete("/<instance>/<repo>/drafts/<draft_id>")
def delete_draft(instance: str, repo: str, draft_id: str):
    repository, draft = _opened(instance, repo, draft_id)
    site().drafts(repository).delete(draft.id)
    return Response(status=204)


@bp.post("/<instance>/<repo>/drafts/<draft_id>/submit")
def submit_draft(instance: str, repo: str, draft_id: str):
    """Make the record, as ``POST .../records`` does (422 naming each field a rule refuses, the draft kept).
    Sent again after it succeeded, the record it made, with ``Idempotent-Replayed: true``."""
    try:
        repository, draft = _opened(instance, repo, draft_id)
    except DraftNotFound:
        repository = hosted(instance, repo)
        made = drafting.submitted_as(site(), repository, draft_id)
        if made is None or not can(auth.caller(), repository.instance, "read"):
            raise
        return _created(repository, made, replayed=True)
    done = drafting.submit(site(), repository, draft, user=auth.caller().username)
    return _created(repository, done.record, done.replayed)


def _created(repository: HostedRepository, record: Record, replayed: bool):
    found = site().store(repository).attachments(record.reference)
    response = jsonify({**record_json(repository, record),
                        "attachments": [attachment_json(repository, a) for a in found]})
    response.headers["Location"] = url_for("api.get_record", instance=repository.instance.name,
                                           repo=repository.name, reference=record.reference)
    if replayed:
        response.headers[idempotency.REPLAYED] = "true"
    return response, 201


@bp.errorhandler(DraftConflict)
def _conflict(error: DraftConflict):
    repository = hosted(request.view_args["instance"], request.view_args["repo"])
    return json_error(409, str(error), current=draft_json(repository, error.current))


@bp.errorhandler(DraftTooLarge)
def _too_large(error: DraftTooLarge):
    return json_error(413, str(error))


@bp.errorhandler(TooManyDrafts)
def _too_many(error: TooManyDrafts):
    return json_error(422, str(error))


@bp.errorhandler(drafting.AlreadySubmitted)
def _already_submitted(error: drafting.AlreadySubmitted):
    return json_error(409, str(error), reference=error.reference)
