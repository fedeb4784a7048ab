"""``repo-engine show TYPE [--instance I]``: a repository type as the engine resolved it, printed as YAML.

Everything that was inherited (``extends``), adapted by the instance, or left to a default (``title_plural``,
``reference_prefix``, ``listing``, a field's ``searchable`` and search weight) is written out, so an author can
see the type the forms, pages and store actually use. A comment above each field names the file and line it
was written at.
"""
from __future__ import annotations

from typing import Any

import yaml

from engine.cli.project import instance_named, load
from engine.errors import EngineError
from engine.schema.conditions import AllOf, AnyOf, Condition, Term
from engine.schema.model import Audience, Choice, Field, Project, RepositoryType, Status
from engine.search.fields import weight

#: Field attribute -> YAML key, where the names differ.
YAML_KEYS = {"type_name": "type", "minimum": "min", "maximum": "max"}
#: Type-specific keys, in the order they are printed after the common ones.
OPTION_ORDER = ("choices", "min", "max", "integer", "min_length", "max_length", "accept", "max_size_mb",
                "multiple", "target")
#: A list of plain values up to this many characters is printed on one line.
SHORT_LIST = 80


def register(sub) -> None:
    parser = sub.add_parser("show", help="print a repository type as resolved, with its defaults, as YAML")
    parser.add_argument("type", help="the repository type's name")
    parser.add_argument("--instance", help="as this instance hosts it, with its adaptation applied")
    parser.set_defaults(run=run)


def run(args) -> int:
    _, project = load(args)
    rtype, where = resolved(project, args.type, args.instance)
    print(f"# {rtype.name}, as resolved {where}")
    print(type_yaml(rtype), end="")
    return 0


def resolved(project: Project, name: str, instance: str | None) -> tuple[RepositoryType, str]:
    """The type ``name`` (as ``instance`` hosts it, when given) and words saying where it comes from."""
    if instance is None:
        if name not in project.types:
            raise EngineError(f"There is no repository type '{name}' in the schemas. Repository types: "
                              f"{', '.join(sorted(project.types))}")
        rtype = project.types[name]
        return rtype, f"from {rtype.source}"
    hosting = instance_named(project, instance)
    if not hosting.has_repository(name):
        raise EngineError(f"{instance} hosts no repository '{name}'. Its repositories: "
                          f"{', '.join(r.name for r in hosting.repositories)}")
    rtype = hosting.repository(name)
    return rtype, f"in instance '{instance}', from {rtype.source}"


def type_yaml(rtype: RepositoryType) -> str:
    head: dict[str, Any] = {
        "name": rtype.name, "title": rtype.title, "title_plural": rtype.title_plural,
        "description": rtype.description, "reference_prefix": rtype.reference_prefix,
    }
    if rtype.extends:
        head["extends"] = rtype.extends
    head["record_title"] = rtype.record_title
    if rtype.sections:
        head["sections"] = [_without_empty({"name": s.name, "title": s.title, "help": s.help})
                            for s in rtype.sections]
    head["statuses"] = [_status(status) for status in rtype.statuses]
    listing = rtype.listing
    head["listing"] = {"columns": list(listing.columns), "facets": list(listing.facets), "sort": listing.sort,
                       "per_page": listing.per_page}
    text = _dump(head)
    if not rtype.fields:
        return text + "fields: []\n" + _dump(moving_on(rtype))
    parts = [text, "fields:\n"]
    for field in rtype.fields:
        parts.append(f"  # {field.source}\n")
        parts.append("".join(f"  {line}\n" for line in _dump([field_mapping(rtype, field)]).splitlines()))
    tail = moving_on(rtype)
    return "".join(parts) + (_dump(tail) if tail else "")


def moving_on(rtype: RepositoryType) -> dict[str, Any]:
    """The type's ``workflow``, ``notify`` and ``review`` as resolved (defaults written out), where it has them."""
    found: dict[str, Any] = {}
    if rtype.workflow is not None:
        found["workflow"] = [_without_empty({
            "action": a.name, "from": list(a.from_statuses), "to": a.to, "who": _people(a.who),
            "comment": a.comment, "requires": list(a.requires) or None,
            "then": {"superseded": a.then_superseded} if a.then_superseded else None}) for a in rtype.workflow.actions]
    if rtype.notify:
        found["notify"] = [_without_empty({
            "on": {"action": rule.action} if rule.action else rule.event, "to": _people(rule.to) or None,
            "webhook": _without_empty({"url_env": rule.webhook_env, "secret_env": rule.secret_env}) or None})
            for rule in rtype.notify]
    if rtype.review is not None:
        review = rtype.review
        found["review"] = _without_empty({"date": review.date, "owner": review.owner, "remind": list(review.remind)})
    return found


def _people(audience: Audience) -> list[Any]:
    return [*audience.roles, *(["creator"] if audience.creator else []),
            *({"field": name} for name in audience.fields), *(["watchers"] if audience.watchers else [])]


def field_mapping(rtype: RepositoryType, field: Field) -> dict[str, Any]:
    """Every key the field resolves to: those with a value, and every yes/no key whatever its value."""
    found: dict[str, Any] = {"name": field.name, "type": field.type_name, "label": field.label}
    if field.help:
        found["help"] = field.help
    found["required"] = field.required
    for key in ("required_when", "show_when"):
        if getattr(field, key) is not None:
            found[key] = Flow(condition_yaml(getattr(field, key)))
    if field.default is not None:
        found["default"] = field.default
    if field.section is not None:
        found["section"] = field.section
    found["searchable"] = field.searchable
    found["search_weight"] = weight(rtype, field)
    found["retired"] = field.retired
    if field.supersedes:
        found["supersedes"] = True
    if field.renamed_from:
        found["renamed_from"] = list(field.renamed_from)
    attributes = {YAML_KEYS.get(name, name): name for name in Field.__dataclass_fields__}
    for key in (key for key in OPTION_ORDER if key in field.kind.options):
        value = getattr(field, attributes[key])
        if key == "choices":
            found[key] = [_choice(choice) for choice in value]
        elif isinstance(value, bool) or value not in (None, ()):
            found[key] = list(value) if isinstance(value, tuple) else value
    return found


def condition_yaml(condition: Condition) -> dict[str, Any]:
    """The condition in the YAML form ``show_when``/``required_when`` take (what ``parse_condition`` reads)."""
    if isinstance(condition, Term):
        return {condition.name: _test(condition)}
    parts = [condition_yaml(part) for part in condition.parts]   # type: ignore[attr-defined]
    if isinstance(condition, AnyOf):
        return {"any": parts}
    assert isinstance(condition, AllOf)
    merged: dict[str, Any] = {}
    for part in parts:
        for key, test in part.items():
            if key not in merged:
                merged[key] = test
            elif isinstance(merged[key], dict) and isinstance(test, dict) and not merged[key].keys() & test.keys():
                merged[key] = {**merged[key], **test}     # {cost: {at_least: 1, at_most: 5}}
            else:
                return {"all": parts}                     # one field tested twice the same way
    return merged


def _test(term: Term) -> Any:
    values = list(term.values)
    shown = values[0] if len(values) == 1 else values
    if term.op == "in":
        return shown
    if term.op == "not_in":
        return {"not": shown}
    if term.op in ("empty", "filled"):
        return {"empty": term.op == "empty"}
    return {term.op: values[0]}


def _choice(choice: Choice) -> str | dict[str, Any]:
    if choice.label == choice.value and not choice.retired and not choice.renamed_from:
        return choice.value
    found = Flow(value=choice.value, label=choice.label)
    if choice.retired:
        found["retired"] = True
    if choice.renamed_from:
        found["renamed_from"] = list(choice.renamed_from)
    return found


def _status(status: Status) -> dict[str, Any]:
    return _without_empty({"name": status.name, "closed": status.closed, "help": status.help}, keep=("closed",))


def _without_empty(mapping: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in ("", None) or key in keep}


class Flow(dict):
    """A mapping printed on one line, as authors write conditions and choices: ``{audit_type: Re-audit}``."""


class _Dumper(yaml.SafeDumper):
    """Block style, but short things in flow style: a list of a few plain values, and ``Flow`` mappings."""

    def represent_list(self, data):
        short = all(not isinstance(item, (list, dict)) for item in data) and \
            sum(len(str(item)) + 2 for item in data) <= SHORT_LIST
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=short or None)


_Dumper.add_representer(list, _Dumper.represent_list)
_Dumper.add_representer(Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(),
                                                                          flow_style=True))


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
