"""Drafts on the pages: "Save as draft" on the new-record form, the draft's own form, submitting and deleting it.

A draft's form is the new-record form holding the draft's values; its buttons post back to the draft's own
address: "Save as draft" saves it again, "Submit" saves what was typed and then submits it, which runs every
rule. A draft page answers 404 to anyone who may not see the draft (see ``engine.web.drafting``).

Values the form cannot read (a date that is not a date) are left out of the draft and the person is told
which; files are never kept in a draft (they are chosen when submitting).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.errors import AttachmentRejected, ValidationFailed
from engine.store.drafts import Draft, DraftConflict, DraftNotFound, DraftRefused
from engine.web import drafting, finding, forms
from engine.web.auth.redirects import sign_in_first
from engine.web.site import HostedRepository
from engine.web.views import current_user, hosted, records, render_page, require, site, user

bp = Blueprint("drafts", __name__)
SAVE = "save_draft"             # the name of the "Save as draft" button
VERSION = "draft_version"       # the draft's version the form was opened at
CONFLICT = ("This draft was saved somewhere else (another window or device) since you opened it. The form "
            "holds your answers, which have not been saved: check them, then save again to keep yours.")


@bp.post("/<instance>/<repo>/drafts")
def create(instance: str, repo: str):
    """The new-record form's "Save as draft". Its other buttons, on that form shown again here after a
    refusal, are the new-record form's own: that post is answered as it always is."""
    if SAVE not in request.form:
        return records.new(instance, repo)
    repository = hosted(instance, repo)
    require(repository.instance, "submit")
    form = forms.posted_form(repository, request.form, request.files)
    values, left_out = _read(repository, form)
    try:
        draft = site().drafts(repository).add(user(), values)
    except DraftRefused as refused:
        return _form_page(repository, form, errors={"main-form": str(refused)}, code=400)
    return _saved(repository, draft, left_out, form)


@bp.route("/<instance>/<repo>/drafts/<draft_id>", methods=["GET", "POST"])
def show(instance: str, repo: str, draft_id: str):
    repository, draft = _opened(instance, repo, draft_id)
    if request.method == "GET":
        return _form_page(repository, forms.record_form(repository, draft.values), draft=draft)
    form = forms.posted_form(repository, request.form, request.files)
    if request.form.get("check_similar"):           # "Check for similar work" without JavaScript: no save
        similar = finding.similar_to_values(site(), current_user(), repository, request.form)
        return _form_page(repository, form, draft=draft, similar=similar)
    values, left_out = _read(repository, form)
    try:
        saved = site().drafts(repository).update(draft.id, values, expected_version=_posted_version())
    except DraftConflict as conflict:
        return _form_page(repository, form, draft=conflict.current, errors={"main-form": CONFLICT}, code=409)
    except DraftRefused as refused:
        return _form_page(repository, form, draft=draft, errors={"main-form": str(refused)}, code=400)
    if SAVE in request.form:
        return _saved(repository, saved, left_out, form)
    return _submit(repository, saved, form, values, left_out)


def _submit(repository: HostedRepository, draft: Draft, form, values: dict[str, Any], unreadable: dict):
    """Every rule, as the new-record form runs them: refused, the form again with every problem, the draft
    kept (holding what was typed); accepted, the record's page."""
    status = repository.rtype.initial_status
    try:
        if unreadable:
            dangling = site().records(repository).dangling(values)
            raise ValidationFailed({**dangling, **repository.validator.validate(values, status), **unreadable})
        done = drafting.submit(site(), repository, draft, user=user(), uploads=forms.uploads_from(repository, form))
    except ValidationFailed as failed:
        return _form_page(repository, form, draft=draft, errors=failed.errors, code=400)
    except AttachmentRejected as rejected:
        return _form_page(repository, form, draft=draft, code=400,
                          errors={next(iter(request.files), "main-form"): str(rejected)})
    except drafting.AlreadySubmitted as submitted:
        return _form_page(repository, form, draft=draft, errors={"main-form": str(submitted)}, code=409)
    return _record_page(repository, done.record, "has been saved")


@bp.get("/<instance>/<repo>/drafts/<draft_id>/delete")
def confirm_delete(instance: str, repo: str, draft_id: str):
    repository, draft = _opened(instance, repo, draft_id)
    return render_template("draft_delete.html", hosted=repository, instance=repository.instance,
                           rtype=repository.rtype, draft=draft, title=drafting.draft_title(repository, draft))


@bp.post("/<instance>/<repo>/drafts/<draft_id>/delete")
def delete(instance: str, repo: str, draft_id: str):
    repository, draft = _opened(instance, repo, draft_id)
    site().drafts(repository).delete(draft.id)
    flash(f"Your draft “{drafting.draft_title(repository, draft)}” has been deleted.")
    return redirect(url_for("mine.mine"))


def _opened(instance: str, repo: str, draft_id: str) -> tuple[HostedRepository, Draft]:
    """The repository and the draft a URL names, for someone who may see it. A draft submitted already
    sends whoever may read the instance to the record it became (a submit sent twice, an old bookmark)."""
    repository = hosted(instance, repo)
    person = current_user()
    if not person.signed_in:
        sign_in_first()
    try:
        return repository, drafting.visible_draft(site(), repository, person, draft_id)
    except DraftNotFound:
        made = drafting.submitted_as(site(), repository, draft_id)
        if made is None or request.endpoint == "drafts.delete":
            raise
        require(repository.instance, "read")
        abort(_record_page(repository, made, "is the record this draft became when it was submitted"))


def _read(repository: HostedRepository, form) -> tuple[dict[str, Any], dict[str, str]]:
    """The values a draft keeps from the posted form, and a message for each it could not read."""
    return forms.read_values(repository, form, repository.rtype.initial_status)


def _posted_version() -> int:
    raw = request.form.get(VERSION, "")
    if not raw.isdigit():
        abort(400, "The form was missing the version of the draft it saves. Open the draft and save it again.")
    return int(raw)


def _saved(repository: HostedRepository, draft: Draft, left_out: dict[str, str], form) -> Response:
    flash("Your draft has been saved. It has no reference until you submit it: find it on My submissions.")
    if left_out:
        flash("These answers could not be read and were not saved in your draft: "
              f"{'; '.join(left_out.values())}. Enter them again before you submit.", "important")
    if forms.uploads_from(repository, form):
        flash("Files are not kept in a draft: choose them again when you submit.", "important")
    return redirect(url_for("drafts.show", instance=repository.instance.name, repo=repository.name,
                            draft_id=draft.id))


def _record_page(repository: HostedRepository, record, message: str) -> Response:
    flash(f"{record.reference} {message}.")
    return redirect(url_for("records.show", instance=repository.instance.name, repo=repository.name,
                            reference=record.reference))


def _form_page(repository: HostedRepository, form, *, draft: Draft | None = None, errors=None,
               similar: tuple | None = None, code: int = 200):
    """The new-record form (holding a draft when there is one), as ``records.new`` shows it."""
    errors = errors or {}
    html = render_page(repository, "form", form=form, record=None, errors=errors, similar=similar,
                       problems=forms.ordered_problems(repository, errors), conflict=(), overlap=(), kept={},
                       status=repository.rtype.initial_status, version=None, attachments=[], draft=draft)
    return html, code
