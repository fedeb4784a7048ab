"""The typed, frozen objects a loaded schema becomes: RepositoryType, Field, Instance and their parts.

Everything outside ``engine.schema`` sees only these objects, never raw YAML dicts. They are built once at
start-up (``engine.schema.load_project``) after validation and resolution of ``extends`` and adaptations.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from engine.schema.conditions import Condition
from engine.search.thesaurus import EMPTY as EMPTY_THESAURUS, Thesaurus

if TYPE_CHECKING:
    from engine.fields.base import FieldType

#: Names a field may not take: URL query parameters of the browse page, the record's system fields, and the
#: words that combine conditions (``all``, ``any``).
RESERVED_NAMES = frozenset(
    {"q", "sort", "page", "per_page", "state", "format",
     "reference", "status", "created", "created_by", "updated", "updated_by", "version", "deleted", "type_revision", "all", "any"}
)
#: System fields every record has, in display order.
SYSTEM_FIELDS = ("reference", "status", "created", "created_by", "updated", "updated_by", "version")


@dataclass(frozen=True)
class Source:
    """Where a definition was written: shown in every error about it."""
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Choice:
    """One option of a choice field. A ``retired`` option is no longer offered on forms but stays a known value
    (shown, searched, filtered on); ``renamed_from`` lists the values it was stored as before a rename."""
    value: str
    label: str
    retired: bool = False
    renamed_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    """One field of a repository type, as the author wrote it, resolved and typed.

    ``options`` holds the type-specific keys (choices, min, max, accept, target, ...); each field type
    reads what it needs through the typed accessors below.
    """
    name: str
    type_name: str
    label: str
    kind: "FieldType"
    help: str = ""
    required: bool = False
    default: Any = None
    section: str | None = None
    choices: tuple[Choice, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    multiple: bool = False
    accept: tuple[str, ...] = ()
    max_size_mb: float | None = None
    target: str | None = None
    show_when: Condition | None = None
    required_when: Condition | None = None
    searchable: bool = True
    search_weight: float | None = None    # how much a match here counts; None: the type's default (search/fields.py)
    renamed_from: tuple[str, ...] = ()    # names its values were stored under before a rename
    retired: bool = False                 # kept, shown and searched, but no longer filled in or changed
    source: Source | None = dc_field(default=None, compare=False)

    def choice_label(self, value: Any) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return "" if value is None else str(value)

    @property
    def choice_values(self) -> tuple[str, ...]:
        """Every known value, retired ones included: what stored values, filters and facets may hold."""
        return tuple(c.value for c in self.choices)

    @property
    def offered_choices(self) -> tuple[Choice, ...]:
        """The options a form offers and a new value may take: the choices less the retired ones."""
        return tuple(c for c in self.choices if not c.retired)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    help: str = ""


@dataclass(frozen=True)
class Status:
    name: str
    closed: bool = False
    help: str = ""


@dataclass(frozen=True)
class Listing:
    columns: tuple[str, ...]
    facets: tuple[str, ...]
    sort: str = "-updated"          # a field name, '-' in front for descending
    per_page: int = 25


@dataclass(frozen=True)
class RepositoryType:
    """A resolved repository type: the only description of a repository's shape the engine uses."""
    name: str
    title: str
    title_plural: str
    description: str
    reference_prefix: str
    fields: tuple[Field, ...]
    statuses: tuple[Status, ...]
    listing: Listing
    record_title: str               # name of the field whose value titles a record
    sections: tuple[Section, ...] = ()
    extends: str | None = None
    source: Source | None = dc_field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({f.name: f for f in self.fields}))
        shape = [[f.name, f.type_name, f.retired, list(f.renamed_from),
                  [[c.value, c.retired, list(c.renamed_from)] for c in f.choices]] for f in self.fields]
        text = json.dumps([shape, [s.name for s in self.statuses]], separators=(",", ":"))
        object.__setattr__(self, "_revision", hashlib.sha256(text.encode()).hexdigest()[:12])

    @property
    def revision(self) -> str:
        """A short fingerprint of the shape stored values take under this type (fields, their types, choices,
        renames and retirements, statuses): each record is stamped with the one it was last written under."""
        return self._revision  # type: ignore[attr-defined]

    @property
    def field_map(self) -> Mapping[str, Field]:
        return self._by_name  # type: ignore[attr-defined]

    def field(self, name: str) -> Field:
        return self.field_map[name]

    @property
    def initial_status(self) -> str:
        return self.statuses[0].name

    @property
    def status_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses)

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses if not s.closed)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses if s.closed)

    def fields_in_section(self, section: str | None) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.section == section)


#: Who may read an instance's records, and who may submit to it (``access:`` in instance.yaml).
READ_AUDIENCES = ("anyone", "staff", "members")
SUBMIT_AUDIENCES = ("staff", "members")


@dataclass(frozen=True)
class Access:
    """``read``: anyone (no sign-in), staff (anyone signed in) or members (people given a role here).
    ``submit``: staff (anyone signed in who may read) or members (contributor role and above)."""
    read: str = "anyone"
    submit: str = "staff"


@dataclass(frozen=True)
class Instance:
    """One department's deployment: which (possibly adapted) repository types it hosts."""
    name: str
    title: str
    description: str
    repositories: tuple[RepositoryType, ...]
    organisation: str = ""
    access: Access = Access()
    source: Source | None = dc_field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({r.name: r for r in self.repositories}))

    def repository(self, name: str) -> RepositoryType:
        return self._by_name[name]  # type: ignore[attr-defined]

    def has_repository(self, name: str) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Project:
    """Everything loaded at start-up: the shared repository types and every instance."""
    types: Mapping[str, RepositoryType]
    instances: Mapping[str, Instance]
    thesaurus: Thesaurus = EMPTY_THESAURUS      # schemas/thesaurus.yaml, for search
