"""A repository type as it was and as it is after an author changed it, built by hand with the real field types,
and records written under the old one: what the tests of renames, migration and the impact report start from.

Before -> after:
- ``lessons_learned`` is renamed ``lessons`` (``renamed_from``);
- ``methodology``'s choice ``NHS Patient Experience Framework`` is renamed ``Patient Experience Framework``,
  ``Six Sigma`` is removed, ``Lean`` is retired;
- ``staff``'s choice ``Healthcare assistants`` is renamed ``Support workers`` (a multichoice: each item);
- ``evidence`` (a file field) is renamed ``documents``;
- ``notes`` is removed; ``cost`` changes from text to number.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.fields import default_registry
from engine.schema.model import Choice, Field, Listing, RepositoryType, Status
from engine.store.tinydb import TinyDBStore

REGISTRY = default_registry()
OLD_FRAMEWORK, NEW_FRAMEWORK = "NHS Patient Experience Framework", "Patient Experience Framework"
OLD_GROUP, NEW_GROUP = "Healthcare assistants", "Support workers"


def field(name: str, type_name: str, label: str, **keys: Any) -> Field:
    return Field(name=name, type_name=type_name, label=label, kind=REGISTRY[type_name], **keys)


def _type(*fields: Field) -> RepositoryType:
    return RepositoryType(
        name="qi-project", title="Improvement project", title_plural="Improvement projects",
        description="Improvement work across the trust.", reference_prefix="QI", fields=fields,
        statuses=(Status("Proposed"), Status("In progress"), Status("Completed", closed=True)),
        listing=Listing(columns=("reference", "title", "status"), facets=("status", "methodology", "staff")),
        record_title="title")


def before() -> RepositoryType:
    return _type(
        field("title", "text", "Project title", required=True),
        field("lessons_learned", "textarea", "Lessons learned"),
        field("methodology", "choice", "Improvement method", choices=tuple(
            Choice(v, v) for v in ("Model for Improvement", OLD_FRAMEWORK, "Lean", "Six Sigma"))),
        field("staff", "multichoice", "Staff groups",
              choices=tuple(Choice(v, v) for v in ("Nurses", "Doctors", OLD_GROUP))),
        field("cost", "text", "Cost"),
        field("notes", "textarea", "Notes"),
        field("evidence", "file", "Evidence", multiple=True, accept=(".pdf",), max_size_mb=1),
    )


def after() -> RepositoryType:
    return _type(
        field("title", "text", "Project title", required=True),
        field("lessons", "textarea", "Lessons", renamed_from=("lessons_learned",)),
        field("methodology", "choice", "Improvement method", choices=(
            Choice("Model for Improvement", "Model for Improvement"),
            Choice(NEW_FRAMEWORK, NEW_FRAMEWORK, renamed_from=(OLD_FRAMEWORK,)),
            Choice("Lean", "Lean", retired=True))),
        field("staff", "multichoice", "Staff groups", choices=(
            Choice("Nurses", "Nurses"), Choice("Doctors", "Doctors"),
            Choice(NEW_GROUP, NEW_GROUP, renamed_from=(OLD_GROUP,)))),
        field("cost", "number", "Cost"),
        field("documents", "file", "Documents", multiple=True, accept=(".pdf",), max_size_mb=1,
              renamed_from=("evidence",)),
    )


def old_record(number: int, **values: Any) -> dict[str, Any]:
    """A record as the old type wrote it; methodology and staff vary with ``number``."""
    base = {
        "title": f"Project {number} on falls" if number % 2 else f"Project {number} on sepsis",
        "lessons_learned": f"Lesson {number}: involve the night staff early",
        "methodology": (OLD_FRAMEWORK, "Model for Improvement", "Lean", "Six Sigma")[number % 4],
        "staff": [OLD_GROUP, "Nurses"] if number % 2 else ["Doctors"],
        "cost": "about £200" if number % 3 == 0 else "150",
        "notes": f"Note {number}",
    }
    base.update(values)
    return {name: value for name, value in base.items() if value is not None}


def written_before(folder: Path, count: int) -> None:
    """``count`` records saved by the old type (each then edited once, so history has changes), closed."""
    store = TinyDBStore(before(), folder)
    for number in range(1, count + 1):
        store.insert(old_record(number), user="ann")
    for number in range(1, count + 1):
        reference = f"QI-{number:04d}"
        store.update(reference, old_record(number, lessons_learned=f"Lesson {number}, revised"), user="bob",
                     expected_version=1)
    store.close()
