"""A site as the trust uses it, for the page tests of a working day: the shipped repository types (the
improvement project and the evidence search that may support one) hosted by one instance, and Chris Jones
(username ``cjones``), an editor, signed in."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from access_helpers import add_account, signed_in_as
from engine.web.app import create_app

SHIPPED_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
PROJECTS = "/qi/qi-project/"
SEARCHES = "/qi/evidence-search/"
INSTANCE = """title: Quality Improvement Team
repositories: [qi-project, evidence-search]
"""


def make_day_app(tmp_path: Path):
    (tmp_path / "instances" / "qi").mkdir(parents=True)
    (tmp_path / "instances" / "qi" / "instance.yaml").write_text(INSTANCE)
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "SCHEMAS": str(SHIPPED_SCHEMAS), "INSTANCES": str(tmp_path / "instances"),
                       "DATA": str(tmp_path / "data")})


@pytest.fixture
def day_app(tmp_path):
    app = make_day_app(tmp_path)
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def chris(day_app):
    """A client signed in as Chris Jones, an editor of the instance."""
    add_account(day_app, "cjones", "editor", "qi", name="Chris Jones")
    return signed_in_as(day_app.test_client(), day_app, "cjones")


def improvement_project(**values) -> dict:
    """The new-project form filled in as it must be to save, with any answer replaced."""
    data = {"title": "Reducing falls on Ward 12", "aim": "Halve falls by March 2027.",
            "background": "Falls rose last winter.", "project_lead": "Chris Jones", "division": "Medicine",
            "methodology": "Lean", "start_date-day": "3", "start_date-month": "4", "start_date-year": "2026"}
    data.update(values)
    return data


def hosted(app, repo: str = "qi-project"):
    site = app.extensions["repo_engine"]
    return site.repository("qi", repo)


def store(app, repo: str = "qi-project"):
    site = app.extensions["repo_engine"]
    return site.store(hosted(app, repo))


def a_file(name: str, content: bytes = b"%PDF-1.4 a report"):
    return (io.BytesIO(content), name)
