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
    supersedes: bool = False              # a reference field naming the earlier record(s) this one replaces
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
class Audience:
    """People named in a type's ``workflow`` (``who:``) or ``notify`` (``to:``) rules.

    ``roles``: everyone holding one of these instance roles (or a higher one). ``fields``: the person a record
    names in these fields (an email address, matched to an account by its email or username). ``creator``: the
    person who submitted the record. ``watchers``: everyone watching the record (``to:`` only)."""
    roles: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    creator: bool = False
    watchers: bool = False

    @property
    def empty(self) -> bool:
        return not (self.roles or self.fields or self.creator or self.watchers)


#: ``comment:`` of an action: must a comment be given, may it, or is no box shown.
COMMENT_RULES = ("required", "optional", "none")


@dataclass(frozen=True)
class Action:
    """One move of a workflow: the button ``name`` ("Approve"), the statuses it starts ``from``, the status it
    moves ``to``, ``who`` may make it, whether a ``comment`` is asked for, the fields it ``requires`` filled,
    and ``then_superseded``: the status the records this one supersedes move to in the same write."""
    name: str
    from_statuses: tuple[str, ...]
    to: str
    who: Audience
    comment: str = "optional"
    requires: tuple[str, ...] = ()
    then_superseded: str | None = None
    source: Source | None = dc_field(default=None, compare=False)

    @property
    def slug(self) -> str:
        """The action in URLs: ``Send back`` -> ``send-back``."""
        return slug_of(self.name)


def slug_of(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@dataclass(frozen=True)
class Workflow:
    """A type's ``workflow:``: with one, a record's status changes only through these actions."""
    actions: tuple[Action, ...]

    def action(self, slug_or_name: str) -> Action | None:
        wanted = slug_of(slug_or_name)
        return next((a for a in self.actions if a.slug == wanted), None)

    def from_status(self, status: str) -> tuple[Action, ...]:
        """The actions that may start from ``status``, in the order the type lists them."""
        return tuple(a for a in self.actions if status in a.from_statuses)


#: What a ``notify`` rule may be ``on``; an action's rule is written ``action: Approve``.
NOTIFY_EVENTS = ("submitted", "action", "commented", "edited", "review_due", "review_overdue")


@dataclass(frozen=True)
class NotifyRule:
    """One ``notify:`` entry: on ``event`` (for ``action``: the action's name in ``action``, None for every
    action) tell ``to`` by email, and/or post to the webhook whose URL is in the environment variable
    ``webhook_env`` (signed with the secret in ``secret_env`` when set)."""
    event: str
    to: Audience = Audience()
    action: str | None = None
    webhook_env: str | None = None
    secret_env: str | None = None
    source: Source | None = dc_field(default=None, compare=False)

    def matches(self, event: str, action: str | None = None) -> bool:
        if event != self.event:
            return False
        return self.action is None or action is None or slug_of(self.action) == slug_of(action)


@dataclass(frozen=True)
class Review:
    """``review:``: the date field saying when a record is due for review, the field naming who is reminded,
    and the days before the due date a reminder is sent (0: on the day)."""
    date: str
    owner: str | None = None
    remind: tuple[int, ...] = (30, 0)
    source: Source | None = dc_field(default=None, compare=False)


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
    workflow: Workflow | None = None        # None: an editor sets the status on the edit form
    notify: tuple[NotifyRule, ...] = ()
    review: Review | None = None
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

    @property
    def start_statuses(self) -> tuple[str, ...]:
        """The statuses a new record may be given (an admin importing history may give any): the first, and
        with no workflow any."""
        return (self.initial_status,) if self.workflow is not None else self.status_names

    @property
    def superseding_field(self) -> "Field | None":
        return next((f for f in self.fields if f.supersedes), None)

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
