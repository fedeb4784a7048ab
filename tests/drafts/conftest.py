"""Fixtures for the drafts tests: the page tests' project (every field type, instance ``qi``), people with
roles in it, signed-in clients and API tokens."""
from __future__ import annotations

import pytest

from access_helpers import sign_in
from api.apikit import bearer, make_token
from web.conftest import make_app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def person(app):
    """``person(username, role)``: a test client signed in as that account, with ``role`` in ``qi``."""
    def signed_in(username: str, role: str | None = "contributor"):
        client = app.test_client()
        sign_in(client, app, username, role, "qi")
        return client
    return signed_in


@pytest.fixture
def token(app):
    """``token(username, role)``: the Authorization header of that account, with ``role`` in ``qi``."""
    return lambda username, role="contributor": bearer(make_token(app, username, **({"qi": role} if role else {})))


@pytest.fixture
def hosted(app):
    return app.extensions["repo_engine"].repository("qi", "qi-project")


@pytest.fixture
def drafts(app, hosted):
    return app.extensions["repo_engine"].drafts(hosted)


@pytest.fixture
def client(app):
    """Nobody signed in: API calls carry their token in ``headers``."""
    return app.test_client()
