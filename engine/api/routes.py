"""The JSON API's routes under ``/api/v1/``: one set serving every hosted repository, like the pages.

Reads reuse the browse page's query reader and the stores; every write goes through ``Records`` (the one
write path), so the API validates and keeps history exactly as the forms do. See docs/api.md.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request, url_for

from engine.access import can
from engine.api import auth, idempotency, openapi
from engine.api.problems import ApiError, json_error
from engine.api.query import read_per_page, read_query, refused, repeated
from engine.api.representation import (attachment_json, conflict_json, dropped_json, match_json, read_body,
                                       record_json, status_from, values_from, version_from, version_json)
from engine.errors import DataDamaged, EditConflict, IdempotencyKeyReused, NotFound, OutOfSpace, ValidationFailed
from engine.fields.values import lower_first
from engine.store.base import Page, Record, Store
from engine.search.parse import parse
from engine.web import errors as pages, finding, unreadable
from engine.web.site import HostedRepository
from engine.web.views import attachments, hosted, site

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)
OPENAPI_KEY = "repo_engine_openapi"
SEARCH_PER_PAGE = 20
#: The trust-wide search's parameters that take one value (``per_page`` is read by ``read_per_page``).
SEARCH_ONCE = ("q", "state", "page")


@bp.record_once
def _describe(state) -> None:
    """The OpenAPI description is built once, from the project loaded at start-up."""
    app = state.app
    app.extensions[OPENAPI_KEY] = openapi.describe(app.extensions["repo_engine"])


@bp.get("/openapi.json")
def description():
    """The instances the caller may read, described: the same token opens the description and the data."""
    return current_app.extensions[OPENAPI_KEY].for_caller(auth.caller(), request.script_root or "/")


@bp.get("/")
def index():
    user = auth.caller()
    return {"instances": [
        {"name": instance.name, "title": instance.title, "description": instance.description,
         "organisation": instance.organisation,
         "repositories": [{"name": rtype.name, "title": rtype.title, "title_plural": rtype.title_plural,
                           "description": rtype.description,
                           "records": url_for("api.list_records", instance=instance.name, repo=rtype.name)}
                          for rtype in instance.repositories]}
        for instance in site().project.instances.values() if can(user, instance, "read")
    ]}


def _readable(instance: str, repo: str) -> tuple[HostedRepository, Store]:
    repository = hosted(instance, repo)
    auth.require(repository.instance, "read")
    return repository, site().store(repository)


def _page_link(page: Page, number: int) -> str | None:
    if not 1 <= number <= page.pages or number == page.page:
        return None
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(number))]
    return f"{request.script_root}{request.path}?{urlencode(pairs)}"


@bp.get("/<instance>/<repo>/records")
def list_records(instance: str, repo: str):
    repository, store = _readable(instance, repo)
    page = store.query(read_query(repository, request.args))
    return {"records": [_listed(repository, page, record) for record in page.records], "total": page.total,
            "page": page.page, "per_page": page.per_page, "pages": page.pages,
            "next": _page_link(page, page.page + 1), "previous": _page_link(page, page.page - 1)}


def _listed(repository: HostedRepository, page: Page, record: Record) -> dict:
    """A record of a list; for a search, with how well it matched and why."""
    body = record_json(repository, record)
    if record.reference in page.scores:
        body["match"] = match_json(page.scores[record.reference], page.snippets.get(record.reference))
    return body


@bp.get("/search")
def search_trust():
    """The trust-wide search of /search, as JSON: every repository the caller may read, ranked as one list."""
    asked = finding.read_trust_query(request.args)
    problems = dict(asked.problems)
    per_page = read_per_page(request.args.getlist("per_page"), SEARCH_PER_PAGE, problems)
    if not asked.q:
        problems["q"] = "Give the words to search for"
    # As on the list: a URL saying two things is not guessed at (the page would take one of them).
    problems.update(repeated(request.args, SEARCH_ONCE))
    if problems:
        raise refused(problems)
    results = finding.search_trust(site(), auth.caller(), parse(asked.q, site().project.thesaurus),
                                   chosen=asked.chosen, state=asked.state, page=asked.page, per_page=per_page)
    return {"records": [_hit_json(hit) for hit in results.hits], "total": results.total, "page": results.page,
            "per_page": results.per_page, "pages": results.pages, "suggestion": results.suggestion,
            "facets": {finding.PARAMETERS[name]: [{"value": key, "label": label, "count": count}
                                                    for key, label, count in buckets]
                       for name, buckets in results.facets.items()},
            "left_out": [{"instance": unread.hosted.instance.name, "repository": unread.hosted.name,
                          "message": unread.sentence} for unread in unreadable.left_out()]}


def _hit_json(hit) -> dict:
    names = {"instance": hit.hosted.instance.name, "repo": hit.hosted.name, "reference": hit.record.reference}
    return {"instance": hit.hosted.instance.name, "repository": hit.hosted.name,
            "reference": hit.record.reference, "title": hit.title, "status": hit.record.status,
            "closed": hit.closed, "lead": hit.lead, "record": url_for("api.get_record", **names),
            "page": url_for("records.show", **names), "match": match_json(hit.score, hit.snippet)}


def _saved(repository: HostedRepository, record: Record, status: int = 200, **notes):
    """The saved record, with each of ``notes`` that has something to say (``merged``, ``dropped``)."""
    response = jsonify({**_detail(repository, record), **{key: note for key, note in notes.items() if note}})
    response.headers["Location"] = url_for("api.get_record", instance=repository.instance.name,
                                           repo=repository.name, reference=record.reference)
    return response, status


def _detail(repository: HostedRepository, record: Record) -> dict:
    found = site().store(repository).attachments(record.reference)
    return {**record_json(repository, record), "attachments": [attachment_json(repository, a) for a in found]}


@bp.post("/<instance>/<repo>/records")
def create_record(instance: str, repo: str):
    """Add a record; sent again with the same ``Idempotency-Key``, the record the first create made, 201 and
    ``Idempotent-Replayed: true`` (see ``engine.api.idempotency``)."""
    repository = hosted(instance, repo)
    auth.require(repository.instance, "submit")
    user = auth.caller().username
    key = idempotency.asked_key(user)
    body = read_body(("status", "values"))
    status = status_from(body, repository.rtype)
    if status not in (None, repository.rtype.initial_status):
        auth.require(repository.instance, "change_status")
    values = values_from(repository.rtype, body)
    replayed = key is not None and site().store(repository).created_with(key) is not None
    try:
        record = site().records(repository).create(values, user=user, status=status,
                                                   idempotency=idempotency.idempotency(key, body))
    except ValidationFailed as failed:
        raise ValidationFailed(_files_said(repository, failed.errors)) from None
    response, code = _saved(repository, record, 201, dropped=dropped_json(repository, values, record))
    if replayed:
        response.headers[idempotency.REPLAYED] = "true"
    return response, code


def needs_file_message(repository: HostedRepository, label: str) -> str:
    """Why a JSON create cannot give a file field, and where the record can be made instead."""
    page = url_for("records.new", instance=repository.instance.name, repo=repository.name)
    return (f"{label} needs a file, which a JSON body cannot carry: add this {lower_first(repository.rtype.title)} "
            f"on its page, {page}")


def _files_said(repository: HostedRepository, errors: dict[str, str]) -> dict[str, str]:
    """A create's refusals, a file field's said as ``needs_file_message``: the form's "Upload ..." names a
    control no API client has."""
    fields = repository.rtype.field_map
    return {name: needs_file_message(repository, fields[name].label)
            if name in fields and fields[name].kind.holds_files else message for name, message in errors.items()}


@bp.get("/<instance>/<repo>/records/<reference>")
def get_record(instance: str, repo: str, reference: str):
    repository, store = _readable(instance, repo)
    return _detail(repository, store.get(reference))


@bp.patch("/<instance>/<repo>/records/<reference>")
def update_record(instance: str, repo: str, reference: str):
    repository, store = _readable(instance, repo)
    record = store.get(reference)
    if not any(can(auth.caller(), repository.instance, action, record.created_by)
               for action in ("edit", "change_status")):
        auth.require(repository.instance, "edit", record.created_by)
    body = read_body(("version", "status", "values"))
    expected = version_from(body)
    status = status_from(body, repository.rtype)
    values = values_from(repository.rtype, body)
    if values or status in (None, record.status):
        auth.require(repository.instance, "edit", record.created_by)
    if status not in (None, record.status):
        auth.require(repository.instance, "change_status")
    saved = site().records(repository).update(reference, values, user=auth.caller().username,
                                              expected_version=expected, status=status)
    # Started from an older version, the change was merged over the saves made since.
    return _saved(repository, saved, merged=saved.version > expected + 1,
                  dropped=dropped_json(repository, values, saved))


@bp.post("/<instance>/<repo>/records/<reference>/history/<int:number>/restore")
def restore_version(instance: str, repo: str, reference: str, number: int):
    """Make an earlier version the current one again (a new version, "restored version N")."""
    repository, store = _readable(instance, repo)
    record = store.get(reference)
    auth.require(repository.instance, "edit", record.created_by)
    expected = version_from(read_body(("version",)))
    saved = site().records(repository).restore_version(reference, number, user=auth.caller().username,
                                                       expected_version=expected)
    return _saved(repository, saved)


@bp.get("/<instance>/<repo>/records/<reference>/history")
def record_history(instance: str, repo: str, reference: str):
    repository, store = _readable(instance, repo)
    store.get(reference)
    return {"reference": reference,
            "versions": [version_json(repository, version) for version in store.history(reference)]}


@bp.get("/<instance>/<repo>/records/<reference>/attachments/<attachment_id>")
def attachment(instance: str, repo: str, reference: str, attachment_id: str):
    _readable(instance, repo)
    return attachments.download(instance, repo, reference, attachment_id)


@bp.errorhandler(ApiError)
def _refused(error: ApiError):
    return error.response()


@bp.errorhandler(NotFound)
def _not_found(error: NotFound):
    return json_error(404, str(error))


@bp.errorhandler(ValidationFailed)
def _invalid(error: ValidationFailed):
    return json_error(422, None, error.errors)


@bp.errorhandler(EditConflict)
def _conflict(error: EditConflict):
    """Changes that could not merge: ``errors`` and ``conflicts`` name each field both changed."""
    repository = hosted(request.view_args["instance"], request.view_args["repo"])
    errors = {name: f"Changed by {error.current.updated_by} since version {error.expected_version}: send it "
                    f"again from version {error.current.version} with the value to keep" for name in error.fields}
    return json_error(409, str(error), errors, current=record_json(repository, error.current),
                      conflicts=conflict_json(repository, error))


@bp.errorhandler(IdempotencyKeyReused)
def _key_reused(error: IdempotencyKeyReused):
    return json_error(422, str(error))


# Damaged data (503) and a full disk (507): the site's own handlers, which log them and answer JSON here.
bp.register_error_handler(DataDamaged, pages.unavailable)
bp.register_error_handler(OutOfSpace, pages.out_of_space)
