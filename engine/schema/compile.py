"""The rules of a repository type, decided in one place for every path (form, API, import, seed, CLI).

``RecordValidator`` answers three questions about a record's values (with its status):
- ``hidden``: which fields hold a value although their ``show_when`` does not hold. ``Records`` drops those
  values on every write, and the API and the import report say which they dropped, with why.
- ``validate``: what is wrong, by field, in the person's words. Each field's value is checked by its type's JSON
  Schema fragment (compiled once) and ``kind.check``; requiredness (``required``, ``required_when``; a hidden
  field is never required) and conditions are decided by ``engine.schema.conditions``. An edit passes
  ``changed``: only the values the person changed are held to today's rules, so a record is never locked by
  its own old values (a retired choice, a field since removed from the type, a limit since tightened), and
  a requirement is enforced when the person changed the field or something its condition reads.
- ``kept``: for an edit form, the old values that would not be accepted today and are kept unless changed.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping

from jsonschema import Draft202012Validator

from engine.fields.values import lower_first
from engine.schema.model import Field, RepositoryType

STATUS = "status"   # a reserved name: no field can take it, so it can sit beside the values
_FORMATS = Draft202012Validator.FORMAT_CHECKER


class RecordValidator:
    """``validate(values, status)`` -> {field name: message}; ``{}`` when the record may be saved."""

    def __init__(self, rtype: RepositoryType):
        self.rtype = rtype
        self._checkers = {f.name: Draft202012Validator(f.kind.json_schema(f), format_checker=_FORMATS)
                          for f in rtype.fields}
        for checker in self._checkers.values():
            checker.check_schema(checker.schema)
        self._labels = {STATUS: "Status", **{f.name: f.label for f in rtype.fields}}

    # -- conditions ---------------------------------------------------------------------------------------
    def shown(self, field: Field, values: Mapping[str, Any], status: str) -> bool:
        return field.show_when is None or field.show_when.holds({**values, STATUS: status})

    def required(self, field: Field, values: Mapping[str, Any], status: str) -> bool:
        if field.retired or not self.shown(field, values, status):
            return False
        return field.required or (field.required_when is not None
                                  and field.required_when.holds({**values, STATUS: status}))

    def hidden(self, values: Mapping[str, Any], status: str) -> dict[str, str]:
        """Fields holding a value their ``show_when`` hides, each with why it is not kept."""
        return {f.name: f"{f.label} was not saved: it applies only when "
                        f"{f.show_when.describe(self._labels)}"  # type: ignore[union-attr]
                for f in self.rtype.fields
                if not f.kind.is_empty(values.get(f.name)) and not self.shown(f, values, status)}

    def settle(self, values: Mapping[str, Any], status: str) -> dict[str, Any]:
        """The values as they are written: hidden fields' values dropped."""
        hidden = self.hidden(values, status)
        return {name: (None if name in hidden else value) for name, value in values.items()}

    # -- rules ---------------------------------------------------------------------------------------------
    def validate(self, values: Mapping[str, Any], status: str, *,
                 changed: Collection[str] | None = None) -> dict[str, str]:
        """Every problem, by field in form order. ``changed`` (an edit): the names the person changed, the
        status included; None for a new record, whose every value is checked."""
        fields = self.rtype.field_map
        touched = (lambda name: True) if changed is None else (lambda name: name in changed)
        errors: dict[str, str] = {}
        if STATUS in values:    # the status is an argument; a value named so must not shadow it
            errors[STATUS] = "Status is not a field: give it as the record's status"
        if touched(STATUS) and status not in self.rtype.status_names:
            errors[STATUS] = f"Status must be one of: {', '.join(self.rtype.status_names)}"
        for name, value in values.items():
            if name == STATUS or not touched(name):
                continue
            field = fields.get(name)
            if field is None:
                if value is not None:
                    errors[name] = f"{name} is not a field of {lower_first(self.rtype.title)}"
            elif not field.kind.is_empty(value):
                message = self.problem(field, value)
                if message:
                    errors[name] = message
            elif field.retired and changed is not None:
                errors[name] = self._retired(field)
        for field in self.rtype.fields:
            if field.name in errors or not field.kind.is_empty(values.get(field.name)):
                continue
            if self.required(field, values, status) and self._enforced(field, changed):
                errors[field.name] = self._missing(field)
        order = {name: i for i, name in enumerate((*fields, STATUS))}
        return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))

    def problem(self, field: Field, value: Any) -> str | None:
        """What is wrong with a present value of ``field`` by today's rules, or None."""
        if field.retired:
            return self._retired(field)
        retired = [item for item in (value if isinstance(value, list) else [value])
                   if any(c.retired and c.value == item for c in field.choices)]
        if retired:
            return f"{field.choice_label(retired[0])} is no longer offered: select another " \
                   f"{lower_first(field.label)}"
        if not self._checkers[field.name].is_valid(value):
            return field.kind.invalid_message(field, value)
        return field.kind.check(field, value)

    def kept(self, values: Mapping[str, Any]) -> dict[str, str]:
        """For an edit form: each stored value today's rules would refuse, and that it is kept unless changed."""
        notes = {}
        for field in self.rtype.fields:
            value = values.get(field.name)
            problem = None if field.retired or field.kind.is_empty(value) else self.problem(field, value)
            if problem is None:
                continue
            if field.choices and _unoffered(field, value):
                shown = field.kind.display_text(field, value)
                notes[field.name] = f"{shown} is no longer offered; it will be kept unless you change it"
            else:
                notes[field.name] = f"The saved value does not meet today's rules ({lower_first(problem)}); " \
                                    f"it will be kept unless you change it"
        return notes

    def _enforced(self, field: Field, changed: Collection[str] | None) -> bool:
        """An edit enforces a requirement the person touched: the field, or what its conditions read."""
        if changed is None or field.name in changed:
            return True
        conditions = [c for c in (field.required_when, field.show_when) if c is not None]
        return any(name in changed for condition in conditions for name in condition.field_names)

    def _missing(self, field: Field) -> str:
        verb = field.kind.missing_verb
        if field.required or field.required_when is None:
            return f"{verb} {lower_first(field.label)}"
        # GOV.UK wording with the rule in brackets: no guessing whether a label is plural.
        return f"{verb} {lower_first(field.label)} (required when {field.required_when.describe(self._labels)})"

    @staticmethod
    def _retired(field: Field) -> str:
        return f"{field.label} is retired: it is kept on the records that hold it but can no longer be changed"


def _unoffered(field: Field, value: Any) -> bool:
    offered = {c.value for c in field.offered_choices}
    return any(item not in offered for item in (value if isinstance(value, list) else [value]))
