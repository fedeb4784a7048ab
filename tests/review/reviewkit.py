"""What the review tests share: a guideline type written here in YAML (a review date, an owner's email, a
``supersedes: true`` reference and an approval that supersedes), one instance hosting it, its stores and
accounts on ``tmp_path``, and guidelines put straight into the store with the dates a test needs."""
from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

from engine.access.accounts import Accounts
from engine.config import Paths
from engine.fields import default_registry
from engine.schema import load_project
from engine.store import Stores

INSTANCE, REPO = "cg", "guideline"
TODAY = date(2026, 12, 2)

GUIDELINE = """
name: guideline
title: Guideline
title_plural: Guidelines
description: Guidelines approved for use in the trust.
reference_prefix: GL
record_title: title
fields:
  - {name: title, type: text, label: Title, required: true}
  - {name: owner, type: person, label: Owner}
  - {name: owner_email, type: email, label: Owner's email}
  - {name: pharmacist, type: email, label: Pharmacist}
  - {name: review_date, type: date, label: Review date}
  - {name: supersedes, type: reference, label: Replaces, target: guideline, supersedes: true}
statuses: [Draft, Approved, {name: Superseded, closed: true}, {name: Withdrawn, closed: true}]
workflow:
  - {action: Approve, from: [Draft], to: Approved, who: [editor], then: {superseded: Superseded}}
  - {action: Withdraw, from: [Approved], to: Withdrawn, who: [editor]}
review: {date: review_date, owner: owner_email, remind: [90, 30, 0]}
listing: {columns: [reference, title, review_date, status], facets: [status]}
"""
RULES = """
notify:
  - {on: review_overdue, to: [role: editor, field: pharmacist]}
  - {on: review_due, webhook: {url_env: TEAMS_GUIDELINES_WEBHOOK}}
"""


def write_project(root: Path, rules: bool = False) -> Paths:
    (root / "schemas").mkdir(exist_ok=True)
    (root / "schemas" / "guideline.yaml").write_text(textwrap.dedent(GUIDELINE) + (RULES if rules else ""))
    (root / "instances" / INSTANCE).mkdir(parents=True, exist_ok=True)
    (root / "instances" / INSTANCE / "instance.yaml").write_text("title: Clinical Guidelines\n"
                                                                 "repositories: [guideline]\n")
    return Paths(schemas=root / "schemas", instances=root / "instances", data=root / "data")


def add_guideline(store, today: date, title: str = "Sepsis in adults", *, days: int | None = 30,
                  status: str = "Approved", **values):
    """A guideline due for review ``days`` after ``today`` (none when None), owned by Dr Aisha Rahman."""
    due = {} if days is None else {"review_date": (today + timedelta(days=days)).isoformat()}
    return store.insert({"title": title, "owner_email": "aisha.rahman@example.nhs.uk", **due, **values},
                        user="ann", status=status)


class Guidelines:
    """The instance's guideline store, the accounts, and a way to add guidelines due ``days`` from TODAY."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.project = load_project(paths, default_registry())
        self.instance = self.project.instances[INSTANCE]
        self.rtype = self.instance.repository(REPO)
        self.stores = Stores(paths)
        self.store = self.stores.get(self.instance, self.rtype)
        self.accounts = Accounts(paths.site_data)

    def add(self, title: str = "Sepsis in adults", **values):
        return add_guideline(self.store, TODAY, title, **values)

    def close(self) -> None:
        self.stores.close()
