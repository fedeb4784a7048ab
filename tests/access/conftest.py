"""Fixtures for the permission tests: the site of ``accesskit`` (four instances, a person per role)."""
from __future__ import annotations

import pytest

from access_helpers import PASSWORD, add_account
from accesskit import make_site
from pgkit import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def access_site(request, tmp_path_factory):
    """The site, once on each backend: on PostgreSQL, in a schema of the module's own (made once, as the
    site is, since filling it takes seconds)."""
    url = request.getfixturevalue("test_database").site() if request.param == "postgresql" else None
    site = make_site(tmp_path_factory.mktemp("access"), DATABASE_URL=url)
    yield site
    site.app.extensions["repo_engine"].close()
    if url:
        request.getfixturevalue("test_database").drop_site(url)


@pytest.fixture
def app(tmp_path):
    """A site checking CSRF tokens as in production, where Ann (editor of "closed") signs in with a password."""
    site = make_site(tmp_path, WTF_CSRF_ENABLED=True)
    add_account(site.app, "ann", "editor", "closed", password=PASSWORD, name="Ann Smith")
    yield site.app
    site.app.extensions["repo_engine"].close()
