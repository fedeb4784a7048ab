"""Submission and edit forms: binding the generated WTForms class, reading its values back, ordering errors.

The form class comes from the field types (``kind.form_field``); what the browser posts is turned back into
stored values by ``kind.from_form`` and into uploads by ``kind.uploads``. Validation itself is the record
validator's job (through ``Records``), so that the form, imports and the API refuse exactly the same things;
here we only add the errors of values that could not even be read (a number that is not a number), and drop
fields whose ``show_when`` does not hold.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Form

from engine.fields.values import without_controls
from engine.store.base import Record, Upload
from engine.web.columns import label_of
from engine.web.site import HostedRepository

def blank_form(hosted: HostedRepository) -> Form:
    """The new-record form, holding each field's ``default``."""
    data = {f.name: f.kind.to_form(f, f.default) for f in hosted.rtype.fields if f.default is not None}
    return hosted.form_class(data=data)


def record_form(hosted: HostedRepository, record: Record) -> Form:
    data = {f.name: f.kind.to_form(f, record.values.get(f.name)) for f in hosted.rtype.fields}
    return hosted.form_class(data=data)


def posted_form(hosted: HostedRepository, form: MultiDict, files: MultiDict) -> Form:
    """The form as posted, without control characters (``without_controls``, the rule every write keeps),
    dropped before the fields read it so that a date or a number with one in it reads as it shows: fields and
    files together, as the file fields read their uploads from it."""
    cleaned = MultiDict((name, without_controls(value)) for name, value in form.items(multi=True))
    return hosted.form_class(formdata=CombinedMultiDict((files, cleaned)))


def read_values(hosted: HostedRepository, form: Form, status: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored values a posted form stands for, and messages for values that could not be read at all
    (those name the field's label already: "Start date must be a real date").

    A field hidden by its ``show_when`` is stored empty, as the browser showed it.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in hosted.rtype.fields:
        bound = form[field.name]
        if bound.process_errors:
            errors[field.name] = str(bound.process_errors[0])
        values[field.name] = field.kind.from_form(field, bound.data)
    context = {**values, "status": status}
    for field in hosted.rtype.fields:
        if field.show_when is not None and not field.show_when.holds(context):
            values[field.name] = None
            errors.pop(field.name, None)
    return values, errors


def uploads_from(hosted: HostedRepository, form: Form) -> dict[str, list[Upload]]:
    """Files chosen in the form's file inputs, by field name (the field types say which inputs carry files)."""
    uploads = {f.name: f.kind.uploads(f, form[f.name].data) for f in hosted.rtype.fields}
    return {name: files for name, files in uploads.items() if files}


@dataclass(frozen=True)
class Problem:
    anchor: str         # the id of the input the error summary links to
    message: str


def ordered_problems(hosted: HostedRepository, errors: Mapping[str, str]) -> tuple[Problem, ...]:
    """Errors in the order the form shows its fields (the edit form's status comes first), then the rest."""
    order = ["status"] + [f.name for f in hosted.rtype.fields]
    known = [Problem(name, errors[name]) for name in order if name in errors]
    others = [Problem("main-form", message) for name, message in errors.items() if name not in order]
    return tuple(known + others)


@dataclass(frozen=True)
class TheirChange:
    label: str
    value: str


def changes_since(hosted: HostedRepository, versions, expected_version: int) -> tuple[TheirChange, ...]:
    """What other people saved after the editor loaded the record: each field once, with its value now."""
    latest: dict[str, Any] = {}
    for version in versions:
        if version.record.version > expected_version:
            for change in version.changes:
                latest[change.name] = change.new
    shown = []
    for name, value in latest.items():
        field = hosted.rtype.field_map.get(name)
        text = field.kind.display_text(field, value) if field else ("" if value is None else str(value))
        shown.append(TheirChange(label_of(hosted.rtype, name), text or "(left empty)"))
    return tuple(shown)
