"""A command-line import while the web saves records in another process: both take the same lock and the
same log, so every record of each is kept, once, and no reference is handed out twice."""
from __future__ import annotations

import multiprocessing

import pytest

from exchangekit import Site

pytestmark = pytest.mark.slow
FORK = multiprocessing.get_context("fork")


def _submit_until_told(root, stop, acks) -> None:
    site = Site(root)
    number = 0
    while not stop.is_set():
        number += 1
        acks.send(site.records.create({"title": f"Submitted online {number}"}, user="web").reference)
    acks.close()


def test_an_import_while_the_web_writes_keeps_every_record_of_both(cli, site, tmp_path):
    rows = 300
    path = tmp_path / "tracker.csv"
    path.write_text("Project title\n" + "".join(f"Imported {n}\n" for n in range(rows)), encoding="utf-8")
    receiver, sender = FORK.Pipe(duplex=False)
    stop = FORK.Event()
    web = FORK.Process(target=_submit_until_told, args=(tmp_path, stop, sender))
    web.start()
    sender.close()
    assert receiver.poll(10), "the web process never saved"
    status, out, _ = cli("import", "qi", "tracker", str(path))
    stop.set()
    acknowledged = []
    while True:
        try:
            acknowledged.append(receiver.recv())
        except EOFError:
            break
    web.join(10)
    assert status == 0, out
    reopened = Site(tmp_path)
    stored = {record.reference: record.values["title"] for record in reopened.store.iter_all()}
    assert len(stored) == rows + len(acknowledged)
    assert set(acknowledged) <= set(stored) and len(set(acknowledged)) == len(acknowledged)
    assert sum(title.startswith("Imported") for title in stored.values()) == rows
    assert reopened.store.verify() == []
    reopened.close()
