"""A record's workflow actions, its discussion and who watches it: the pages of docs/workflow.md.

``GET .../actions/<action>`` asks the person to confirm an action (with a comment box when the action takes
one); the ``POST`` takes it through ``Records.act``, which decides everything (who may, from which status,
the fields it requires, the comment). ``POST .../comments`` adds a comment through ``Records.comment``, and
``POST .../watch`` starts or stops the person watching the record. Views here only ask and show: the rules
live in ``engine.workflow.rules`` and ``engine.records``.

The record page, its history and this blueprint's pages read the same few things (the actions a person may
take, whether they watch, the discussion), given to every template by ``_helpers``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.access import can
from engine.errors import ActionNotFound, EditConflict, PermissionRefused, ValidationFailed
from engine.records import with_title
from engine.schema.model import Action
from engine.store.base import Comment, Record, Store, Version
from engine.web.auth.redirects import sign_in_first
from engine.web.site import HostedRepository
from engine.web.views import current_user, hosted, require, site
from engine.workflow.rules import available, missing_requirements, may_act, refusals, who_words

bp = Blueprint("workflow", __name__)


# -- what the record page, its history and these pages show ---------------------------------------------------
@dataclass(frozen=True)
class Moment:
    """One entry of a record's history page: a version or a comment, at the time it was made."""
    at: datetime
    version: Version | None = None
    comment: Comment | None = None


def actions_for(repository: HostedRepository, record: Record) -> list[Action]:
    """The actions the person signed in may take on ``record`` now (``engine.workflow.rules.available``)."""
    return available(current_user(), repository.instance.name, repository.rtype, record)


def watching(repository: HostedRepository, record: Record) -> bool:
    person = current_user()
    return person.signed_in and person.username in site().store(repository).watchers(record.reference)


def discussion(repository: HostedRepository, record: Record) -> list[Comment]:
    return site().store(repository).comments(record.reference)


def may_comment(repository: HostedRepository) -> bool:
    """Everyone signed in who may read the record may comment on it, and watch it."""
    person = current_user()
    return person.signed_in and can(person, repository.instance, "read")


def timeline(repository: HostedRepository, record: Record, versions: list[Version]) -> list[Moment]:
    """The versions (newest first, as given) with the record's comments among them by time."""
    moments = [Moment(v.record.updated, version=v) for v in versions]
    moments += [Moment(c.at, comment=c) for c in discussion(repository, record)]
    return sorted(moments, key=lambda m: (m.at, m.version.record.version if m.version else 0), reverse=True)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"actions_for": actions_for, "watching": watching, "discussion": discussion,
            "may_comment": may_comment, "timeline": timeline}


# -- routes ---------------------------------------------------------------------------------------------------
def _opened(instance: str, repo: str, reference: str) -> tuple[HostedRepository, Store, Record]:
    """As the record page opens a record: the read check first, so nobody learns which references exist."""
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    store = site().store(repository)
    return repository, store, store.get(reference)


def _signed_in() -> None:
    if not current_user().signed_in:
        sign_in_first()


def _action(repository: HostedRepository, slug: str) -> Action:
    action = repository.rtype.workflow.action(slug) if repository.rtype.workflow else None
    if action is None:
        raise ActionNotFound(f"{repository.rtype.title_plural} have no action “{slug}”.")
    return action


def _record_url(repository: HostedRepository, reference: str) -> str:
    return url_for("records.show", instance=repository.instance.name, repo=repository.name, reference=reference)


def _action_page(repository: HostedRepository, record: Record, action: Action, *, errors=None, comment: str = "",
                 version: int | None = None, code: int = 200):
    """The confirm page: what the action does, the fields it still needs, the comment box, the button."""
    errors = dict(errors or {})
    stuck = refusals(repository.rtype, action, record, "")
    edit = f"{_record_url(repository, record.reference)}/edit"
    problems = [(_anchor(repository, name, edit), message) for name, message in errors.items()]
    html = _render(repository, record=record, action=action, errors=errors, problems=problems,
                       comment=comment, version=record.version if version is None else version,
                       wrong_status=stuck.get("status"), edit_url=edit,
                       missing=missing_requirements(repository.rtype, action, record.values))
    return html, code


def _render(repository: HostedRepository, **context) -> str:
    """``action.html`` with what every repository page is given (``render_page``'s context)."""
    return render_template("action.html", hosted=repository, instance=repository.instance, rtype=repository.rtype,
                           **context)


def _anchor(repository: HostedRepository, name: str, edit: str) -> str:
    """Where a problem's link goes: the comment box, the field on the edit form, or the page's top."""
    if name == "comment":
        return "#comment"
    if name in repository.rtype.field_map:
        return f"{edit}#field-{name}"
    return "#action-form"


@bp.get("/<instance>/<repo>/<reference>/actions/<action>")
def confirm(instance: str, repo: str, reference: str, action: str):
    repository, _, record = _opened(instance, repo, reference)
    chosen = _action(repository, action)
    _signed_in()
    if not may_act(current_user(), repository.instance.name, chosen, record):
        abort(403, _refused_words(repository, chosen, record))
    return _action_page(repository, record, chosen)


def _refused_words(repository: HostedRepository, action: Action, record: Record) -> str:
    """As ``Records.act`` words it: who may, what, on which record."""
    rtype = repository.rtype
    return f"Only {who_words(rtype, action)} can use {action.name} on {with_title(rtype, record)}."


@bp.post("/<instance>/<repo>/<reference>/actions/<action>")
def act(instance: str, repo: str, reference: str, action: str):
    repository, _, record = _opened(instance, repo, reference)
    chosen = _action(repository, action)
    _signed_in()
    comment = request.form.get("comment", "")
    raw = request.form.get("version", "")
    if not raw.isdigit():
        abort(400, "The form was missing the version of the record. Open the record and try again.")
    try:
        moved = site().records(repository).act(reference, chosen.slug, actor=current_user(), comment=comment,
                                               expected_version=int(raw))
    except PermissionRefused as refused:
        abort(403, str(refused))
    except ValidationFailed as failed:
        return _action_page(repository, record, chosen, errors=failed.errors, comment=comment, code=400)
    except EditConflict as conflict:
        changed = {"version": f"{reference} was changed by {conflict.current.updated_by} while you had this page "
                              "open: check the record, then confirm again"}
        return _action_page(repository, conflict.current, chosen, errors=changed, comment=comment, code=409)
    flash(f"{chosen.name}: {moved.reference} is now {moved.status}.")
    return redirect(_record_url(repository, reference))


@bp.post("/<instance>/<repo>/<reference>/comments")
def add_comment(instance: str, repo: str, reference: str):
    repository, _, record = _opened(instance, repo, reference)
    _signed_in()
    text = request.form.get("comment", "")
    try:
        site().records(repository).comment(reference, text, actor=current_user())
    except ValidationFailed as failed:
        problems = [("#comment", message) for message in failed.errors.values()]
        return _render(repository, record=record, action=None, errors=failed.errors,
                           problems=problems, comment=text, version=record.version, wrong_status=None,
                           edit_url="", missing={}), 400
    except PermissionRefused as refused:
        abort(403, str(refused))
    flash(f"Your comment on {reference} has been added.")
    return redirect(f"{_record_url(repository, reference)}#discussion")


@bp.post("/<instance>/<repo>/<reference>/watch")
def watch(instance: str, repo: str, reference: str):
    repository, store, record = _opened(instance, repo, reference)
    _signed_in()
    wanted = request.form.get("watch", "1") != "0"
    store.set_watching(record.reference, current_user().username, wanted)
    flash(f"You are watching {reference}: you will be told of its actions, comments and edits." if wanted
          else f"You have stopped watching {reference}.")
    return redirect(_record_url(repository, reference))
