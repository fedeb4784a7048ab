"""An improvement project type with a workflow and notify rules, built in Python over a YAML type (as an
instance adapts one), its store, accounts and the write path ``open_records`` makes: what the workflow tests
act on, in a test's own folder."""
from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

from engine.access.accounts import Accounts
from engine.access.policy import User
from engine.config import Paths
from engine.fields import default_registry
from engine.records import Records, open_records
from engine.schema import load_project
from engine.schema.model import Action, Audience, NotifyRule, Workflow
from engine.store import Stores

PROJECT = """
name: project
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: start_date, type: date, label: Start date}
  - {name: lead_email, type: text, label: Project lead}
  - {name: lessons, type: textarea, label: Lessons learned, required_when: {status: Closed}}
  - {name: replaces, type: reference, label: Replaces, target: project, multiple: true}
statuses: [Draft, Proposed, Approved, {name: Superseded, closed: true}, {name: Closed, closed: true}]
"""

INSTANCE = """
title: Quality Improvement Team
repositories: [project]
"""

SUBMIT = Action("Submit for review", ("Draft",), "Proposed", Audience(roles=("editor",), creator=True),
                comment="none")
APPROVE = Action("Approve", ("Proposed",), "Approved", Audience(roles=("editor",), fields=("lead_email",)),
                 requires=("start_date",), then_superseded="Superseded")
SEND_BACK = Action("Send back", ("Proposed",), "Draft", Audience(roles=("editor",)), comment="required")
CLOSE = Action("Close", ("Approved",), "Closed", Audience(roles=("admin",)))
WORKFLOW = Workflow((SUBMIT, APPROVE, SEND_BACK, CLOSE))

NOTIFY = (
    NotifyRule("submitted", Audience(roles=("editor",))),
    NotifyRule("submitted", webhook_env="TEAMS_QI_WEBHOOK", secret_env="TEAMS_QI_SECRET"),
    NotifyRule("action", Audience(fields=("lead_email",), creator=True), action="Approve"),
    NotifyRule("commented", Audience(creator=True)),
)
SECRET = "unsubscribe-test-secret"


def write_project(root: Path) -> Paths:
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "schemas" / "project.yaml").write_text(textwrap.dedent(PROJECT))
    (root / "instances" / "qi").mkdir(parents=True, exist_ok=True)
    (root / "instances" / "qi" / "instance.yaml").write_text(textwrap.dedent(INSTANCE))
    return Paths(root / "schemas", root / "instances", root / "data")


class Project:
    """The ``qi`` instance hosting ``project`` with ``workflow`` and ``notify`` (None: no workflow), people
    in ``accounts``, and ``records``, its write path as every path makes it."""

    def __init__(self, root: Path, workflow: Workflow | None = WORKFLOW, notify: tuple = NOTIFY):
        self.paths = write_project(root)
        instance = load_project(self.paths, default_registry()).instances["qi"]
        base = instance.repository("project")
        fields = tuple(replace(f, supersedes=True) if f.name == "replaces" else f for f in base.fields)
        self.rtype = replace(base, fields=fields, workflow=workflow, notify=notify)
        self.instance = replace(instance, repositories=(self.rtype,))
        self.stores = Stores(self.paths)
        self.accounts = Accounts(root / "site")
        self.records: Records = open_records(self.stores, self.instance, self.rtype, people=self.accounts,
                                             secret=SECRET)

    @property
    def store(self):
        return self.records.store

    def person(self, username: str, role: str | None = None, email: str | None = None,
               site_admin: bool = False) -> User:
        """The account ``username`` (made when missing, with ``username@nhs.net`` unless ``email`` says),
        with ``role`` in qi."""
        if self.accounts.get(username) is None:
            self.accounts.add(username, name=username.title(), site_admin=site_admin,
                              email=f"{username}@nhs.net" if email is None else email)
        if role is not None:
            self.accounts.grant(username, "qi", role)
        return self.accounts.get(username)

    def proposed(self, by: str = "cat", **values) -> "object":
        """A record ``by`` submitted and moved to Proposed (a start date given unless ``values`` say)."""
        author = self.person(by, "contributor")
        record = self.records.create({"title": "Sepsis screening", "start_date": "2026-01-05", **values},
                                     user=author.username)
        return self.records.act(record.reference, "submit-for-review", actor=author,
                                expected_version=record.version)

    def close(self) -> None:
        self.stores.close()
