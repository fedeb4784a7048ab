"""A site whose repository type a test can change between starts, as an author changes a YAML file: records
are written under one version of the type and read, edited, merged and restored under the next."""
from __future__ import annotations

import textwrap
from pathlib import Path

from access_helpers import sign_in
from engine.web.app import create_app

BASE = "/qi/project/"

PROJECT = """
name: project
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: aim, type: textarea, label: Aim}
  - {name: methodology, type: choice, label: Methodology, choices: [PDSA, Lean, Six Sigma, Other]}
  - name: methodology_other
    type: text
    label: Other methodology
    show_when: {methodology: Other}
    required_when: {methodology: Other}
  - {name: budget, type: number, label: Budget}
  - name: approval
    type: text
    label: Finance approval
    required_when: {budget: {greater_than: 5000}}
  - {name: lessons_learned, type: textarea, label: Lessons learned}
statuses: [Proposed, In progress, {name: Completed, closed: true}]
"""

INSTANCE = """
title: Quality Improvement Team
repositories: [project]
"""


class Site:
    """The project in ``root``; ``start()`` serves it as its files say now, ``change(old, new)`` edits the
    type's YAML as an author would, and a later ``start()`` serves the changed type on the same data."""

    def __init__(self, root: Path, schema: str = PROJECT):
        self.root = root
        (root / "schemas").mkdir()
        (root / "instances" / "qi").mkdir(parents=True)
        self.schema_file = root / "schemas" / "project.yaml"
        self.schema_file.write_text(textwrap.dedent(schema))
        (root / "instances" / "qi" / "instance.yaml").write_text(textwrap.dedent(INSTANCE))
        self.apps: list = []

    def change(self, old: str, new: str) -> None:
        text = self.schema_file.read_text()
        assert old in text, f"{old!r} is not in the type"
        self.schema_file.write_text(text.replace(old, new))

    def start(self):
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                          "SCHEMAS": str(self.root / "schemas"), "INSTANCES": str(self.root / "instances"),
                          "DATA": str(self.root / "data")})
        self.apps.append(app)
        return app

    def client(self, app, username: str = "ann", role: str = "editor"):
        client = app.test_client()
        sign_in(client, app, username, role, "qi")
        return client

    def records(self, app):
        site = app.extensions["repo_engine"]
        return site.records(site.repository("qi", "project"))

    def close(self) -> None:
        for app in self.apps:
            app.extensions["repo_engine"].close()
