"""Fixtures for the permission tests: the site of ``accesskit`` (four instances, a person per role)."""
from __future__ import annotations

import pytest

from access_helpers import PASSWORD, add_account
from accesskit import make_site


@pytest.fixture(scope="module")
def access_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("access"))
    yield site
    site.app.extensions["repo_engine"].close()


@pytest.fixture
def app(tmp_path):
    """A site checking CSRF tokens as in production, where Ann (editor of "closed") signs in with a password."""
    site = make_site(tmp_path, WTF_CSRF_ENABLED=True)
    add_account(site.app, "ann", "editor", "closed", password=PASSWORD, name="Ann Smith")
    yield site.app
    site.app.extensions["repo_engine"].close()
