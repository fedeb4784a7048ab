"""``repo-engine outbox send|list|resend`` on the shipped project, its outboxes kept in memory."""
from __future__ import annotations

import pytest

from engine.cli import main
from engine.notify.notice import FAILED, PENDING, SENT
from notifykit import FixedOutboxes, MemoryOutbox, notice, webhook_notice
from sitekit import shipped_site


@pytest.fixture
def outboxes(tmp_path, monkeypatch):
    shipped_site(tmp_path, monkeypatch)
    kept = [MemoryOutbox(), MemoryOutbox()]
    monkeypatch.setattr("engine.notify.sender.ProjectOutboxes", lambda project, stores, paths: FixedOutboxes(kept))
    return kept


def test_send_delivers_what_is_due_and_says_how_it_went(outboxes, mailbox, capsys):
    outboxes[0].queue([notice("submitted", status="Proposed"), notice(to="broken")])
    outboxes[1].queue([notice("commented", comment="Thanks")])
    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out.strip() == "Outbox: 2 sent, 1 to be tried again, 0 given up"
    subjects = sorted(message["Subject"] for message in mailbox.messages)
    # the type's title comes from the shipped project
    assert subjects == ["Chris Jones commented on Reducing falls on Ward 7",
                        "New improvement project QI-0012: Reducing falls on Ward 7"]


def test_list_shows_each_delivery_and_failed_only_the_given_up(outboxes, capsys):
    sent, waiting, given_up = notice(), webhook_notice(), notice(to="gone@example.nhs.uk")
    outboxes[0].queue([sent, waiting])
    outboxes[1].queue([given_up])
    outboxes[0].delivered(sent.id, now=None)
    outboxes[1].failed(given_up.id, "smtp://mail:25 refused gone@example.nhs.uk (550 No such mailbox)",
                       now=None, retry_at=None)
    assert main(["outbox", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "when", "event", "to", "state", "attempts", "error"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {sent.id, waiting.id, given_up.id}
    assert rows[waiting.id].split()[3:6] == ["TEST_WEBHOOK_URL", PENDING, "0"]
    assert rows[sent.id].split()[4] == SENT
    assert rows[given_up.id].endswith("refused gone@example.nhs.uk (550 No such mailbox)")
    assert main(["outbox", "list", "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == [given_up.id] and FAILED in lines[1]


def test_list_of_an_empty_outbox_says_so(outboxes, capsys):
    assert main(["outbox", "list"]) == 0
    assert capsys.readouterr().out.strip() == "The outbox is empty."
    assert main(["outbox", "list", "--failed"]) == 0
    assert capsys.readouterr().out.strip() == "No failed deliveries."


def test_resend_makes_a_given_up_delivery_pending_and_refuses_an_unknown_id(outboxes, capsys):
    given_up = notice()
    outboxes[1].queue([given_up])
    outboxes[1].failed(given_up.id, "no", now=None, retry_at=None)
    assert main(["outbox", "resend", given_up.id]) == 0
    assert "will be sent again" in capsys.readouterr().out
    assert outboxes[1].deliveries()[0].state == PENDING
    assert main(["outbox", "resend", "nosuchid"]) == 1
    assert "There is no delivery nosuchid" in capsys.readouterr().err


@pytest.fixture
def real_project(tmp_path, monkeypatch):
    from web.conftest import write_project
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("REPO_ENGINE_SCHEMAS", str(tmp_path / "schemas"))
    monkeypatch.setenv("REPO_ENGINE_INSTANCES", str(tmp_path / "instances"))
    from engine.config import Paths
    return Paths.from_env()


def test_send_list_and_resend_on_the_stores_and_the_site_outbox(real_project, mailbox, capsys):
    from engine.fields import default_registry
    from engine.schema import load_project
    from engine.store.outbox import site_outbox
    from engine.store.tinydb import TinyDBStore
    instance = load_project(real_project, default_registry()).instances["qi"]
    store = TinyDBStore(instance.repository("qi-project"), real_project.instance_data("qi"))
    site = site_outbox(real_project)
    good, broken = notice(instance="qi"), notice(instance="qi", to="nobody")
    digest = notice("digest", instance="qi", reference="", details={"query_words": "everything", "records": []})
    try:
        store.outbox.queue([good, broken])
        site.queue([digest])
    finally:
        store.close()
        site.close()
    assert main(["outbox", "send"]) == 0
    assert "Outbox: 2 sent, 1 to be tried again, 0 given up" in capsys.readouterr().out
    assert sorted(message["Subject"] for message in mailbox.messages) == [
        "Reducing falls on Ward 7 was approved by Chris Jones", "Your alert: 0 records for everything"]
    assert main(["outbox", "list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert set(rows) == {good.id, broken.id, digest.id}
    assert rows[broken.id].split()[4:6] == [PENDING, "1"] and rows[broken.id].endswith("is not an email address")
    assert main(["outbox", "resend", good.id]) == 0
    capsys.readouterr()
    assert main(["outbox", "send"]) == 0
    assert "Outbox: 1 sent, 0 to be tried again" in capsys.readouterr().out      # the broken one waits 1 minute
    assert [message["Message-ID"] for message in mailbox.messages].count(f"<notice-{good.id}@example.nhs.uk>") == 2
