"""Fixtures for the notification tests: a real SMTP server and a webhook receiver on local ports, and the
environment a sender reads pointing at them."""
from __future__ import annotations

import threading

import pytest

from notifykit import Hooks, Mailbox, start_smtp

BASE_URL = "https://repo.example.nhs.uk"
MAIL_FROM = "Repository Engine <repo-engine@example.nhs.uk>"


@pytest.fixture
def mailbox(monkeypatch):
    """Mail sent through REPO_ENGINE_SMTP_URL arrives here (``mailbox.messages``)."""
    box = Mailbox()
    controller = start_smtp(box)
    monkeypatch.setenv("REPO_ENGINE_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("REPO_ENGINE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("REPO_ENGINE_BASE_URL", BASE_URL)
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def hooks(monkeypatch):
    """Webhooks posted to TEST_WEBHOOK_URL arrive here (``hooks.posts``); ``hooks.status`` is its answer."""
    server = Hooks()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TEST_WEBHOOK_URL", server.url)
    monkeypatch.setenv("REPO_ENGINE_BASE_URL", BASE_URL)
    yield server
    server.shutdown()
    server.server_close()


OUTBOXES = ("memory", "store", "site")


@pytest.fixture(params=OUTBOXES)
def make_outbox(request, tmp_path):
    """Opens an outbox of each kind in turn: kept in memory, a repository store's, the site's. Each call
    opens another (a store of another repository, or a second site outbox on the same files)."""
    from engine.config import Paths
    from engine.store.outbox import site_outbox
    from engine.store.tinydb import TinyDBStore
    from notifykit import MemoryOutbox, repository_type
    opened = []

    def make(name: str = "qi-project"):
        if request.param == "memory":
            return MemoryOutbox()
        if request.param == "store":
            store = TinyDBStore(repository_type(name), tmp_path / "data")
            opened.append(store)
            return store.outbox
        outbox = site_outbox(Paths(tmp_path / "schemas", tmp_path / "instances", tmp_path / f"site-{name}"))
        opened.append(outbox)
        return outbox
    yield make
    for one in opened:
        one.close()
