"""Shared test data for the store: a quality-improvement repository type built by hand with the real field
types, sample records, and a small file of each common kind. Used by the tests and by their child processes."""
from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from engine.fields import default_registry
from engine.schema.model import Choice, Field, Listing, RepositoryType, Status

REGISTRY = default_registry()
DIVISIONS = ("Medicine", "Surgery", "Women and Children")
STAFF = ("Nurses", "Doctors", "Pharmacists")


def field(name: str, type_name: str, label: str, **keys: Any) -> Field:
    return Field(name=name, type_name=type_name, label=label, kind=REGISTRY[type_name], **keys)


def qi_project() -> RepositoryType:
    """A repository type as the schema loader would build it from the shipped example."""
    return RepositoryType(
        name="qi-project", title="Quality improvement project", title_plural="Quality improvement projects",
        description="Improvement work across the trust.", reference_prefix="QI",
        fields=(
            field("title", "text", "Project title", required=True, max_length=250),
            field("summary", "textarea", "Summary"),
            field("division", "choice", "Division", choices=tuple(Choice(d, d) for d in DIVISIONS)),
            field("staff", "multichoice", "Staff groups", choices=tuple(Choice(s, s) for s in STAFF)),
            field("keywords", "tags", "Keywords"),
            field("started", "date", "Start date"),
            field("lead", "person", "Project lead"),
            field("cost", "number", "Cost"),
            field("published", "boolean", "Published"),
            field("report", "file", "Final report", accept=(".pdf", ".docx"), max_size_mb=1, multiple=True),
        ),
        statuses=(Status("Proposed"), Status("In progress"), Status("Completed", closed=True),
                  Status("Stopped", closed=True)),
        listing=Listing(columns=("reference", "title", "division", "status", "updated"),
                        facets=("status", "division", "staff"), sort="-updated"),
        record_title="title",
    )


def project(number: int, **values: Any) -> dict[str, Any]:
    """A plausible record: divisions, staff groups and dates vary with ``number``."""
    base = {
        "title": f"Project {number} on falls prevention" if number % 3 == 0 else f"Project {number} on sepsis",
        "summary": "We measured and improved. " * 4,
        "division": DIVISIONS[number % len(DIVISIONS)],
        "staff": [STAFF[number % 3], STAFF[(number + 1) % 3]] if number % 2 else [STAFF[number % 3]],
        "keywords": ["audit", "falls"] if number % 3 == 0 else ["sepsis"],
        "started": f"{2020 + number % 5}-{1 + number % 12:02d}-15",
        "lead": f"Lead {number % 7}",
        "cost": number * 10,
        "published": number % 2 == 0,
    }
    base.update(values)
    return {name: value for name, value in base.items() if value is not None}


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def docx_bytes() -> bytes:
    """A minimal Word package: a zip listing its parts in [Content_Types].xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def open_qi_store(folder: Path):
    from engine.store import open_store
    return open_store(qi_project(), folder)


@contextmanager
def both_stores(test_database, folder: Path, rtype: RepositoryType, fill: Callable[[Any], None]) -> Iterator[tuple]:
    """The embedded store in ``folder`` and a PostgreSQL store on a schema of the test database of its own,
    both filled by ``fill``: what the tests comparing the backends answer from. Closed, and the schema
    dropped, afterwards."""
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    from engine.store.tinydb import TinyDBStore
    url = test_database.site()
    both = (TinyDBStore(rtype, folder), PostgresStore(rtype, database(url), "test"))
    try:
        for store in both:
            fill(store)
        yield both
    finally:
        for store in both:
            store.close()
        test_database.drop_site(url)


@contextmanager
def upgraded_from(test_database, monkeypatch, filled, step_sql: str) -> Iterator[tuple[Any, Callable[[], list[str]]]]:
    """A database whose schema stops just before the step ``step_sql``, holding the repository row and the
    record rows of the PostgreSQL store ``filled`` (copied as they are): yields it and the upgrade that applies
    the rest (what each applied step brought). Closed, and its schema dropped, afterwards."""
    from engine.store.postgres import schema
    from engine.store.postgres.database import Database
    from engine.store.postgres.writing import RECORD_COLUMNS
    with filled.db.connection() as conn:
        source = conn.execute("SELECT current_schema()").fetchone()[0]
    every = schema.steps()
    before = [sql for _, sql in every].index(step_sql)
    url = test_database.site()
    db = Database(url, upgrade=False)
    try:
        monkeypatch.setattr(schema, "steps", lambda: every[:before])
        schema.upgrade(db)
        columns = ", ".join(("repo", "number", *RECORD_COLUMNS))
        with db.connection() as conn:
            conn.execute("INSERT INTO repositories (id, instance, repository) VALUES (%s, 'test', 'qi-project')",
                         (filled.repo,))
            conn.execute(f"INSERT INTO records ({columns}) SELECT {columns} FROM {source}.records")

        def upgrade() -> list[str]:
            monkeypatch.setattr(schema, "steps", lambda: every)
            return schema.upgrade(db)
        yield db, upgrade
    finally:
        db.close()
        test_database.drop_site(url)
