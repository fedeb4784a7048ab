"""A notice acknowledged in a write is delivered exactly once, whatever crashes: a process killed right after
its write, a sender killed holding its claim, and two senders running at once, each against a real SMTP
server and the embedded store's outbox on disk."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from engine.cli import main
from engine.notify.notice import SENT
from web.conftest import write_project

pytestmark = pytest.mark.slow

WRITER = """
import sys, time
from datetime import datetime, timedelta, timezone
from engine.config import Paths
from engine.fields import default_registry
from engine.notify.notice import Notice
from engine.schema import load_project
from engine.store.base import NewRecord
from engine.store.tinydb import TinyDBStore

paths = Paths.from_env()
instance = load_project(paths, default_registry()).instances["qi"]
store = TinyDBStore(instance.repository("qi-project"), paths.instance_data("qi"))
notices = [Notice(event="submitted", channel="email", to=f"person{n}@example.nhs.uk", instance="qi",
                  repository="qi-project", title="Falls", status="Proposed", actor="ann") for n in range(3)]
[record] = store.insert_many([NewRecord({"title": "Falls", "division": "Medicine"}, notices=notices)], user="ann")
if sys.argv[1] == "claim":      # a sender that took them and died before sending
    store.outbox.claim(holder="doomed", now=datetime.now(timezone.utc), lease=timedelta(seconds=1))
print(record.reference, flush=True)
time.sleep(60)
"""

SENDER = """
import os, sys, time
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
from engine.cli import main
sys.exit(main(["outbox", "send"]))
"""


@pytest.fixture
def project(tmp_path, monkeypatch, mailbox):
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("REPO_ENGINE_SCHEMAS", str(tmp_path / "schemas"))
    monkeypatch.setenv("REPO_ENGINE_INSTANCES", str(tmp_path / "instances"))
    return tmp_path


def write_then_die(how: str) -> str:
    """Run the writer until it says its write is done, then SIGKILL it; the reference it wrote."""
    child = subprocess.Popen([sys.executable, "-c", WRITER, how], stdout=subprocess.PIPE, text=True)
    try:
        reference = child.stdout.readline().strip()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert reference.startswith("QI-"), "the writer did not finish its write"
    return reference


def store_outbox():
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project
    from engine.store.tinydb import TinyDBStore
    paths = Paths.from_env()
    instance = load_project(paths, default_registry()).instances["qi"]
    return TinyDBStore(instance.repository("qi-project"), paths.instance_data("qi"))


def test_notices_of_a_writer_killed_before_sending_are_each_sent_once(project, mailbox, capsys):
    reference = write_then_die("write")
    assert main(["outbox", "send"]) == 0
    assert main(["outbox", "send"]) == 0
    assert "Outbox: 3 sent" in capsys.readouterr().out
    assert sorted(to for _, [to] in mailbox.envelopes) == [f"person{n}@example.nhs.uk" for n in range(3)]
    assert len(set(mailbox.ids())) == 3
    assert all(message["Subject"].startswith(f"New quality improvement project {reference}: Falls")
               for message in mailbox.messages)


def test_a_claim_of_a_killed_sender_expires_and_the_next_sender_sends_it_once(project, mailbox, capsys):
    write_then_die("claim")
    store = store_outbox()
    try:
        held = store.outbox.deliveries()
        assert {one.holder for one in held} == {"doomed"} and len(held) == 3
        time.sleep(1.2)                                 # the dead sender's lease runs out
        assert main(["outbox", "send"]) == 0
        assert len(mailbox.messages) == 3 and len(set(mailbox.ids())) == 3
        assert {one.state for one in store.outbox.deliveries()} == {SENT}
    finally:
        store.close()


def test_two_senders_at_once_send_each_notice_exactly_once(project, mailbox):
    from engine.notify.notice import Notice
    store = store_outbox()
    try:
        store.outbox.queue([Notice(event="commented", channel="email", to=f"p{n}@example.nhs.uk", instance="qi",
                                   repository="qi-project", reference="QI-0001", title="Falls", comment=str(n))
                            for n in range(40)])
    finally:
        store.close()
    go = project / "go"
    senders = [subprocess.Popen([sys.executable, "-c", SENDER, str(go)], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    time.sleep(1.0)                                     # both have started before either may send
    go.touch()
    said = [sender.communicate(timeout=60)[0] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0]
    counts = Counter(to for _, [to] in mailbox.envelopes)
    assert len(counts) == 40 and set(counts.values()) == {1}, counts
    assert len(set(mailbox.ids())) == 40
    sent = [int(line.split()[1]) for text in said for line in text.splitlines() if line.startswith("Outbox:")]
    assert sum(sent) == 40, said
