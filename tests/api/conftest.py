"""Fixtures for the API tests: the page tests' project (every field type; instance ``qi``, which anyone may
read) plus ``private``, a members-only instance hosting the same type, and people with tokens."""
from __future__ import annotations

import pytest

from web.conftest import make_app

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
def client(app):
    return app.test_client()


@pytest.fixture
def token(app):
    """``token(username, qi="editor", site_admin=False)``: a new account with those roles, and its token."""
    accounts = app.extensions["repo_engine"].accounts

    def make(username: str, site_admin: bool = False, **roles: str) -> str:
        accounts.add(username, name=username.title(), site_admin=site_admin)
        for instance, role in roles.items():
            accounts.grant(username, instance, role)
        return accounts.create_token(username, "tests")
    return make


@pytest.fixture
def editor(token) -> dict[str, str]:
    """Headers of an editor of ``qi`` (and of nothing else)."""
    return bearer(token("eve", qi="editor"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
