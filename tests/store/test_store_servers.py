"""What the PostgreSQL store guarantees a deployment of several application servers: each server's pool sees
the others' writes at once, edits and references stay safe across them, a writer killed mid-write loses
nothing it acknowledged, damaged rows are refused, and staged files never outlive their purpose."""
from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import signal
import threading
import time

import pytest

from engine.errors import (AttachmentNotFound, AttachmentRejected, DataDamaged, EditConflict, RecordNotFound,
                           ValidationFailed)
from engine.notify.notice import EMAIL, Notice
from engine.records import Records
from engine.schema.compile import RecordValidator
from engine.store.base import Move, Query, Upload
from engine.store.postgres.database import Database, database
from engine.store.postgres.outbox import PostgresOutbox
from engine.store.postgres.store import PostgresStore
from storekit import EXE, PDF, project, qi_project

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def servers(postgres_url):
    """Two stores of one repository, each on a pool of its own: two application servers."""
    pools = [Database(postgres_url), Database(postgres_url)]
    yield [PostgresStore(qi_project(), pool, "test") for pool in pools]
    for pool in pools:
        pool.close()


@pytest.fixture
def store(postgres_url) -> PostgresStore:
    return PostgresStore(qi_project(), database(postgres_url), "test")


def rows(store: PostgresStore, sql: str, *params) -> list[tuple]:
    with store.db.connection() as conn:
        return conn.execute(sql, params).fetchall()


def staged(store: PostgresStore) -> list[str]:
    """The ids of the files waiting for a record's write."""
    return [file_id for file_id, in rows(store, "SELECT id FROM attachments WHERE repo = %s AND number IS NULL",
                                         store.repo)]


def by_name(change) -> str:
    return change.name


def notice(**keys) -> Notice:
    return Notice(event="submitted", channel=EMAIL, to="lead@example.nhs.uk", instance="test",
                  repository="qi-project", **keys)


# -- two servers ---------------------------------------------------------------------------------------------
def test_two_servers_see_each_other_s_writes_at_once(servers):
    first, second = servers
    assert second.count() == 0
    first.insert(project(1), user="ann")
    assert second.get("QI-0001").values["title"] == project(1)["title"]
    second.update("QI-0001", project(1, title="Edited on the second"), user="bob", expected_version=1)
    assert first.get("QI-0001").values["title"] == "Edited on the second"
    assert [v.record.version for v in first.history("QI-0001")] == [1, 2]
    assert first.query(Query(q="second")).total == 1


def test_an_edit_from_a_stale_version_on_another_server_is_a_conflict(servers):
    first, second = servers
    first.insert(project(1), user="ann")
    first.update("QI-0001", project(1, title="First"), user="ann", expected_version=1)
    with pytest.raises(EditConflict) as conflict:
        second.update("QI-0001", project(1, title="Second"), user="bob", expected_version=1,
                      moves=[Move("QI-0001", "Stopped", "Superseded")], notices=[notice()])
    assert conflict.value.current.values["title"] == "First" and conflict.value.current.version == 2
    assert second.outbox.deliveries() == []


def test_the_revision_moves_on_with_the_other_server_s_writes_and_only_then(servers):
    first, second = servers
    seen = [second.revision()]
    first.insert(project(1), user="ann")
    seen.append(second.revision())
    first.update("QI-0001", project(1), user="ann", expected_version=1)        # changes nothing
    assert second.revision() == seen[-1]
    first.add_comment("QI-0001", "A comment", user="bob")
    seen.append(second.revision())
    first.set_watching("QI-0001", "bob", True)
    seen.append(second.revision())
    assert len(set(seen)) == len(seen) and first.revision() == seen[-1]


def test_servers_inserting_at_once_never_hand_out_a_reference_twice(servers):
    made: list[str] = []

    def insert_some(store: PostgresStore) -> None:
        for number in range(20):
            made.append(store.insert(project(number), user="thread").reference)
    threads = [threading.Thread(target=insert_some, args=(store,)) for store in (*servers, *servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(made) == [f"QI-{n:04d}" for n in range(1, 81)]
    assert servers[0].count() == 80 and servers[1].reference_free("QI-0081")


def test_a_workflow_move_and_an_edit_of_the_moved_record_on_two_servers_both_land(servers):
    first, second = servers
    first.insert(project(1), user="ann")
    first.insert(project(2), user="ann")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve() -> None:
        barrier.wait()
        first.update("QI-0002", project(2), user="ann", expected_version=1, status="Completed",
                     moves=[Move("QI-0001", "Stopped", "Superseded by QI-0002")])
        outcomes.append("approved")

    def edit() -> None:
        barrier.wait()
        try:
            second.update("QI-0001", project(1, title="Edited"), user="bob", expected_version=1)
            outcomes.append("edited")
        except EditConflict:
            outcomes.append("conflict")
    threads = [threading.Thread(target=approve), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    moved = first.get("QI-0001")
    assert "approved" in outcomes and moved.status == "Stopped"
    assert [v.record.version for v in first.history("QI-0001")] == list(range(1, moved.version + 1))


# -- a writer killed mid-write --------------------------------------------------------------------------------
def _insert_forever(url: str, acks) -> None:
    store = PostgresStore(qi_project(), database(url), "test")
    for number in range(10_000):
        acks.send(store.insert(project(number, lead="killed"), user="killed").reference)


def test_a_writer_killed_mid_write_loses_nothing_it_acknowledged(postgres_url):
    acknowledged: list[str] = []
    for pause in (0.05, 0.13, 0.2, 0.01):
        receiver, sender = FORK.Pipe(duplex=False)
        child = FORK.Process(target=_insert_forever, args=(postgres_url, sender))
        child.start()
        sender.close()
        assert receiver.poll(15), "the writer never acknowledged a record"
        time.sleep(pause)
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        while True:
            try:
                acknowledged.append(receiver.recv())
            except EOFError:
                break
    store = PostgresStore(qi_project(), database(postgres_url), "test")
    stored = [record.reference for record in store.iter_all()]
    assert set(acknowledged) <= set(stored) and len(stored) == len(set(stored))
    assert store.verify() == []
    assert store.insert(project(1), user="ann").reference == f"QI-{max(int(r[3:]) for r in stored) + 1:04d}"


# -- damaged rows ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ['{"reference": "QI-0002"}', '[1, 2, 3]', '"text"', 'null',
                                    '{"reference": "QI-0002", "status": "Proposed", "created": "yesterday", '
                                    '"created_by": "ann", "updated": "today", "updated_by": "ann", "version": 1}'])
def test_a_record_row_whose_document_cannot_be_read_is_refused_never_read_as_empty(store, damage):
    for number in (1, 2, 3):
        store.insert(project(number), user="ann")
    with store.db.connection() as conn:
        conn.execute("UPDATE records SET doc = %s::jsonb WHERE repo = %s AND number = 2", (damage, store.repo))
    with pytest.raises(DataDamaged) as refused:
        store.get("QI-0002")
    assert "QI-0002" in str(refused.value.path) and "QI-0002" in refused.value.report()
    for attempt in (lambda: store.history("QI-0002"), lambda: list(store.iter_all()),
                    lambda: store.update("QI-0002", project(2), user="bob", expected_version=1)):
        with pytest.raises(DataDamaged):
            attempt()
    assert store.get("QI-0001").version == 1
    assert [fault.path for fault in store.verify()] == [refused.value.path]
    assert store.has_held_data()


def test_a_history_row_that_cannot_be_read_is_found_by_verify(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, title="Edited"), user="bob", expected_version=1)
    with store.db.connection() as conn:
        conn.execute("UPDATE history SET doc = '{\"version\": 2}' WHERE repo = %s AND version = 2", (store.repo,))
    with pytest.raises(DataDamaged):
        store.history("QI-0001")
    [fault] = store.verify()
    assert "history of QI-0001" in fault.report()


def test_a_repository_that_never_held_data_is_empty_not_damaged(store):
    assert store.count() == 0 and store.verify() == [] and not store.has_held_data()
    store.insert(project(1), user="ann")
    store.delete("QI-0001", user="ann")
    assert store.count() == 0 and store.has_held_data()


# -- files ----------------------------------------------------------------------------------------------------
def test_a_large_file_is_kept_in_chunks_and_read_back_exactly(servers):
    first, second = servers
    first.insert(project(1), user="ann")
    content = PDF + os.urandom(2_500_000)
    # The QI type's report field takes files up to 1 MB: one taking 5 MB is used.
    roomy = dataclasses.replace(qi_project(), fields=tuple(
        dataclasses.replace(f, max_size_mb=5) if f.name == "report" else f for f in qi_project().fields))
    store = PostgresStore(roomy, first.db, "test")
    attachment = store.save_attachment("QI-0001", "report", "big.pdf", io.BytesIO(content), user="ann")
    assert len(rows(store, "SELECT chunk FROM attachment_content WHERE id = %s", attachment.id)) == 3
    meta, stream = PostgresStore(roomy, second.db, "test").open_attachment("QI-0001", attachment.id)
    with stream:
        assert stream.read(10) == content[:10] and stream.read() == content[10:]
    assert meta == attachment and staged(store) == []


def test_refused_uploads_and_failed_writes_leave_no_staged_file(store):
    records = Records(store.rtype, store, RecordValidator(store.rtype))
    with pytest.raises(ValidationFailed):
        records.create(project(1, title=None), user="ann", uploads={"report": [Upload("a.pdf", io.BytesIO(PDF))]})
    with pytest.raises(ValidationFailed):
        records.create(project(1), user="ann", uploads={"report": [Upload("a.pdf", io.BytesIO(PDF)),
                                                                  Upload("v.pdf", io.BytesIO(EXE))]})
    with pytest.raises(AttachmentRejected):
        store.stage_attachment("report", "v.pdf", io.BytesIO(EXE), user="ann")
    record = records.create(project(1), user="ann")
    records.update(record.reference, {"title": "Edited first"}, user="bob", expected_version=1)
    with pytest.raises(EditConflict):
        records.update(record.reference, {"title": "Again"}, user="cat", expected_version=1,
                       uploads={"report": [Upload("b.pdf", io.BytesIO(PDF))]})
    assert staged(store) == [] and rows(store, "SELECT count(*) FROM attachment_content")[0][0] == 0


def test_a_staged_file_taken_by_no_write_is_swept_once_stale(store):
    store.insert(project(1), user="ann")
    kept = store.save_attachment("QI-0001", "report", "kept.pdf", io.BytesIO(PDF), user="ann")
    left = store.stage_attachment("report", "left.pdf", io.BytesIO(PDF), user="ann")
    fresh = store.stage_attachment("report", "fresh.pdf", io.BytesIO(PDF), user="ann")
    with store.db.connection() as conn:
        conn.execute("UPDATE attachments SET uploaded = uploaded - interval '2 hours' WHERE id = ANY(%s)",
                     ([kept.id, left.id],))
    assert store.sweep() == 1 and staged(store) == [fresh.id]
    with pytest.raises(AttachmentNotFound):        # the write of a record naming a swept file is refused
        store.insert(project(2, report=[left.id]), user="ann", attachments=[left])
    assert store.count() == 1 and [a.id for a in store.attachments("QI-0001")] == [kept.id]


def test_text_extracted_later_is_served_and_searched_by_every_server(servers):
    import docx
    first, second = servers
    document = docx.Document()
    document.add_paragraph("The word quillwort is only in this file.")
    buffer = io.BytesIO()
    document.save(buffer)
    record = first.insert(project(1), user="ann")
    attachment = first.save_attachment(record.reference, "report", "notes.docx", io.BytesIO(buffer.getvalue()),
                                       user="ann")
    assert second.attachment_text(attachment.id) == "The word quillwort is only in this file."
    with first.db.connection() as conn:
        conn.execute("UPDATE attachments SET text = NULL WHERE id = %s", (attachment.id,))
    assert second.attachment_text(attachment.id) is None
    before = second.revision()
    assert first.extract_missing_texts() == 1 and first.extract_missing_texts() == 0
    assert second.revision() != before and second.attachment_text(attachment.id).startswith("The word")
    assert [r.reference for r in second.query(Query(q="quillwort")).records] == [record.reference]


# -- outboxes -------------------------------------------------------------------------------------------------
def test_the_site_outbox_and_a_repository_s_are_apart(store):
    site = PostgresOutbox(store.db, None)
    assert site.queue([notice(key="digest:1")]) == 1 and store.outbox.queue([notice(key="digest:1")]) == 1
    assert site.queue([notice(key="digest:1")]) == 0
    assert site.has_key("digest:1") and len(site.deliveries()) == 1 and len(store.outbox.deliveries()) == 1


def test_records_deleted_on_one_server_are_gone_from_the_other_s_pages(servers):
    first, second = servers
    for number in (1, 2):
        first.insert(project(number), user="ann")
    second.delete("QI-0001", user="admin")
    with pytest.raises(RecordNotFound):
        first.get("QI-0001")
    assert [r.reference for r in first.iter_all()] == ["QI-0002"]
    assert first.add_comment("QI-0002", "Still here", user="bob").reference == "QI-0002"
    assert second.comments("QI-0002")[0].text == "Still here"


def test_a_migration_brings_old_names_to_today_s_and_reads_the_same(postgres_url):
    from evolution.evolutionkit import after, before, old_record
    db = database(postgres_url)
    old = PostgresStore(before(), db, "test")
    for number in range(1, 5):
        old.insert(old_record(number), user="ann")
        old.update(f"QI-{number:04d}", old_record(number, lessons_learned=f"Lesson {number}, revised"),
                   user="bob", expected_version=1)
    store = PostgresStore(after(), db, "test")
    seen = [(r.values, r.version) for r in store.iter_all()]
    # A JSONB document keeps its keys in an order of its own, so the changes are compared by name.
    history = [(v.record.values, sorted(v.changes, key=by_name)) for v in store.history("QI-0003")]
    done = store.migrate()
    assert (done.records, done.versions) == (4, 4) and done.renames["lessons_learned -> lessons"] == 4
    assert [(r.values, r.version) for r in store.iter_all()] == seen
    assert [(v.record.values, sorted(v.changes, key=by_name)) for v in store.history("QI-0003")] == history
    stored = [doc for doc, in rows(store, "SELECT doc FROM records WHERE repo = %s", store.repo)]
    assert all("lessons" in doc and "lessons_learned" not in doc for doc in stored)
    assert {doc["type_revision"] for doc in stored} == {after().revision}
    assert not store.migrate().rewrote


def test_an_upload_whose_text_cannot_be_read_is_still_stored_and_only_ids_are_read(store):
    from storekit import docx_bytes
    store.insert(project(1), user="ann")
    damaged = docx_bytes()          # a zip that passes the type check but is no real Word document
    attachment = store.save_attachment("QI-0001", "report", "odd.docx", io.BytesIO(damaged), user="bob")
    with store.open_attachment("QI-0001", attachment.id)[1] as stream:
        assert stream.read() == damaged
    assert store.attachment_text(attachment.id) is None
    for asked in ("../../etc/passwd", "", "x" * 32, attachment.id.upper(), "0" * 32):
        assert store.attachment_text(asked) is None


def test_a_create_repeated_on_another_server_is_not_made_again(servers):
    from engine.errors import IdempotencyKeyReused
    from engine.store.base import Idempotency, NewRecord
    first, second = servers
    asked = Idempotency("client:key-1", "fingerprint")
    made, = first.insert_many([NewRecord(project(1), idempotency=asked, notices=[notice()])], user="api")
    again, = second.insert_many([NewRecord(project(1), idempotency=asked, notices=[notice()])], user="api")
    assert again == made and second.count() == 1 and len(second.outbox.deliveries()) == 1
    assert second.created_with("client:key-1") == made.reference and second.created_with("other") is None
    with pytest.raises(IdempotencyKeyReused):
        second.insert_many([NewRecord(project(2), idempotency=Idempotency("client:key-1", "other"))], user="api")
    assert first.count() == 1
