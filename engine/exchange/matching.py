"""Matching a file's headers to a repository's columns: by label or name, whatever the case and spacing, or by
the column a person chose for a header that matches nothing ("Lead E-mail" is the Lead email field), on the
import page or with ``--map`` on the command line.

A choice is keyed by the header as ``header_key`` reads it and names a column (a field's name, or a system
column's: reference, status, created, created_by, version); ``IGNORE`` says to read nothing from it, so the
page stops asking. A choice given for a header wins over its match by name: it was asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from engine.errors import EngineError
from engine.exchange.columns import Column, header_key, import_columns
from engine.fields.values import lower_first
from engine.schema.model import RepositoryType

#: The choice that reads nothing from a column.
IGNORE = ""


@dataclass
class Matching:
    """What a file's headers fill: ``matched`` (position, header, column), ``ignored`` (header, why),
    ``missing`` (labels of required fields no header fills) and ``unmatched`` (position, header) for every
    header that matches no column by name, chosen or not: what the import page offers a choice for."""
    matched: list[tuple[int, str, Column]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    chosen: set[str] = field(default_factory=set)       # headers read as a person chose


def choosable(rtype: RepositoryType, *, update: bool = False) -> tuple[Column, ...]:
    """The columns a header may be matched to by choice: every column an import reads."""
    return tuple(column for column in import_columns(rtype, update=update) if column.imported)


def match_columns(rtype: RepositoryType, headers: Iterable[str], choices: Mapping[str, str] | None = None,
                  *, update: bool = False) -> Matching:
    """Each header to the column whose label or name it is, or that ``choices`` (by header key) names; a
    second header for the same column is left over (the first wins)."""
    columns = import_columns(rtype, update=update)
    by_key: dict[str, Column] = {}
    for column in columns:
        by_key.setdefault(header_key(column.name), column)
        by_key[header_key(column.label)] = column
    by_name = {column.name: column for column in columns}
    chosen = {header_key(header): name for header, name in (choices or {}).items()}
    found, taken = Matching(), set()
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        if key not in by_key:
            found.unmatched.append((index, header))
        if key in chosen:
            if chosen[key] == IGNORE or chosen[key] not in by_name:
                found.ignored.append((header, "ignored, as chosen"))
                continue
            found.chosen.add(header)
        column = by_name[chosen[key]] if key in chosen else by_key.get(key)
        if column is None or not column.imported or column.name in taken:
            found.ignored.append((header, _why_ignored(rtype, column)))
            continue
        taken.add(column.name)
        found.matched.append((index, header, column))
    found.missing = [f.label for f in rtype.fields if f.required and f.name not in taken]
    return found


def _why_ignored(rtype: RepositoryType, column: Column | None) -> str:
    if column is None:
        return f"not a field of {lower_first(rtype.title_plural)}"
    if column.field is not None and column.field.retired:
        return "a retired field: its values are kept on the records that hold them, no longer filled in"
    if not column.imported:
        return column.unread_because
    return f"a second {column.label} column; the first one is read"


def read_choice(rtype: RepositoryType, given: str, *, update: bool = False) -> tuple[str, str]:
    """``"Lead E-mail=lead_email"`` (``--map``) as (header, column name); the column by its name or label,
    nothing after ``=`` to ignore the header. ``EngineError`` naming what is wrong, and what would do."""
    header, equals, wanted = given.partition("=")
    if not equals or not header.strip():
        raise EngineError(f"--map '{given}' should be the file's column, '=', then a field: "
                          f"--map \"Lead E-mail=lead_email\"")
    if not wanted.strip():
        return header.strip(), IGNORE
    for column in choosable(rtype, update=update):
        if header_key(wanted) in (header_key(column.name), header_key(column.label)):
            return header.strip(), column.name
    names = ", ".join(column.name for column in choosable(rtype, update=update))
    raise EngineError(f"--map '{given}': {lower_first(rtype.title_plural)} have no field '{wanted.strip()}' "
                      f"to read that column into. Fields: {names}")


def known_choices(rtype: RepositoryType, choices: Mapping[str, str]) -> dict[str, str]:
    """The choices that still name a column an import reads (a remembered one may name a field since
    removed from the type): the others are left out, and their headers are offered again."""
    names = {column.name for column in choosable(rtype, update=True)} | {IGNORE}
    return {key: name for key, name in choices.items() if name in names}
