"""Fixtures for the API tests: the page tests' project (every field type; instance ``qi``, which anyone may
read) plus ``private``, a members-only instance hosting the same type, and people with tokens."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.web.app import create_app
from apikit import bearer, make_token
from web.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]

PRIVATE = """title: Private Improvement Team
repositories: [qi-project]
access: {read: members, submit: members}
"""


@pytest.fixture
def app(tmp_path):
    (tmp_path / "instances" / "private").mkdir(parents=True)
    (tmp_path / "instances" / "private" / "instance.yaml").write_text(PRIVATE)
    app = make_app(tmp_path)
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def shipped(tmp_path):
    """The app serving the project in this repository: every shipped type and instance, data in tmp_path."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SCHEMAS": str(ROOT / "schemas"),
                      "INSTANCES": str(ROOT / "instances"), "DATA": str(tmp_path / "data")})
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(app):
    """``token(username, qi="editor", site_admin=False)``: see ``make_token``."""
    return lambda username, site_admin=False, **roles: make_token(app, username, site_admin, **roles)


@pytest.fixture
def editor(token) -> dict[str, str]:
    """Headers of an editor of ``qi`` (and of nothing else)."""
    return bearer(token("eve", qi="editor"))
