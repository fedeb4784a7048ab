"""Record values in the OpenAPI description: what the API takes in a body and what it gives back, each made
from the field type's own JSON Schema fragment (``kind.json_schema``, the one the validator checks with).

The fragment says what a present value may be. Around it, the rules ``RecordValidator`` adds are said in JSON
Schema too, from the same objects:
- a required field takes no empty value (what ``kind.is_empty`` calls empty: ``""``, ``[]``), any other takes
  one as ``null``; a retired field takes only ``null``, and a retired choice is no longer taken, though both
  are still given back;
- ``required_when`` and ``show_when`` (``engine.schema.conditions``) become ``if``/``then`` over a new record's
  body, whose ``status`` (absent: the type's first) sits beside its ``values``; a field ``show_when`` hides
  takes anything, since its value is left out unchecked (``dropped``);
- a draft keeps any value of the field's JSON kind, unchecked (``engine.api.drafts``).
What JSON Schema cannot say (a reference naming a live record, text compared by order, a requirement of a
change that depends on the values stored) is said in words and answered 422.
"""
from __future__ import annotations

from typing import Any, Iterable

from engine.schema.compile import STATUS
from engine.schema.conditions import AllOf, AnyOf, Condition, Term
from engine.schema.model import Field, RepositoryType

NULL = {"type": "null"}
#: A value that counts as given to a condition: no list, not null, not "" (``Term.holds``).
_GIVEN = {"type": ["string", "number", "boolean", "object"], "not": {"const": ""}}
#: ``op`` of a ``Term`` comparing with a number -> the JSON Schema keyword saying it.
_COMPARED = {"greater_than": "exclusiveMinimum", "less_than": "exclusiveMaximum", "at_least": "minimum",
             "at_most": "maximum"}


def titled(field: Field, schema: dict[str, Any], *notes: str) -> dict[str, Any]:
    """``schema`` with the field's label, its help, what JSON Schema cannot say of it (a reference naming a
    live record), and any ``notes``, as its description."""
    live = f"Each reference must name a live {field.target} record of this instance." if field.target else ""
    described = " ".join(note for note in (field.help, live, *notes) if note)
    return {"title": field.label, **({"description": described} if described else {}), **schema}


def stored(field: Field) -> dict[str, Any]:
    """A value as an answer gives it: ``null`` or the fragment."""
    schema: dict[str, Any] = {"anyOf": [field.kind.json_schema(field), NULL]}
    if field.kind.holds_files:
        schema["readOnly"] = True
    return titled(field, schema)


def sent(field: Field, *, required: bool = False) -> dict[str, Any]:
    """A value as a body may give it: the fragment (less retired choices), not empty when ``required``; else
    also ``null`` or whatever the type calls empty (``""``, ``[]``), which is saved as ``null``. A retired
    field takes ``null`` alone."""
    if field.retired:
        return titled(field, NULL, "Retired: kept on the records that hold it, no longer changed.")
    fragment = _offered(field, field.kind.json_schema(field))
    if required:
        return titled(field, {**fragment, **non_empty(field, fragment)})
    empties = [empty for empty in ("", []) if field.kind.is_empty(empty)]
    return titled(field, {"anyOf": [fragment, {"enum": [None, *empties]}]})


def kept_by_draft(field: Field) -> dict[str, Any]:
    """A value a draft holds: ``null`` or any value of the field's JSON kind (text, a number, a list of
    texts...), as ``engine.api.drafts`` keeps it, whether or not it meets the field's rules yet."""
    from engine.api.drafts import SCALARS     # drafts joins the routes, which build this description

    fragment = field.kind.json_schema(field)
    kind: dict[str, Any] = {"type": fragment.get("type", list(SCALARS))}
    if kind["type"] == "array":
        kind["items"] = {"type": fragment.get("items", {}).get("type", list(SCALARS))}
    return titled(field, {"anyOf": [kind, NULL]})


def non_empty(field: Field, fragment: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keywords refusing what the field's type calls empty (``""``, ``[]``), kept at least as strict as
    the fragment's own."""
    fragment = fragment or {}
    keywords = {}
    if field.kind.is_empty(""):
        keywords["minLength"] = max(fragment.get("minLength", 0), 1)
    if field.kind.is_empty([]):
        keywords["minItems"] = max(fragment.get("minItems", 0), 1)
    return keywords


def new_record_values(rtype: RepositoryType, fields: Iterable[Field]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A new record's ``values`` (the ``properties`` for ``fields``) and the rules over its body. A field a
    ``show_when`` may hide takes anything while hidden (its value is left out, said in ``dropped``, unchecked),
    so its own schema is a rule that holds only while it is shown."""
    always, rules = new_record_rules(rtype)
    labels = {STATUS: "Status", **{f.name: f.label for f in rtype.fields}}
    properties = {}
    for field in fields:
        schema = sent(field, required=field.name in always)
        shown = None if field.show_when is None else holds(field.show_when, rtype.initial_status)
        if shown is None or field.retired:
            properties[field.name] = schema
            continue
        when = field.show_when.describe(labels)   # type: ignore[union-attr]
        properties[field.name] = titled(field, {}, f"Taken only when {when}: otherwise left out, whatever it "
                                                   "is, and named in `dropped`.")
        own = {key: value for key, value in schema.items() if key not in ("title", "description")}
        rules.append({"if": shown, "then": {"properties": {"values": {"properties": {field.name: own}}}}})
    return properties, rules


def new_record_rules(rtype: RepositoryType) -> tuple[list[str], list[dict[str, Any]]]:
    """For a new record's body: the fields always required, and a rule for each field required only when its
    conditions hold (``required_when``; a ``show_when`` that hides it): ``if`` they hold, ``then`` the value.
    A field holding files cannot be given in a body (files come on the record's page), so a new record it
    would be required of cannot be made here: its conditions must not hold (and, required always, no body
    is valid). A condition JSON Schema cannot say leaves its field to the words of its description."""
    always, conditional = [], []
    for field in rtype.fields:
        if field.retired or not (field.required or field.required_when):
            continue
        if field.required and field.show_when is None and not field.kind.holds_files:
            always.append(field.name)
            continue
        parts = [c for c in (field.show_when, None if field.required else field.required_when) if c is not None]
        when = [holds(condition, rtype.initial_status) for condition in parts]
        if any(part is None for part in when):
            continue
        if field.kind.holds_files:
            conditional.append({"not": {"allOf": when} if when else {},
                                "description": f"{field.label} would be required: a record needing files is made "
                                               "on its page, where they are added."})
        else:
            needed = {"not": NULL, **non_empty(field)}
            conditional.append({"if": {"allOf": when}, "then": _in_values(field.name, needed)})
    return always, conditional


def holds(condition: Condition, initial_status: str) -> dict[str, Any] | None:
    """A JSON Schema over a new record's body that holds exactly when ``condition`` holds for it (see
    ``Condition.holds``); None when JSON Schema cannot say it."""
    if isinstance(condition, AllOf):            # AnyOf is an AllOf that needs only one part
        parts = [holds(part, initial_status) for part in condition.parts]
        if any(part is None for part in parts):
            return None
        return {"anyOf" if isinstance(condition, AnyOf) else "allOf": parts}
    if not isinstance(condition, Term):
        return None
    if condition.op in ("not_in", "empty"):     # the negation of in, and of filled
        positive = holds(Term(condition.name, "in" if condition.op == "not_in" else "filled", condition.values),
                         initial_status)
        return None if positive is None else {"not": positive}
    if condition.name == STATUS:
        return _status_holds(condition, initial_status)
    item = _item_holds(condition)
    return None if item is None else _in_values(condition.name, {"anyOf": [item, {"type": "array",
                                                                                  "contains": item}]})


def _status_holds(term: Term, initial_status: str) -> dict[str, Any] | None:
    """A status is always given: the body's, or the first when it has none (absent or null)."""
    if term.op == "filled":
        return {}
    if term.op != "in":
        return None
    if initial_status in term.values:
        return {"properties": {STATUS: {"enum": [*term.values, None]}}}
    return {"required": [STATUS], "properties": {STATUS: {"enum": list(term.values)}}}


def _item_holds(term: Term) -> dict[str, Any] | None:
    """Whether one item of a value (the value itself, when it is no list) passes the term."""
    if term.op == "in":
        return {"enum": list(term.values)}
    if term.op == "filled":
        return _GIVEN
    bound = term.values[0] if term.values else None
    if term.op in _COMPARED and isinstance(bound, (int, float)) and not isinstance(bound, bool):
        return {"type": "number", _COMPARED[term.op]: bound}
    return None     # text (ISO dates) compared by order: no JSON Schema keyword says it


def _in_values(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": ["values"], "properties": {"values": {"required": [name], "properties": {name: schema}}}}


def _offered(field: Field, fragment: dict[str, Any]) -> dict[str, Any]:
    """The fragment less the retired choices, which a record keeps but a write may no longer choose."""
    retired = {choice.value for choice in field.choices if choice.retired}
    if not retired:
        return fragment
    if "enum" in fragment:
        return {**fragment, "enum": [value for value in fragment["enum"] if value not in retired]}
    if isinstance(fragment.get("items"), dict):
        return {**fragment, "items": _offered(field, fragment["items"])}
    return fragment
