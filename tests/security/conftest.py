"""Fixtures for the security tests: the page tests' app (every field type, instance ``qi``), with a signed-in
editor, and the same app with CSRF protection on as in production."""
from __future__ import annotations

import pytest

from access_helpers import sign_in
from web.conftest import app, make_app  # noqa: F401  (app: the page tests' fixture, used here as it is)


@pytest.fixture
def client(app):
    """A test client signed in as an editor of ``qi``: allowed to submit and edit, so only input is tested."""
    client = app.test_client()
    sign_in(client, app, "eve", role="editor")
    return client


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def csrf_client(csrf_app):
    """Signed in as someone who may do everything, so a missing token is the only reason to refuse."""
    client = csrf_app.test_client()
    sign_in(client, csrf_app, "ada", role="admin", site_admin=True)
    return client
