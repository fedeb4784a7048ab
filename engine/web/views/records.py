"""Submit, show, edit and the history of one record. New and edit share one save path and one form template.

A record page lists the records that refer to it ("Referenced by"), and offers "Back to results" when the
person came from a search or filters of its browse page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, flash, redirect, request, url_for

from engine.errors import AttachmentRejected, EditConflict, ValidationFailed
from engine.fields.values import lower_first
from engine.merging import changed_names
from engine.review.pages import record_review
from engine.schema.model import Field
from engine.store.base import Query, Record, Store
from engine.web import forms
from engine.web.site import HostedRepository
from engine.web import finding
from engine.web.unreadable import read_or
from engine.web.views import current_user, hosted, render_page, require, site, user

bp = Blueprint("records", __name__)


def _save(repository: HostedRepository, form, status: str, write: Callable[[dict, dict], Record],
          extra: dict[str, str] | None = None, before: Record | None = None):
    """Write through ``Records``; returns the saved record, or None and the errors by field name. When the
    form itself has problems, every other problem the save would find (its files', its values' and its
    rules') is listed with them, so nobody fixes one round only to meet the next."""
    values, errors = forms.read_values(repository, form, status)
    errors.update(extra or {})
    uploads = forms.uploads_from(repository, form)
    try:
        if errors:
            raise ValidationFailed({**_problems(repository, values, status, uploads, before), **errors})
        return write(values, uploads), {}
    except ValidationFailed as failed:
        return None, failed.errors
    except AttachmentRejected as rejected:
        return None, {next(iter(request.files), "main-form"): str(rejected)}


def _problems(repository: HostedRepository, values: dict, status: str, uploads, before: Record | None):
    """What ``Records`` would refuse in a save of ``values`` and ``uploads``, without saving anything."""
    records = site().records(repository)
    changed = changed_names(repository.rtype, before, values, status) if before else None
    found = repository.validator.validate({**(before.values if before else {}), **values}, status,
                                          changed=changed)
    dangling = records.dangling(values, before.values if before else None)
    return {**dangling, **found, **records.refused_uploads(uploads, user=user())}


def _form_page(repository: HostedRepository, form, *, record: Record | None = None, errors=None,
               status: str | None = None, version: int | None = None, conflict=(), overlap=(), code: int = 200,
               similar: tuple | None = None):
    attachments = site().store(repository).attachments(record.reference) if record else []
    kept = repository.validator.kept(record.values) if record else {}
    html = render_page(repository, "form", form=form, record=record, errors=errors or {}, similar=similar,
                       problems=forms.ordered_problems(repository, errors or {}), conflict=conflict,
                       overlap=overlap, kept=kept, status=status or repository.rtype.initial_status,
                       version=version, attachments=attachments)
    return html, code


def _saved(repository: HostedRepository, record: Record, message: str):
    flash(f"{record.reference} {message}.")
    return redirect(url_for("records.show", instance=repository.instance.name, repo=repository.name,
                            reference=record.reference))


@bp.route("/<instance>/<repo>/new", methods=["GET", "POST"])
def new(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "submit")
    if request.method == "GET":
        site().store(repository).count()    # damaged data: the 503 page now, not once the form is filled in
        return _form_page(repository, forms.blank_form(repository))
    form = forms.posted_form(repository, request.form, request.files)
    if request.form.get("check_similar"):           # "Check for similar work" without JavaScript: no save
        return _form_page(repository, form, similar=finding.similar_to_values(site(), current_user(), repository, request.form))
    create = site().records(repository).create
    record, errors = _save(repository, form, repository.rtype.initial_status,
                           lambda values, uploads: create(values, user=user(), uploads=uploads))
    if record is None:
        return _form_page(repository, form, errors=errors, code=400)
    return _saved(repository, record, "has been saved")


def _opened(instance: str, repo: str, reference: str) -> tuple[HostedRepository, Store, Record]:
    """The repository a URL names, its store and the record (404 pages for any of them missing), for someone
    who may read it: the check comes first, so nobody learns which references exist where they cannot read."""
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    store = site().store(repository)
    return repository, store, store.get(reference)


@bp.get("/<instance>/<repo>/<reference>")
def show(instance: str, repo: str, reference: str):
    repository, store, record = _opened(instance, repo, reference)
    attachments = {a.id: a for a in store.attachments(reference)}
    return render_page(repository, "record", record=record, attachments=attachments,
                       related=finding.related(site(), current_user(), repository, record),
                       referenced_by=_referrers(repository, record), results=_results(repository),
                       review=record_review(repository.rtype, store, record, date.today()))


#: The records of one repository listed under "Referenced by" (the most recently updated); a link finds the rest.
REFERRERS_SHOWN = 10


@dataclass(frozen=True)
class Referrers:
    """The records of ``hosted`` whose reference ``field`` names one record: the first ``records`` of ``total``;
    ``query`` is the browse page's query string that finds them all."""
    hosted: HostedRepository
    field: Field
    reference: str
    records: tuple[Record, ...]
    total: int

    @property
    def heading(self) -> str:
        """'Clinical audits whose earlier audit cycle is CA-0003', worded by the field's type."""
        wanted = self.field.kind.describe_filter(self.field, self.reference)
        return f"{self.hosted.rtype.title_plural} whose {lower_first(self.field.label)} {wanted}"

    @property
    def query(self) -> str:
        return urlencode({self.field.name: self.reference})


def _referrers(repository: HostedRepository, record: Record) -> tuple[Referrers, ...]:
    """Per reference field that targets this record's type, in the instance's repositories (a reference never
    crosses instances), the records naming it: each store answers its own query, filtered on the field, so
    the cost is the records shown, not the size of the repositories. One whose data cannot be read is left
    out, and the page says so."""
    found = []
    for other in site().hosted_in(repository.instance):
        for field in other.rtype.fields:
            if field.target != repository.name:
                continue
            query = Query(filters={field.name: (record.reference,)}, sort="-updated", per_page=REFERRERS_SHOWN)
            page = read_or(other, lambda hosted, query=query: site().store(hosted).query(query), None)
            if page is not None and page.total:
                found.append(Referrers(other, field, record.reference, page.records, page.total))
    return tuple(found)


def _results(repository: HostedRepository) -> str | None:
    """The browse page the person came from, with its search, filters, sort and page, for "Back to results";
    None when they came from anywhere else, or from it with no query. Only what the browser says it came from
    within this site (its Referer, which the site's policy keeps to the same origin) is read, and only when it
    is this repository's browse page; the address is then made here, our path with the query re-encoded, so
    no value can make it lead anywhere else."""
    came_from = urlsplit(request.referrer or "")
    browse = url_for("browse.browse", instance=repository.instance.name, repo=repository.name)
    if came_from.scheme not in ("http", "https") or came_from.netloc != request.host or came_from.path != browse:
        return None
    query = urlencode(parse_qsl(came_from.query))
    return f"{browse}?{query}" if query else None


def _posted_version() -> int:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        abort(400, "The form was missing the version of the record it edits. Open the record and edit it again.")
    return int(raw)


@bp.route("/<instance>/<repo>/<reference>/edit", methods=["GET", "POST"])
def edit(instance: str, repo: str, reference: str):
    repository, store, record = _opened(instance, repo, reference)
    require(repository.instance, "edit", record.created_by)
    if request.method == "GET":
        return _form_page(repository, forms.record_form(repository, record.values), record=record,
                          status=record.status, version=record.version)
    expected = _posted_version()
    status = request.form.get("status", record.status)
    if status != record.status:
        require(repository.instance, "change_status")
    bad_status = {} if status in repository.rtype.status_names else {"status": "Select a status"}
    form = forms.posted_form(repository, request.form, request.files)
    chosen, unchosen = forms.conflict_choices(repository, request.form)
    update = site().records(repository).update

    def write(values, uploads):
        values = forms.with_theirs(values, record, chosen)
        return update(reference, values, user=user(), expected_version=expected,
                      status=record.status if chosen.get("status") == "theirs" else status, uploads=uploads,
                      remove_attachments=tuple(request.form.getlist("remove_attachment")))
    try:
        saved, errors = _save(repository, form, status, write, {**bad_status, **unchosen}, before=record)
    except EditConflict as conflict:
        return _conflict_page(repository, form, status, conflict)
    if saved is None:
        return _form_page(repository, form, record=record, errors=errors, status=status, version=expected,
                          code=400, overlap=forms.overlap_shown(repository, record, chosen, request.form))
    merged = saved.version > expected + 1
    return _saved(repository, saved, "has been updated" + (MERGED if merged else ""))


MERGED = ". Your changes were combined with the changes saved since you opened it"


def _conflict_page(repository: HostedRepository, form, status: str, conflict: EditConflict):
    """Both people changed some fields: the form now holds their version with this person's changes over it,
    and each field both changed is shown side by side, theirs and yours, to choose from; nothing is saved."""
    current = conflict.current
    store = site().store(repository)
    theirs = forms.changes_since(repository, store.history(current.reference), conflict.expected_version)
    values, status, overlap = forms.combined(repository, store, form, status, conflict)
    return _form_page(repository, forms.record_form(repository, values), record=current, status=status,
                      version=current.version, conflict=theirs, overlap=overlap, code=409)


@bp.get("/<instance>/<repo>/<reference>/history")
def history(instance: str, repo: str, reference: str):
    repository, store, record = _opened(instance, repo, reference)
    versions = store.history(reference)
    return render_page(repository, "history", record=record, versions=list(reversed(versions)))


@bp.get("/<instance>/<repo>/<reference>/history/<int:number>")
def version(instance: str, repo: str, reference: str, number: int):
    """The record as it was at one version, with the way to restore it for those who may edit."""
    repository, store, record = _opened(instance, repo, reference)
    found = next((v for v in store.history(reference) if v.record.version == number), None)
    if found is None:
        abort(404, f"{reference} has no version {number}.")
    attachments = {a.id: a for a in store.attachments(reference)}
    return render_page(repository, "record", record=found.record, current=record, attachments=attachments,
                       related=(), referenced_by=(), results=None, as_of=found)


@bp.post("/<instance>/<repo>/<reference>/history/<int:number>/restore")
def restore_version(instance: str, repo: str, reference: str, number: int):
    repository, store, record = _opened(instance, repo, reference)
    require(repository.instance, "edit", record.created_by)
    try:
        saved = site().records(repository).restore_version(reference, number, user=user(),
                                                          expected_version=_posted_version())
    except EditConflict:
        flash(f"{reference} was changed while you were looking at version {number}: check the history and "
              "restore again if you still want to.")
        return redirect(url_for("records.history", instance=instance, repo=repo, reference=reference))
    return _saved(repository, saved, f"has been restored to version {number}")
