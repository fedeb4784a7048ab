"""Fixtures for the alert tests: the site of ``alertkit``, without and with CSRF checks."""
from __future__ import annotations

import pytest

from alertkit import AlertSite, make_app


@pytest.fixture
def alert_site(tmp_path):
    app = make_app(tmp_path)
    yield AlertSite(app)
    app.extensions["repo_engine"].close()


@pytest.fixture
def csrf_site(tmp_path):
    """The same site checking CSRF tokens, as in production."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield AlertSite(app)
    app.extensions["repo_engine"].close()
