"""``repo-engine serve``: starts the development server on every instance, or refuses a broken schema."""
from __future__ import annotations

from flask import Flask

from web.conftest import write_project
from engine.cli import main


def test_serve_runs_the_app_on_the_given_host_and_port(tmp_path, monkeypatch, capsys):
    write_project(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    started = {}
    monkeypatch.setattr(Flask, "run", lambda app, **options: started.update(options, app=app))
    code = main(["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"),
                 "serve", "--port", "5055"])
    assert code == 0
    assert (started["host"], started["port"]) == ("127.0.0.1", 5055)
    assert "qi" in started["app"].extensions["repo_engine"].project.instances
    assert "http://127.0.0.1:5055/" in capsys.readouterr().out


def test_serve_refuses_to_start_on_a_broken_schema(tmp_path, monkeypatch, capsys):
    write_project(tmp_path)
    (tmp_path / "schemas" / "qi-project.yaml").write_text("name: qi-project\ntitle: [unclosed\n")
    def refuse(app, **options):
        raise AssertionError("the server must not start")
    monkeypatch.setattr(Flask, "run", refuse)
    code = main(["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"), "serve"])
    assert code == 1
    assert "qi-project.yaml:" in capsys.readouterr().out
