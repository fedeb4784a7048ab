"""``repo-engine reindex``: the text of a file attached before extraction existed is extracted, and searched."""
from __future__ import annotations

import io
import re

from engine.cli import main
from engine.store.base import Query, Upload
from engine.web.app import create_app
from web.conftest import make_app


def test_reindex_extracts_missing_text_that_search_then_finds(tmp_path, monkeypatch, capsys):
    app = make_app(tmp_path)
    site = app.extensions["repo_engine"]
    hosted = site.repository("qi", "qi-project")
    record = site.records(hosted).create(
        {"title": "Ward round checklist", "division": "Medicine"}, user="ann",
        uploads={"report": [Upload("Charter.txt", io.BytesIO(b"Our charter mentions quillwort twice."))]})
    attachment = site.store(hosted).attachments(record.reference)[0]
    sidecar = tmp_path / "data" / "qi" / "qi-project" / "attachments" / f"{attachment.id}.txt"
    sidecar.unlink()                                # as for a file uploaded before text extraction existed
    site.close()

    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    folders = ["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances")]
    assert main([*folders, "reindex", "qi"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert len(said) == 1 and re.fullmatch(
        r"qi/qi-project: 1 record indexed in \d+\.\d\d s; text extracted from 1 more attached file", said[0])
    assert sidecar.read_text(encoding="utf-8") == "Our charter mentions quillwort twice."

    restarted = create_app({**app.config, "TESTING": True})
    store = restarted.extensions["repo_engine"].store(restarted.extensions["repo_engine"].repository("qi", "qi-project"))
    found = store.query(Query(q="quillwort"))
    assert [one.reference for one in found.records] == [record.reference]
    assert found.snippets[record.reference].where == "Charter.txt"
    restarted.extensions["repo_engine"].close()


def test_reindex_names_a_repository_the_instance_does_not_host(tmp_path, capsys):
    make_app(tmp_path).extensions["repo_engine"].close()
    folders = ["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances")]
    assert main([*folders, "reindex", "qi", "audits"]) == 1
    assert capsys.readouterr().err.strip() == "qi hosts no repository 'audits'. Its repositories: qi-project"
