"""Fixtures for the page tests: an app on ``tmp_path`` serving one instance with a repository type written
here in YAML only (every field type), and a client signed in as ``ann``, an editor of that instance (the
permission tests in tests/access sign in each role in turn)."""
from __future__ import annotations

import textwrap

import pytest

from access_helpers import sign_in
from engine.web.app import create_app

REPOSITORY_TYPE = """
name: qi-project
title: Quality improvement project
title_plural: Quality improvement projects
description: Improvement work across the trust.
reference_prefix: QI
record_title: title
sections:
  - {name: about, title: About the project}
  - {name: results, title: Results}
fields:
  - {name: title, type: text, label: Project title, required: true, section: about}
  - {name: aim, type: textarea, label: Aim, help: What will improve and by when., section: about}
  - {name: division, type: choice, label: Division, required: true, choices: [Medicine, Surgery, Women and Children], section: about}
  - {name: domains, type: multichoice, label: Quality domains, choices: [Safe, Effective, Caring]}
  - {name: start_date, type: date, label: Start date}
  - {name: budget, type: number, label: Budget}
  - {name: patient_facing, type: boolean, label: Patient facing}
  - {name: lead_email, type: email, label: Lead email}
  - {name: website, type: url, label: Website}
  - {name: lead, type: person, label: Project lead}
  - {name: keywords, type: tags, label: Keywords}
  - {name: report, type: file, label: Report, accept: [.pdf, .txt], max_size_mb: 1}
  - {name: follows, type: reference, label: Follows, target: qi-project}
  - name: outcomes
    type: textarea
    label: Outcomes
    section: results
    show_when: {status: Completed}
    required_when: {status: Completed}
statuses: [Proposed, In progress, {name: Completed, closed: true}, {name: Stopped, closed: true}]
listing:
  columns: [reference, title, division, status, updated]
  facets: [status, division]
  per_page: 5
"""

INSTANCE = """
title: Quality Improvement Team
organisation: Example NHS Trust
repositories: [qi-project]
"""



def write_project(root):
    (root / "schemas").mkdir()
    (root / "schemas" / "qi-project.yaml").write_text(textwrap.dedent(REPOSITORY_TYPE))
    (root / "instances" / "qi").mkdir(parents=True)
    (root / "instances" / "qi" / "instance.yaml").write_text(textwrap.dedent(INSTANCE))


def make_app(tmp_path, **config):
    write_project(tmp_path)
    settings = {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                "DATA": str(tmp_path / "data"), **config}
    return create_app(settings)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def client(app):
    client = app.test_client()
    sign_in(client, app, "ann", "editor", "qi")
    return client
