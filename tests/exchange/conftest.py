"""Fixtures for exports and imports: a filled project and an empty one on ``tmp_path`` (see exchangekit.py),
and ``cli`` to run ``repo-engine`` on them."""
from __future__ import annotations

import pytest

from engine.cli import main
from exchangekit import Site, write_project


@pytest.fixture
def site(tmp_path):
    made = Site(tmp_path)
    yield made
    made.close()


@pytest.fixture
def empty(tmp_path):
    """The same project with a second, empty data folder: where exports are imported back."""
    made = Site(tmp_path, data="other-data")
    yield made
    made.close()


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run ``repo-engine`` on the project; returns (exit status, standard output, standard error)."""
    write_project(tmp_path)

    def run(*args: str, data: str = "data") -> tuple[int, str, str]:
        monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / data))
        status = main(["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"), *args])
        out, err = capsys.readouterr()
        return status, out, err
    return run
