"""Validation of YAML documents against the meta-schemas in ``schemas/meta/``, each error told in one line.

jsonschema finds the errors; this module says them in an author's words, naming the field or key
(``field 'title': unknown key 'requird' (did you mean 'required'?)``) at the line where it was written.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from engine.schema.problems import Problems, Spot, did_you_mean, quoted_list
from engine.schema.yamlfile import Document

META_DIR = Path(__file__).resolve().parents[2] / "schemas" / "meta"
REPOSITORY_TYPE = "repository-type.schema.json"
INSTANCE = "instance.schema.json"
THESAURUS = "thesaurus.schema.json"

UNKNOWN_KEYS = ("additionalProperties", "unevaluatedProperties")
TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping (key: value)", "boolean": "true or false",
              "integer": "a whole number", "number": "a number", "null": "empty"}
#: Lists whose items are named by their ``name`` key in messages, and the word for one item.
NAMED_ITEMS = {"fields": "field", "statuses": "status", "sections": "section", "repositories": "repository",
               "change_fields": "change_fields", "workflow": "workflow action", "notify": "notify rule"}
#: Top-level mappings named in messages about what is inside them.
NAMED_MAPPINGS = ("listing", "review")
#: Validations after the first, each repairing what setting a value aside left behind (nesting is shallow).
REPAIR_PASSES = 5


@lru_cache(maxsize=None)
def meta_schema(name: str) -> dict[str, Any]:
    return json.loads((META_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    registry = Registry().with_resources(
        (schema_name, Resource.from_contents(meta_schema(schema_name)))
        for schema_name in (REPOSITORY_TYPE, INSTANCE, THESAURUS)
    )
    return Draft202012Validator(meta_schema(name), registry=registry)


def validate(spot: Spot, schema_name: str, problems: Problems) -> Spot | None:
    """Add a problem for each meta-schema error in the document at ``spot``; return the document to check for
    meaning.

    A valid document is returned as it is. Otherwise a repaired copy is, so that one run reports every problem
    of the file: what each error is about is set aside (an unknown key, a wrong value, an item of the wrong
    kind), a missing field label is filled from the field's name, and a field without a usable name or type is
    kept, broken, for what can still be checked. Setting a value aside can leave another gap (a list emptied);
    the copy is validated again, a few times, and those consequences are repaired without being reported. The
    copy records what was set aside (``Document.unusable``), so meaning checks skip what depends on it instead
    of reporting it again. None only when the document cannot be repaired (it is not a mapping).
    """
    validator = _validator(schema_name)
    findings = _findings(validator, spot.doc.data)
    for finding in findings:
        problems.add(Spot(spot.doc, finding.path), _in_context(spot.doc.data, finding.path, finding.message))
    if not findings:
        return spot
    doc = spot.doc
    for _ in range(REPAIR_PASSES):
        if not isinstance(doc.data, dict):
            return None
        doc = _repaired(doc, findings)
        # What is kept though unusable (a broken field's missing name) stays wrong: it is known already.
        findings = [finding for finding in _findings(validator, doc.data) if finding.target not in doc.unusable]
        if not findings:
            return Spot(doc)
    return None


@dataclass(frozen=True)
class Finding:
    """One meta-schema error: where it is reported, in what words, and the value it makes unusable."""
    path: tuple
    message: str
    target: tuple               # the value to set aside; for a missing key, where it should have been
    missing: bool = False
    unknown_key: bool = False   # merely ignored: nothing else depends on a key the language does not have


def _findings(validator: Draft202012Validator, data: Any) -> list[Finding]:
    return [finding for error in validator.iter_errors(data) for finding in _explain(error)]


def _repaired(doc: Document, findings: list[Finding]) -> Document:
    drops: list[tuple] = []
    fills: dict[tuple, Any] = {}
    unusable: set[tuple] = set()
    for finding in findings:
        target = finding.target
        if not finding.unknown_key:
            unusable.add(target)
        if finding.missing:
            value = _filler(doc, target)
            if value is not None:
                fills[target] = value
            elif target[:-1] and not _kept_broken(target[:-1]):
                drops.append(target[:-1])     # a status or section without its name: nothing left to check
        elif target and not _kept_name(doc.data, target):
            drops.append(target)
    return doc.set_aside(drops, fills, unusable)


def _kept_broken(path: tuple) -> bool:
    """A field (or an instance's adapted type) that lacks its name or type is still checked for the rest."""
    return len(path) >= 2 and path[-2] in ("fields", "repositories") and isinstance(path[-1], int)


def _kept_name(data: Any, target: tuple) -> bool:
    """A badly formed field name stays the field's name: conditions and listings naming it find it."""
    return target[-1] == "name" and _kept_broken(target[:-1]) and isinstance(_child_at(data, target), str)


def _filler(doc: Document, target: tuple) -> Any:
    """What stands in for a missing required key while the rest is checked: a field's label from its name,
    a type's name from its file's name."""
    if target == ("name",):
        return Path(doc.path).stem
    if target[-1] == "label" and _kept_broken(target[:-1]):
        name = _child_at(doc.data, target[:-1] + ("name",))
        return name.replace("_", " ").capitalize() if isinstance(name, str) and name else None
    return None


def _child_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = _child(data, part)
    return data


def allowed_keys(schema: dict[str, Any]) -> set[str]:
    """Keys an object schema accepts, following ``$ref`` (closed objects composed of shared parts)."""
    keys = set(schema.get("properties", {}))
    if "$ref" in schema:
        keys |= allowed_keys(_lookup(schema["$ref"]))
    return keys


def _lookup(ref: str) -> dict[str, Any]:
    """The subschema a ``$ref`` points at. A local ref ('#/$defs/x') is looked for in both meta-schemas, whose
    ``$defs`` names differ, because an error's subschema no longer says which file it came from."""
    file, _, pointer = ref.partition("#")
    for name in ([file] if file else [REPOSITORY_TYPE, INSTANCE]):
        node: Any = meta_schema(name)
        for part in pointer.strip("/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return node
    raise KeyError(f"meta-schema $ref {ref!r} points nowhere")


def _explain(error: ValidationError) -> Iterator[Finding]:
    """The findings one error stands for.

    ``anyOf`` is explained by the branch the value fits: a status mapping by the mapping branch, not the text one.
    """
    path = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "anyOf":
        yield from _explain_any_of(error)
    elif kind in UNKNOWN_KEYS:
        known = allowed_keys(error.schema)
        word = error.schema.get("x-key-word", "key")
        for key in value:
            if key not in known:
                yield Finding(path + (key,), f"unknown {word} '{key}'{did_you_mean(key, known)}" +
                              (f"; the {word}s are {', '.join(error.schema['properties'])}" if word != "key" else ""),
                              path + (key,), unknown_key=word == "key")
    elif kind == "required":
        for key in expected:
            if key not in value:
                yield Finding(path, f"missing required key '{key}'", path + (key,), missing=True)
    elif kind == "dependentRequired":
        for key, needs in expected.items():
            if key in value:
                for need in needs:
                    if need not in value:
                        yield Finding(path + (key,), f"'{key}' is only allowed with '{need}'", path + (key,))
    elif "propertyNames" in error.absolute_schema_path:
        # A mapping key broke the rule: report it at the key's own line.
        yield Finding(path + (value,), _predicate(error), path + (value,))
    elif kind == "uniqueItems":
        # Set aside only the repeat, so the list's other items are still checked.
        first = next(i for i, item in enumerate(value) if item in value[:i])
        yield Finding(path, _predicate(error), path + (first,))
    else:
        yield Finding(path, _predicate(error), path)


def _explain_any_of(error: ValidationError) -> Iterator[Finding]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for subs in branches.values():
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs):
            for sub in subs:
                yield from _explain(sub)
            return
    wanted = []
    for subs in branches.values():
        for sub in subs:
            if sub.validator == "type" and not sub.relative_path:
                types = sub.validator_value if isinstance(sub.validator_value, list) else [sub.validator_value]
                wanted += [TYPE_WORDS[t] for t in types if TYPE_WORDS[t] not in wanted]
    path = tuple(error.absolute_path)
    yield Finding(path, "must be " + " or ".join(wanted) + _quote_hint(error.instance, wanted), path)


def _predicate(error: ValidationError) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        words = [TYPE_WORDS[t] for t in types]
        return "must be " + " or ".join(words) + _quote_hint(value, words)
    if kind == "pattern":
        return f"must be {_words_for(error.schema)}, not '{value}'"
    if kind in ("minItems", "minLength", "minProperties"):
        return "must not be empty" if expected == 1 else f"must have at least {expected} items"
    if kind == "maxProperties":
        return "must have one key only" if expected == 1 else f"must have at most {expected} keys"
    if kind == "uniqueItems":
        repeated = [item for i, item in enumerate(value) if item in value[:i]]
        return f"lists {quoted_list(repeated[:1])} more than once"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"must be {'at least' if kind == 'minimum' else 'more than'} {expected}"
    if kind == "maximum":
        return f"must be at most {expected}"
    if kind in ("enum", "const"):
        return f"must be one of {quoted_list(expected if kind == 'enum' else [expected])}"
    return error.message


def _words_for(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        schema = _lookup(schema["$ref"])
    return schema.get("x-expected", f"matching {schema.get('pattern', 'the expected form')}")


def _quote_hint(value: Any, words: list[str]) -> str:
    """YAML reads ``1.0`` or ``true`` as a number or boolean; an author meaning text must quote it."""
    if "text" in words and isinstance(value, (bool, int, float)):
        return f" (put {str(value).lower() if isinstance(value, bool) else value} in quotes to make it text)"
    return ""


def _in_context(data: Any, path: tuple, message: str) -> str:
    """Prefix the message with what the path is inside of ("field 'title'", "listing") and the key it names.

    Messages that name their own key ("unknown key 'x'", "'x' is only allowed ...") are reported at the key's
    line, so the last part of their path is not repeated.
    """
    context, rest = describe_path(data, path)
    if message.startswith(("unknown ", "'")) and rest:
        rest = rest[:-1]
    parts = [part for part in (context, _subject(rest)) if part] or (["the file"] if not path else [])
    if message.startswith(("must", "lists")) and parts:
        parts[-1] = f"{parts[-1]} {message}"
    else:
        parts.append(message)
    return ": ".join(parts)


def describe_path(data: Any, path: tuple) -> tuple[str, tuple]:
    """("field 'division'", ("choices",)) for ("fields", 2, "choices"): the named item and what is left."""
    parts: list[str] = []
    node, i = data, 0
    while i < len(path):
        key = path[i]
        if key in NAMED_ITEMS and i + 1 < len(path) and isinstance(node, dict):
            item = _child(node.get(key), path[i + 1])
            parts.append(f"{NAMED_ITEMS[key]} {_item_name(item, path[i + 1])}")
            node, i = item, i + 2
        elif key in NAMED_MAPPINGS and not parts:
            parts.append(key)
            node, i = _child(node, key), i + 1
        else:
            break
    return ": ".join(parts), path[i:]


def _child(node: Any, key: Any) -> Any:
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


def _item_name(item: Any, key: Any) -> str:
    if isinstance(key, str):
        return f"'{key}'"
    if isinstance(item, str):
        return f"'{item}'"
    if isinstance(item, dict):
        name = item.get("name") or item.get("extends") or item.get("action")
        if isinstance(name, str):
            return f"'{name}'"
    return str(key + 1)


def _subject(rest: tuple) -> str:
    """'choices' -> "'choices'"; ('choices', 2) -> "item 3 of 'choices'"."""
    if not rest:
        return ""
    keys = [str(part) for part in rest if not isinstance(part, int)]
    name = f"'{'.'.join(keys)}'" if keys else ""
    if isinstance(rest[-1], int):
        return f"item {rest[-1] + 1} of {name}".strip() if name else f"item {rest[-1] + 1}"
    return name
