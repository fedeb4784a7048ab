"""``repo-engine db upgrade`` and starting on a database: the schema brought up to date and said so, the
backend named by ``check``, and a database out of reach said in one line, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.config import DATABASE_ENV
from engine.store.postgres.schema import steps
from engine.web.security import StartupRefused
from sitekit import ROOT, shipped_site
from web.conftest import make_app

#: Nothing listens here: a server that is down.
UNREACHABLE = "postgresql://postgres@127.0.0.1:9/repo_engine"


def test_upgrade_applies_every_step_to_a_fresh_database_then_nothing(postgres_url, monkeypatch, capsys):
    monkeypatch.setenv(DATABASE_ENV, postgres_url)
    assert main(["db", "upgrade"]) == 0
    lines = capsys.readouterr().out.splitlines()
    latest = len(steps())
    assert latest >= 5
    assert [line.split(":")[0] for line in lines[:-1]] == [f"Applied schema version {n}"
                                                           for n in range(1, latest + 1)]
    assert lines[-1] == f"Database schema is up to date (version {latest})"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"Database schema is up to date (version {latest})\n"


def test_upgrade_without_a_database_says_what_to_set(capsys):
    assert main(["db", "upgrade"]) == 1
    assert f"no database is configured: set {DATABASE_ENV}=postgresql://" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["db", "upgrade"], ["check"], ["users", "list"], ["seed"]])
def test_a_database_out_of_reach_is_one_line_and_a_failure(tmp_path, monkeypatch, capsys, command):
    shipped_site(tmp_path, monkeypatch)
    monkeypatch.setenv(DATABASE_ENV, UNREACHABLE)
    assert main(command) == 1
    err = capsys.readouterr().err
    assert err.startswith("repo-engine: Cannot connect to the database at ") and "port=9" in err
    assert f"({DATABASE_ENV})" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_a_site_on_a_database_out_of_reach_does_not_start(tmp_path):
    with pytest.raises(StartupRefused, match="Cannot connect to the database at .*port=9"):
        make_app(tmp_path, DATABASE_URL=UNREACHABLE)


def test_check_names_the_backend(tmp_path, monkeypatch, capsys, backend):
    shipped_site(tmp_path, monkeypatch)
    assert main(["check"]) == 0
    said = capsys.readouterr().out
    expected = "from PostgreSQL (" if backend == "postgresql" else "from the embedded store: no problems found"
    assert expected in said


def test_serve_and_gunicorn_stop_with_the_message_alone(tmp_path, monkeypatch, capsys):
    paths = shipped_site(tmp_path, monkeypatch)
    monkeypatch.setenv(DATABASE_ENV, UNREACHABLE)
    assert main(["serve"]) == 1
    assert "Cannot connect to the database at " in capsys.readouterr().err
    env = {**os.environ, "REPO_ENGINE_SCHEMAS": str(paths.schemas.resolve()),
           "REPO_ENGINE_INSTANCES": str(paths.instances.resolve())}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    finished = subprocess.run([str(gunicorn), "--workers", "1", "--bind", "127.0.0.1:0", "engine:create_app()"],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "Cannot connect to the database at " in finished.stderr and "Traceback" not in finished.stderr


def test_a_database_a_newer_release_upgraded_is_refused_at_start(tmp_path, postgres_url):
    import psycopg
    from engine.store.postgres.database import forget
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    make_app(tmp_path / "first", DATABASE_URL=postgres_url).extensions["repo_engine"].close()
    forget(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StartupRefused, match=f"schema is version 99; this release knows up to {len(steps())}"):
        make_app(tmp_path / "second", DATABASE_URL=postgres_url)
