"""``repo-engine serve`` sends the outbox from a background thread while it serves, and stops it after;
``--no-outbox`` or ``REPO_ENGINE_OUTBOX=off`` leave sending to another process."""
from __future__ import annotations

import threading

import pytest
from flask import Flask

from engine.cli import main
from notifykit import FixedOutboxes, MemoryOutbox, notice
from web.conftest import write_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    write_project(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("REPO_ENGINE_OUTBOX", raising=False)
    outbox = MemoryOutbox()
    monkeypatch.setattr("engine.notify.sender.ProjectOutboxes", lambda project, stores, paths: FixedOutboxes([outbox]))
    return ["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"), "serve"], outbox


def sender_threads():
    return [thread for thread in threading.enumerate() if thread.name == "outbox-sender"]


def test_serve_sends_the_outbox_while_it_serves_and_stops_sending_after(project, mailbox, monkeypatch):
    argv, outbox = project
    outbox.queue([notice()])

    def serve(app, **options):
        with mailbox.arrived:
            assert mailbox.arrived.wait_for(lambda: mailbox.messages, timeout=10)
    monkeypatch.setattr(Flask, "run", serve)
    assert main(argv) == 0
    assert len(mailbox.messages) == 1 and not sender_threads()


@pytest.mark.parametrize("off", [["--no-outbox"], "env"])
def test_serve_can_leave_the_outbox_to_another_process(project, monkeypatch, off):
    argv, outbox = project
    if off == "env":
        monkeypatch.setenv("REPO_ENGINE_OUTBOX", "off")
        off = []
    seen = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: seen.append(sender_threads()))
    assert main(argv + off) == 0
    assert seen == [[]]


def test_serve_sends_what_the_store_queued(tmp_path, monkeypatch, mailbox):
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project
    from engine.store.tinydb import TinyDBStore
    write_project(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("REPO_ENGINE_OUTBOX", raising=False)
    paths = Paths(tmp_path / "schemas", tmp_path / "instances", tmp_path / "data")
    instance = load_project(paths, default_registry()).instances["qi"]
    store = TinyDBStore(instance.repository("qi-project"), paths.instance_data("qi"))
    queued = notice(instance="qi")
    store.outbox.queue([queued])
    store.close()

    def serve(app, **options):
        with mailbox.arrived:
            assert mailbox.arrived.wait_for(lambda: mailbox.messages, timeout=10)
    monkeypatch.setattr(Flask, "run", serve)
    assert main(["--schemas", str(paths.schemas), "--instances", str(paths.instances), "serve"]) == 0
    [message] = mailbox.messages
    assert message["Message-ID"] == f"<notice-{queued.id}@example.nhs.uk>"
    assert message["Subject"] == "Reducing falls on Ward 7 was approved by Chris Jones"
