"""What changes to the types strand in the stored data, for every repository of a project, in the
``file:line: message`` form of schema problems: ``repo-engine check`` prints it (and fails while anything is
stranded), ``repo-engine serve`` logs it.

    schemas/qi-project.yaml:141: quality-improvement/qi-project: field 'lessons_learned' was removed but
    412 records hold a value: add renamed_from to the field that replaces it, or put it back with retired: true
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from engine.errors import EngineError
from engine.evolution.impact import BOTH_NAMES, REMOVED_CHOICE, REMOVED_FIELD, WRONG_TYPE, Finding, findings
from engine.evolution.spots import Spots
from engine.fields.values import plural
from engine.schema.model import Instance, Project, RepositoryType

#: How many references a message names before saying how many more there are.
NAMED = 5
#: How much of an example value a message shows.
SHOWN = 60


def stranded(project: Project, stores, repositories: Iterable[tuple[Instance, RepositoryType]] | None = None
             ) -> list[str]:
    """One line per kind of stranded value in each repository (all of them, or those given) that holds
    data. A repository whose data cannot be read is left out: checking its files says why."""
    spots = Spots(project.types)
    chosen = repositories if repositories is not None else \
        [(instance, rtype) for instance in project.instances.values() for rtype in instance.repositories]
    lines = []
    for instance, rtype in chosen:
        store = stores.get(instance, rtype)
        try:
            if not store.has_held_data():
                continue
            found = findings(rtype, store.stored_values())
        except EngineError:
            continue
        lines += [line(finding, rtype, f"{instance.name}/{rtype.name}", spots) for finding in found]
    return sorted(lines, key=_file_and_line)


def _file_and_line(text: str) -> tuple[str, int, str]:
    """By file, then line (as a number), as schema problems are listed: an author works down each file."""
    path, _, rest = text.partition(":")
    number, _, _ = rest.partition(":")
    return (path, int(number), text) if number.isdigit() else (path, 0, text)


def line(finding: Finding, rtype: RepositoryType, repository: str, spots: Spots) -> str:
    count = len(finding.references)
    records = plural(count, "record")
    hold = "holds" if count == 1 else "hold"
    name = finding.name
    if finding.kind == REMOVED_FIELD:
        return (f"{spots.removed_field(rtype, name)}: {repository}: field '{name}' was removed but {records} "
                f"{hold} a value: add renamed_from to the field that replaces it, or put it back with retired: true")
    if finding.kind == BOTH_NAMES:
        today = finding.renamed_to
        return (f"{spots.field_key(rtype, rtype.field(today), 'renamed_from')}: {repository}: field '{today}' "
                f"was renamed from '{name}' but {records} ({named(finding.references)}) {hold} a value under "
                f"both names: the value under '{today}' is shown, the one under '{name}' is kept as it was stored")
    field = rtype.field(name)
    if finding.kind == REMOVED_CHOICE:
        return (f"{spots.field_key(rtype, field, 'choices')}: {repository}: field '{name}': choice "
                f"'{finding.value}' was removed but {records} {hold} it ({named(finding.references)}): add it "
                f"back with retired: true, or give the choice that replaces it renamed_from: {finding.value}")
    assert finding.kind == WRONG_TYPE
    return (f"{spots.field_key(rtype, field, 'type')}: {repository}: field '{name}' is now a {field.type_name} "
            f"field but {records} {hold} values that are not (for example {shown(finding.value)}): give the "
            f"field back its earlier type, or correct {'it' if count == 1 else 'them'} "
            f"({named(finding.references)})")


def named(references: tuple[str, ...]) -> str:
    """``QI-0004, QI-0012, QI-0031``; past ``NAMED`` of them, ``... and 409 more``."""
    shown_here = ", ".join(references[:NAMED])
    more = len(references) - NAMED
    return f"{shown_here} and {more} more" if more > 0 else shown_here


def shown(value: Any) -> str:
    """An example value as the author would recognise it: text in quotes, anything else as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > SHOWN:
        text = text[:SHOWN - 1] + "…"
    return f"'{text}'" if isinstance(value, str) else text
