"""Shared data for the export and import tests: a project written in YAML with a field of every type, records
holding a value of every type, and ``Site``, a project with its store and write path on a folder."""
from __future__ import annotations

import io
import textwrap
from datetime import datetime, timezone
from pathlib import Path

from engine.config import Paths
from engine.fields import default_registry
from engine.records import Records
from engine.schema import load_project
from engine.schema.compile import RecordValidator
from engine.store import open_store
from engine.store.base import Upload

TRACKER = """
name: tracker
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: aim, type: textarea, label: Aim}
  - {name: budget, type: number, label: Budget}
  - {name: start_date, type: date, label: Start date}
  - {name: division, type: choice, label: Division, choices: [{value: med, label: Medicine}, {value: surg, label: Surgery}]}
  - {name: domains, type: multichoice, label: Quality domains, choices: [Safe, Effective, Caring]}
  - {name: patient_facing, type: boolean, label: Patient facing}
  - {name: lead_email, type: email, label: Lead email}
  - {name: website, type: url, label: Website}
  - {name: lead, type: person, label: Project lead}
  - {name: keywords, type: tags, label: Keywords}
  - {name: report, type: file, label: Report, accept: [.pdf, .txt], multiple: true}
  - {name: follows, type: reference, label: Follows, target: tracker}
statuses: [Proposed, In progress, {name: Completed, closed: true}]
listing:
  columns: [reference, title, division, status, updated]
  facets: [status, division]
  sort: reference
"""

INSTANCE = """
title: Quality Improvement Team
repositories: [tracker]
"""

#: A value of every field type, twice over, and a record with only its required field.
FULL = [
    {"title": "Sepsis screening =SUM(A1)", "aim": "Screen within one hour.\nEvery time.", "budget": -1250.5,
     "start_date": "2025-03-05", "division": "surg", "domains": ["Safe", "Caring"], "patient_facing": True,
     "lead_email": "ann.lee@nhs.net", "website": "https://www.nhs.uk/conditions/sepsis/", "lead": "Ann Lee",
     "keywords": ["sepsis", "ED"], "follows": "QI-0003"},
    {"title": "@Falls: fewer falls", "aim": "+10% lying and standing blood pressure", "budget": 300,
     "start_date": "2024-12-31", "division": "med", "domains": ["Effective"], "patient_facing": False,
     "lead_email": "bob@example.org", "website": "https://example.org/a?b=c", "lead": "-Bob Smith",
     "keywords": ["falls"], "follows": "QI-0001"},
    {"title": "Only a title"},
]
CREATED = datetime(2023, 7, 14, 9, 30, 5, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def write_project(root: Path) -> Paths:
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "schemas" / "tracker.yaml").write_text(textwrap.dedent(TRACKER))
    (root / "instances" / "qi").mkdir(parents=True, exist_ok=True)
    (root / "instances" / "qi" / "instance.yaml").write_text(textwrap.dedent(INSTANCE))
    return Paths(root / "schemas", root / "instances", root / "data")


class Site:
    """One project with its data folder: the repository type, its store and its write path."""

    def __init__(self, root: Path, data: str = "data"):
        self.paths = write_project(root)
        self.data = root / data
        self.rtype = load_project(self.paths, default_registry()).instances["qi"].repository("tracker")
        self.store = open_store(self.rtype, self.data / "qi")
        self.records = Records(self.rtype, self.store, RecordValidator(self.rtype))

    def fill(self) -> None:
        """The FULL records, the first with a PDF, the second Completed, created by someone else long ago."""
        self.records.create(FULL[0], user="ann", uploads={"report": [Upload("sepsis report.pdf", io.BytesIO(PDF))]})
        self.records.create(FULL[1], user="importer", status="Completed", created=CREATED, created_by="Bob Smith")
        self.records.create(FULL[2], user="ann", status="In progress")

    def close(self) -> None:
        self.store.close()
