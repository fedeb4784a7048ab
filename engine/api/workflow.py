"""Workflow actions, comments and watching through the JSON API, under ``.../records/<reference>/``.

``GET .../actions`` lists the actions the caller may take now; ``POST .../actions/<action>`` takes one through
``Records.act`` (which decides who may, from which status, the fields it requires and the comment) and answers
the record as ``GET .../records/<reference>`` does. A refusal the request itself caused (its comment) is 422;
one the record's state causes (its status, a field it still needs, a newer version) is 409 with ``current``,
since the same request may succeed once the record has changed. ``.../comments`` lists and adds comments;
``PUT``/``DELETE .../watch`` starts and stops the caller watching. These routes join the API's blueprint
(importing this module adds them), so they authenticate, and answer errors, as every other API call.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from engine.api import auth
from engine.api.problems import ApiError, json_error
from engine.api.representation import attachment_json, read_body, record_json, version_from
from engine.api.routes import bp
from engine.errors import PermissionRefused, ValidationFailed
from engine.schema.model import Action
from engine.store.base import Comment, Record, Store
from engine.store.documents import stamp
from engine.web.site import HostedRepository
from engine.web.views import hosted, site
from engine.workflow.rules import MAX_COMMENT, available

def action_json(repository: HostedRepository, reference: str, action: Action) -> dict[str, Any]:
    return {"action": action.name, "slug": action.slug, "to": action.to, "comment": action.comment,
            "take": url_for("api.take_action", instance=repository.instance.name, repo=repository.name,
                            reference=reference, action=action.slug)}


def comment_json(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "by": comment.by, "at": stamp(comment.at), "text": comment.text}


def _readable(instance: str, repo: str, reference: str) -> tuple[HostedRepository, Store, Record]:
    repository = hosted(instance, repo)
    auth.require(repository.instance, "read")
    store = site().store(repository)
    return repository, store, store.get(reference)


def _signed_in(repository: HostedRepository, doing: str) -> None:
    if not auth.caller().signed_in:
        raise ApiError(401, f"Send an API token to {doing} in {repository.instance.title}.",
                       headers={"WWW-Authenticate": auth.REALM})


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiError(422, errors={key: f"{key} must be text"})
    if len(value) > MAX_COMMENT:
        raise ApiError(422, errors={key: f"Comment must be {MAX_COMMENT:,} characters or fewer"})
    return value


@bp.get("/<instance>/<repo>/records/<reference>/actions")
def list_actions(instance: str, repo: str, reference: str):
    """The actions the caller may take on the record now (none for someone signed out)."""
    repository, _, record = _readable(instance, repo, reference)
    actions = available(auth.caller(), repository.instance.name, repository.rtype, record)
    return {"reference": record.reference, "status": record.status, "version": record.version,
            "actions": [action_json(repository, record.reference, action) for action in actions]}


@bp.post("/<instance>/<repo>/records/<reference>/actions/<action>")
def take_action(instance: str, repo: str, reference: str, action: str):
    repository, store, record = _readable(instance, repo, reference)
    _signed_in(repository, "take workflow actions")
    body = read_body(("version", "comment"))
    expected = version_from(body)
    comment = _text(body, "comment")
    try:
        moved = site().records(repository).act(reference, action, actor=auth.caller(), comment=comment,
                                               expected_version=expected)
    except ValidationFailed as failed:
        if "comment" in failed.errors:
            raise
        current = store.get(reference)
        return json_error(409, "The record cannot take this action as it is now; nothing was changed.",
                          failed.errors, current=record_json(repository, current))
    found = store.attachments(moved.reference)
    response = jsonify({**record_json(repository, moved),
                        "attachments": [attachment_json(repository, a) for a in found]})
    response.headers["Location"] = url_for("api.get_record", instance=instance, repo=repo, reference=reference)
    return response, 200


@bp.get("/<instance>/<repo>/records/<reference>/comments")
def list_comments(instance: str, repo: str, reference: str):
    _, store, record = _readable(instance, repo, reference)
    return {"reference": record.reference, "comments": [comment_json(c) for c in store.comments(reference)]}


@bp.post("/<instance>/<repo>/records/<reference>/comments")
def add_comment(instance: str, repo: str, reference: str):
    repository, _, record = _readable(instance, repo, reference)
    _signed_in(repository, "comment on records")
    text = _text(read_body(("text",)), "text")
    try:
        made = site().records(repository).comment(record.reference, text, actor=auth.caller())
    except ValidationFailed as failed:
        raise ValidationFailed({"text": message for message in failed.errors.values()}) from None
    return comment_json(made), 201


def _watch(instance: str, repo: str, reference: str, wanted: bool):
    repository, store, record = _readable(instance, repo, reference)
    _signed_in(repository, "watch records")
    store.set_watching(record.reference, auth.caller().username, wanted)
    return {"reference": record.reference, "watching": wanted}


@bp.put("/<instance>/<repo>/records/<reference>/watch")
def watch(instance: str, repo: str, reference: str):
    return _watch(instance, repo, reference, True)


@bp.delete("/<instance>/<repo>/records/<reference>/watch")
def unwatch(instance: str, repo: str, reference: str):
    return _watch(instance, repo, reference, False)


@bp.errorhandler(PermissionRefused)
def _refused(error: PermissionRefused):
    return json_error(403, str(error))
