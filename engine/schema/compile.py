"""The record validator of a repository type: one JSON Schema, compiled once, and messages in users' words.

The schema is built from each field's ``kind.json_schema(field)`` plus what the type says about requiredness:
``required``, ``required_when`` (which may name the record's status) and ``show_when`` (a hidden field is never
required). Empty values are left out before validating, so a fragment only ever sees a present value.
"""
from __future__ import annotations

from typing import Any, Mapping

from jsonschema import Draft202012Validator, ValidationError

from engine.fields.values import lower_first
from engine.schema.model import Condition, Field, RepositoryType

STATUS = "status"   # a reserved name: no field can take it, so it can sit beside the values


class RecordValidator:
    """``validate(values, status)`` -> {field name: message}; ``{}`` when the record may be saved."""

    def __init__(self, rtype: RepositoryType):
        self.rtype = rtype
        self.json_schema = record_schema(rtype)
        Draft202012Validator.check_schema(self.json_schema)
        self._validator = Draft202012Validator(self.json_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        self._labels = {STATUS: "Status", **{f.name: f.label for f in rtype.fields}}

    def validate(self, values: Mapping[str, Any], status: str) -> dict[str, str]:
        fields = self.rtype.field_map
        errors: dict[str, str] = {}
        if STATUS in values:    # the status is an argument; a value named so must not shadow it
            errors[STATUS] = "Status is not a field: give it as the record's status"
        present = {name: value for name, value in values.items()
                   if name != STATUS and (name not in fields or not fields[name].kind.is_empty(value))}
        for error in self._validator.iter_errors({**present, STATUS: status}):
            for name, message in self._explain(error):
                errors.setdefault(name, message)
        for name, value in present.items():
            if name in fields and name not in errors:
                message = fields[name].kind.check(fields[name], value)
                if message:
                    errors[name] = message
        order = {name: i for i, name in enumerate((*fields, STATUS))}
        return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))

    def _explain(self, error: ValidationError):
        fields = self.rtype.field_map
        if error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    yield name, self._missing(fields[name])
        elif error.validator == "additionalProperties":
            for name in error.instance:
                if name not in fields and name != STATUS:
                    yield name, f"{name} is not a field of {lower_first(self.rtype.title)}"
        elif error.absolute_path and error.absolute_path[0] == STATUS:
            yield STATUS, f"Status must be one of: {', '.join(self.rtype.status_names)}"
        elif error.absolute_path:
            field = fields[error.absolute_path[0]]
            yield field.name, field.kind.invalid_message(field, error.instance if len(error.absolute_path) == 1
                                                         else self._root_value(error))

    @staticmethod
    def _root_value(error: ValidationError) -> Any:
        """The whole field value when the error is about one item of a list."""
        node = error
        while node.parent is not None:
            node = node.parent
        return node.instance.get(error.absolute_path[0]) if isinstance(node.instance, dict) else error.instance

    def _missing(self, field: Field) -> str:
        if field.required or field.required_when is None:
            return f"{_verb(field)} {lower_first(field.label)}"
        # GOV.UK wording with the rule in brackets: no guessing whether a label is plural.
        return f"{_verb(field)} {lower_first(field.label)} (required when {field.required_when.describe(self._labels)})"


def record_schema(rtype: RepositoryType) -> dict[str, Any]:
    """The JSON Schema a record's values (with ``status`` beside them) must satisfy."""
    always, conditional = [], []
    for field in rtype.fields:
        when = [c for c in (field.required_when if not field.required else None, field.show_when) if c]
        if not (field.required or field.required_when):
            continue
        if not when:
            always.append(field.name)
        else:
            conditional.append({"if": {"allOf": [condition_schema(c) for c in when]},
                                "then": {"required": [field.name]}})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": rtype.title,
        "type": "object",
        "properties": {STATUS: {"enum": list(rtype.status_names)},
                       **{f.name: f.kind.json_schema(f) for f in rtype.fields}},
        "required": [STATUS, *always],
        "additionalProperties": False,
    }
    if conditional:
        schema["allOf"] = conditional
    return schema


def condition_schema(condition: Condition) -> dict[str, Any]:
    """Holds when every named field (or the status) has one of its values; a list matches on any item."""
    properties = {}
    for name, wanted in condition.terms:
        one_of = {"enum": list(wanted)}
        properties[name] = one_of if name == STATUS else {"anyOf": [one_of, {"type": "array", "contains": one_of}]}
    return {"properties": properties, "required": list(properties)}


def _verb(field: Field) -> str:
    """GOV.UK error wording: 'Select' when the user picks from options, 'Enter' when they type."""
    if field.choices or field.target:
        return "Select"
    return "Upload" if "accept" in field.kind.options else "Enter"

