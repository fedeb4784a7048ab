"""The text extracted from uploads: kept beside the file when it is accepted, served by the store for search."""
from __future__ import annotations

import io
import logging

import docx
import pytest

from engine.store import attachments as files
from storekit import PDF, docx_bytes, project

# The text is kept in a sidecar file beside each upload, read here; the database keeps it in the attachment's
# row, and test_store_servers.py holds the same behaviour to account there.
pytestmark = pytest.mark.embedded


def word_file(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def saved(store):
    store.insert(project(1), user="ann")
    return store


def test_an_upload_keeps_its_text_and_the_store_serves_it(saved):
    attachment = saved.save_attachment("QI-0001", "report", "Final report.docx",
                                       io.BytesIO(word_file("Sepsis six bundle", "Lactate within an hour")),
                                       user="bob")
    assert saved.attachment_text(attachment.id) == "Sepsis six bundle\nLactate within an hour"
    assert files.text_path(saved.files, attachment.id).read_text(encoding="utf-8") == \
        "Sepsis six bundle\nLactate within an hour"
    assert sorted(p.name for p in saved.files.iterdir()) == [attachment.id, f"{attachment.id}.txt"]


def test_staged_uploads_keep_their_text_and_a_discarded_one_leaves_none_behind(saved):
    kept = saved.stage_attachment("report", "a.docx", io.BytesIO(word_file("Kept words")), user="bob")
    dropped = saved.stage_attachment("report", "b.docx", io.BytesIO(word_file("Dropped words")), user="bob")
    saved.insert(project(2, report=[kept.id]), user="bob", attachments=[kept])
    saved.discard_staged([dropped])
    assert saved.attachment_text(kept.id) == "Kept words"
    assert saved.attachment_text(dropped.id) is None
    assert not files.text_path(saved.files, dropped.id).exists()


def test_an_upload_whose_text_cannot_be_read_is_still_stored(saved, caplog):
    damaged = docx_bytes()          # a zip that passes the type check but is no real Word document
    attachment = saved.save_attachment("QI-0001", "report", "odd.docx", io.BytesIO(damaged), user="bob")
    assert [a.id for a in saved.attachments("QI-0001")] == [attachment.id]
    with saved.open_attachment("QI-0001", attachment.id)[1] as stream:
        assert stream.read() == damaged
    assert saved.attachment_text(attachment.id) is None
    assert [r.levelno for r in caplog.records if r.name == "engine.search"] == [logging.WARNING]
    assert not files.text_path(saved.files, attachment.id).exists()


def test_a_file_without_text_has_no_sidecar(saved):
    attachment = saved.save_attachment("QI-0001", "report", "blank.pdf", io.BytesIO(PDF), user="bob")
    assert saved.attachment_text(attachment.id) is None
    assert [p.name for p in saved.files.iterdir()] == [attachment.id]


@pytest.mark.parametrize("asked", ["../../etc/passwd", "../secret", "ABCDEF0123456789ABCDEF0123456789", "", "x" * 32])
def test_only_an_attachment_id_is_read(saved, asked):
    saved.save_attachment("QI-0001", "report", "a.docx", io.BytesIO(word_file("words")), user="bob")
    (saved.files.parent / "secret.txt").write_text("not for search", encoding="utf-8")   # ../secret + .txt
    assert saved.attachment_text(asked) is None


def test_an_unknown_id_has_no_text(saved):
    assert saved.attachment_text("0" * 32) is None


def test_texts_missing_for_older_uploads_are_extracted(saved):
    first = saved.save_attachment("QI-0001", "report", "a.docx", io.BytesIO(word_file("Falls audit")), user="bob")
    second = saved.save_attachment("QI-0001", "report", "b.pdf", io.BytesIO(PDF), user="bob")
    files.text_path(saved.files, first.id).unlink()        # as if uploaded before extraction existed
    assert saved.attachment_text(first.id) is None
    ticks: list[int] = []
    assert saved.extract_missing_texts(progress=ticks.append) == 1
    assert ticks == [1, 1] and saved.attachment_text(first.id) == "Falls audit"
    assert saved.attachment_text(second.id) is None
    assert saved.extract_missing_texts() == 0           # nothing left to do; the sidecar is not rewritten


def test_text_extracted_by_another_process_is_searched_by_a_running_one(store_factory):
    """``repo-engine reindex`` runs beside the servers: their indexes must take in the text it extracts."""
    from engine.store.base import Query
    serving, reindexing = store_factory(), store_factory()
    record = serving.insert(project(1), user="ann")
    staged = serving.save_attachment(record.reference, "report", "notes.docx",
                                     io.BytesIO(word_file("The word quillwort is only in this file.")), user="ann")
    sidecar = serving.files / f"{staged.id}.txt"
    sidecar.unlink()                                        # as for a file attached before extraction
    assert serving.query(Query(q="quillwort")).total == 0  # the serving process builds its index now
    assert reindexing.extract_missing_texts() == 1
    found = serving.query(Query(q="quillwort"))
    assert [one.reference for one in found.records] == [record.reference]
