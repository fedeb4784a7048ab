"""Submission and edit forms: binding the generated WTForms class, reading its values back, ordering errors.

The form class comes from the field types (``kind.form_field``); what the browser posts is turned back into
stored values by ``kind.from_form`` and into uploads by ``kind.uploads``. Validation itself is the record
validator's job (through ``Records``), so that the form, imports and the API refuse exactly the same things;
here we only add the errors of values that could not even be read (a number that is not a number), and drop
fields whose ``show_when`` does not hold.

Labels say "(optional)" on the fields that may be left empty, as the NHS.UK design system asks
(``optional_marks``): never on a required field, nor on a single yes/no checkbox (the type says: it is
answered either way), nor on a field shown only when it is required (its ``show_when`` and ``required_when``
the same condition, as "Other method" is). Any other field required only under a condition is marked while its
condition does not hold for the values the form holds, and engine.js takes the mark away as soon as the person's
answers make it hold: the mark carries the opposite of the condition, which engine.js decides as it decides
``show_when``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Form

from engine.errors import EditConflict
from engine.fields.values import without_controls
from engine.merging import Edit, changed_names, divide
from engine.store.base import Record, Upload
from engine.web.columns import label_of
from engine.web.site import HostedRepository, form_fields

def blank_form(hosted: HostedRepository) -> Form:
    """The new-record form, holding each field's ``default``."""
    data = {f.name: f.kind.to_form(f, f.default) for f in form_fields(hosted.rtype) if f.default is not None}
    return hosted.form_class(data=data)


def record_form(hosted: HostedRepository, values: Mapping[str, Any]) -> Form:
    """The edit form holding ``values`` (a record's, or a record's with a person's changes over them)."""
    data = {f.name: f.kind.to_form(f, values.get(f.name)) for f in form_fields(hosted.rtype)}
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

    A field hidden by its ``show_when`` is stored empty, as the browser showed it (``Records`` drops it on
    every path); a value it could not read does not matter then.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form_fields(hosted.rtype):
        bound = form[field.name]
        if bound.process_errors:
            errors[field.name] = str(bound.process_errors[0])
        values[field.name] = field.kind.from_form(field, bound.data)
    for name in hosted.validator.hidden({**values, **dict.fromkeys(errors, "?")}, status):
        values[name] = None
        errors.pop(name, None)
    return values, errors


@dataclass(frozen=True)
class OptionalMark:
    """The "(optional)" after a field's label: ``hidden`` as the page is served, and ``shown_when`` (JSON for
    engine.js, empty when the mark never changes) the condition under which it is shown as answers change."""
    hidden: bool = False
    shown_when: str = ""


def optional_marks(hosted: HostedRepository, form: Form, status: str) -> dict[str, OptionalMark]:
    """By field name, the mark of each field of the form that may be left empty (see the module's words)."""
    rtype = hosted.rtype
    values = {f.name: f.kind.from_form(f, form[f.name].data) for f in form_fields(rtype)}
    marks = {}
    for field in form_fields(rtype):
        if field.required or not field.kind.marked_optional or \
                (field.required_when is not None and field.required_when == field.show_when):
            continue
        if field.required_when is None:
            marks[field.name] = OptionalMark()
        else:
            marks[field.name] = OptionalMark(hidden=hosted.validator.required(field, values, status),
                                             shown_when=json.dumps(negated(field.required_when.as_json())))
    return marks


#: Each term's operator and the one that holds exactly when it does not.
_OPPOSITES = {"in": "not_in", "not_in": "in", "empty": "filled", "filled": "empty"}
_COMPARED = {"greater_than": "at_most", "less_than": "at_least", "at_least": "less_than",
             "at_most": "greater_than"}


def negated(condition: Mapping[str, Any]) -> dict[str, Any]:
    """The opposite of a condition in its browser form (``Condition.as_json``): ``all`` becomes ``any`` of the
    opposites and the other way round; an empty value is never more or less than anything, so the opposite
    of a comparison also holds for an empty field."""
    if "all" in condition:
        return {"any": [negated(part) for part in condition["all"]]}
    if "any" in condition:
        return {"all": [negated(part) for part in condition["any"]]}
    op = condition["op"]
    if op in _OPPOSITES:
        return {**condition, "op": _OPPOSITES[op]}
    return {"any": [{"field": condition["field"], "op": "empty", "values": []},
                    {**condition, "op": _COMPARED[op]}]}


def uploads_from(hosted: HostedRepository, form: Form) -> dict[str, list[Upload]]:
    """Files chosen in the form's file inputs, by field name (the field types say which inputs carry files)."""
    uploads = {f.name: f.kind.uploads(f, form[f.name].data) for f in form_fields(hosted.rtype)}
    return {name: files for name, files in uploads.items() if files}


@dataclass(frozen=True)
class Problem:
    anchor: str         # the id of the input the error summary links to
    message: str


def ordered_problems(hosted: HostedRepository, errors: Mapping[str, str]) -> tuple[Problem, ...]:
    """Errors in the order the form shows its fields (the choices between two people's versions first, then
    the edit form's status), then the rest."""
    shown = [f.name for _, fields in hosted.form_groups for f in fields]
    order = [name for name in errors if name.startswith(RESOLVE)] + ["status"] + shown + \
        [f.name for f in hosted.rtype.fields if f.name not in shown]
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


# -- two people's changes to one field ------------------------------------------------------------------------
RESOLVE = "resolve-"
CONFLICTING = "conflicting"


@dataclass(frozen=True)
class Overlap:
    """A field both people changed: what they saved and what this person gave, to choose between."""
    name: str
    label: str
    theirs: str
    yours: str


def conflict_choices(hosted: HostedRepository, posted: MultiDict) -> tuple[dict[str, str], dict[str, str]]:
    """For each field the conflict page asked about, 'theirs' or 'mine'; and an error for each not chosen."""
    chosen, unchosen = {}, {}
    for name in dict.fromkeys(posted.getlist(CONFLICTING)):
        if name != "status" and name not in hosted.rtype.field_map:
            continue
        choice = posted.get(RESOLVE + name)
        if choice in ("theirs", "mine"):
            chosen[name] = choice
        else:
            unchosen[RESOLVE + name] = f"Choose which version of {label_of(hosted.rtype, name).lower()} to keep"
    return chosen, unchosen


def with_theirs(values: Mapping[str, Any], current: Record, chosen: Mapping[str, str]) -> dict[str, Any]:
    """The posted values, with the other person's value for each field where that was chosen."""
    return {**values, **{name: current.values.get(name) for name, choice in chosen.items()
                         if choice == "theirs" and name != "status"}}


def combined(hosted: HostedRepository, store, form: Form, status: str, conflict) -> tuple[dict, str, tuple]:
    """For the conflict page: the record as it is now with this person's changes over it, the status to show,
    and the fields both changed. When the version they started from is unknown, each of their values that
    differs from the record now is one to choose."""
    current = conflict.current
    values, _ = read_values(hosted, form, status)
    edit = Edit(values, status)
    try:
        mine, both = divide(hosted.rtype, store, current, edit, conflict.expected_version)
    except EditConflict:
        mine = edit
        both = tuple(sorted(changed_names(hosted.rtype, current, values, status)))
    shown_status = mine.status or current.status
    overlap = tuple(_overlap(hosted, name, current, values, status) for name in both)
    return {**current.values, **mine.values}, shown_status, overlap


def overlap_shown(hosted: HostedRepository, current: Record, chosen: Mapping[str, str],
                  posted: MultiDict) -> tuple[Overlap, ...]:
    """The choices to show again when a save from the conflict page was refused (one was not made)."""
    names = [name for name in dict.fromkeys(posted.getlist(CONFLICTING))
             if name == "status" or name in hosted.rtype.field_map]
    if not names:
        return ()
    form = posted_form(hosted, posted, MultiDict())
    status = posted.get("status", current.status)
    values, _ = read_values(hosted, form, status)
    return tuple(_overlap(hosted, name, current, values, status) for name in names)


def _overlap(hosted: HostedRepository, name: str, current: Record, values: Mapping[str, Any],
             status: str) -> Overlap:
    if name == "status":
        return Overlap(name, "Status", current.status, status)
    field = hosted.rtype.field_map[name]
    shown = lambda value: field.kind.display_text(field, value) or "(left empty)"  # noqa: E731
    return Overlap(name, field.label, shown(current.values.get(name)), shown(values.get(name)))
