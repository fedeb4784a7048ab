"""A small, valid project written to a temporary folder, and `repo-engine check` run on it as an author would."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.cli import main
from engine.config import Paths

QI = """\
name: qi
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
sections:
  - name: about
    title: About
fields:
  - name: title
    type: text
    label: Project title
    required: true
    section: about
  - name: division
    type: choice
    label: Division
    choices: [Medicine, Surgery]
  - name: outcomes
    type: textarea
    label: Outcomes
    required_when: {status: Completed}
  - name: compliance
    type: number
    label: Compliance
    min: 0
    max: 100
  - name: related
    type: reference
    label: Related audit
    target: audit
  - name: shared
    type: boolean
    label: Shared
    default: false
statuses: [Proposed, In progress, Completed]
listing:
  columns: [reference, title, status]
  facets: [status, division]
  sort: -updated
"""

AUDIT = """\
name: audit
title: Audit
title_plural: Audits
reference_prefix: AU
fields:
  - name: title
    type: text
    label: Audit title
statuses: [Registered, Completed]
"""

RESEARCH = """\
name: research
extends: qi
title: Research project
title_plural: Research projects
reference_prefix: RP
fields:
  - name: ethics_reference
    type: text
    label: Ethics reference
    after: title
change_fields:
  division: {choices: [Cancer, Cardiology]}
drop_fields: [compliance]
"""

TEAM = """\
title: Team
repositories:
  - qi
  - audit
  - extends: research
    fields: [{name: funder, type: text, label: Funder}]
"""

SOLO = """\
title: Solo
repositories: [audit]
"""

FILES = {
    "schemas/qi.yaml": QI,
    "schemas/audit.yaml": AUDIT,
    "schemas/research.yaml": RESEARCH,
    "instances/team/instance.yaml": TEAM,
    "instances/solo/instance.yaml": SOLO,
}


@dataclass
class Project:
    """The project folder; the current directory during the test, so messages show paths as typed."""
    root: Path

    @property
    def paths(self) -> Paths:
        return Paths(schemas=self.root / "schemas", instances=self.root / "instances")

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace one exact line of a file (or append lines when ``old`` is empty)."""
        text = (self.root / name).read_text(encoding="utf-8")
        if old:
            assert f"{old}\n" in text, f"{old!r} is not a line of {name}"
            text = text.replace(f"{old}\n", f"{new}\n", 1)
        else:
            text += f"{new}\n"
        self.write(name, text)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    built = Project(tmp_path)
    for name, text in FILES.items():
        built.write(name, text)
    return built


@pytest.fixture
def check(project, capsys):
    """Run `repo-engine check` on the project: (exit code, printed lines)."""
    def run() -> tuple[int, list[str]]:
        code = main(["--schemas", "schemas", "--instances", "instances", "check"])
        return code, capsys.readouterr().out.splitlines()
    return run
