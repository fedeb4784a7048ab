"""A production site refuses to start with a missing, placeholder, short or repetitive secret key, and says so
plainly: from ``create_app``, from ``repo-engine serve`` and from gunicorn, without a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.web.security import UnsafeConfiguration
from web.conftest import make_app, write_project

STRONG = "9f2c4e71b0a85d3f6e19c27a4b8d05f3e6a1c9b72d48f0e5"
PRODUCTION = {"ENV": "production", "TESTING": False}


@pytest.mark.parametrize("key, reason", [
    (None, "SECRET_KEY is not set"),
    ("", "SECRET_KEY is not set"),
    ("dev", "placeholder"),
    ("change-me", "placeholder"),
    ("CHANGE_ME_IN_PRODUCTION_PLEASE_0123456789", "placeholder"),
    ("secret", "placeholder"),
    ("test", "placeholder"),
    ("a-short-but-random-7f3k", "it must be at least 32"),
    ("ab" * 30, "too few different characters"),
])
def test_production_refuses_a_weak_key_and_generates_none(tmp_path, monkeypatch, key, reason):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(UnsafeConfiguration) as refused:
        make_app(tmp_path, SECRET_KEY=key, **PRODUCTION)
    message = str(refused.value)
    assert message.startswith("Refusing to start in production (REPO_ENGINE_ENV=production): ")
    assert reason in message and "token_hex(32)" in message
    assert not (tmp_path / "data" / ".secret_key").exists()


def test_production_starts_with_a_strong_key_and_defaults_to_https(tmp_path):
    app = make_app(tmp_path, SECRET_KEY=STRONG, **PRODUCTION)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in app.test_client().get("/").headers


@pytest.mark.parametrize("config", [{"ENV": "development", "TESTING": False}, {"ENV": "production"},
                                    {"ENV": "production", "TESTING": False, "DEBUG": True}])
def test_outside_production_a_weak_key_still_starts(tmp_path, config):
    assert make_app(tmp_path, **{"SECRET_KEY": "dev", **config}).config["SECRET_KEY"] == "dev"


def test_serve_prints_the_refusal_without_a_traceback(tmp_path, monkeypatch, capsys):
    write_project(tmp_path)
    for name, value in {"REPO_ENGINE_DATA": str(tmp_path / "data"), "REPO_ENGINE_ENV": "production",
                        "SECRET_KEY": "change-me"}.items():
        monkeypatch.setenv(name, value)
    code = main(["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"), "serve"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Refusing to start in production" in err and "Traceback" not in err


def test_gunicorn_stops_with_the_message_alone(tmp_path):
    write_project(tmp_path)
    env = {**os.environ, "REPO_ENGINE_SCHEMAS": str(tmp_path / "schemas"),
           "REPO_ENGINE_INSTANCES": str(tmp_path / "instances"), "REPO_ENGINE_DATA": str(tmp_path / "data"),
           "REPO_ENGINE_ENV": "production", "SECRET_KEY": "dev"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    finished = subprocess.run([str(gunicorn), "--workers", "1", "--bind", "127.0.0.1:0", "engine:create_app()"],
                              env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode != 0
    assert "SECRET_KEY is a placeholder value" in finished.stderr
    assert "Traceback" not in finished.stderr
