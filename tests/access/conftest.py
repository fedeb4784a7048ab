"""Fixtures for the permission tests: the site of ``accesskit`` (four instances, a person per role)."""
from __future__ import annotations

import pytest

from accesskit import make_site


@pytest.fixture(scope="module")
def access_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("access"))
    yield site
    site.app.extensions["repo_engine"].close()
