"""Attachments through the Store contract: what is accepted, what is refused and why, how files are kept."""
from __future__ import annotations

import hashlib
import io

import pytest

from engine.errors import AttachmentNotFound, AttachmentRejected
from storekit import EXE, PDF, docx_bytes, project


@pytest.fixture
def saved(store):
    store.insert(project(1), user="ann")
    return store


def test_a_pdf_is_kept_with_its_checksum_under_a_generated_name(saved):
    attachment = saved.save_attachment("QI-0001", "report", "Final report.pdf", io.BytesIO(PDF), user="bob")
    assert attachment.filename == "Final report.pdf" and attachment.reference == "QI-0001"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest() and attachment.size == len(PDF)
    assert attachment.content_type == "application/pdf" and attachment.uploaded_by == "bob"
    assert "Final" not in attachment.id and "/" not in attachment.id
    assert saved.attachments("QI-0001") == [attachment]
    meta, stream = saved.open_attachment("QI-0001", attachment.id)
    with stream:
        assert meta == attachment and stream.read() == PDF
    record = saved.get("QI-0001")
    assert record.values["report"] == [attachment.id] and record.version == 2


def test_a_word_document_is_accepted(saved):
    attachment = saved.save_attachment("QI-0001", "report", "report.DOCX", io.BytesIO(docx_bytes()), user="bob")
    assert attachment.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize("filename, content, message", [
    ("setup.exe", EXE, "The file must be a PDF or Word document"),
    ("report.pdf", EXE, "The file must be a PDF or Word document"),          # an .exe renamed
    ("report.pdf", b"<html><script>alert(1)</script></html>", "The file must be a PDF or Word document"),
    ("report.docx", b"PK\x03\x04 not really a zip", "The file must be a PDF or Word document"),
    ("notes.txt", b"plain words", "The file must be a PDF or Word document"),
    ("report.pdf", PDF + b"x" * (1024 * 1024), "The file must be smaller than 1 MB"),
    ("empty.pdf", b"", "The selected file is empty"),
])
def test_refused_files_say_why_and_leave_nothing_behind(saved, filename, content, message):
    with pytest.raises(AttachmentRejected, match=message):
        saved.save_attachment("QI-0001", "report", filename, io.BytesIO(content), user="bob")
    assert saved.attachments("QI-0001") == [] and saved.get("QI-0001").version == 1
    folder = getattr(saved, "files", None)
    assert folder is None or not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ann\\<script>plan.pdf", "scriptplan.pdf"),
    ("  Audit\x00 report?.pdf ", "Audit report.pdf"),
])
def test_the_user_s_filename_is_only_kept_cleaned_for_display(saved, given, shown):
    attachment = saved.save_attachment("QI-0001", "report", given, io.BytesIO(PDF), user="bob")
    assert attachment.filename == shown


def test_removing_a_file_takes_it_off_the_record_and_keeps_the_history(saved):
    first = saved.save_attachment("QI-0001", "report", "a.pdf", io.BytesIO(PDF), user="bob")
    second = saved.save_attachment("QI-0001", "report", "b.pdf", io.BytesIO(PDF), user="bob")
    saved.delete_attachment("QI-0001", first.id, user="cat")
    assert [a.id for a in saved.attachments("QI-0001")] == [second.id]
    assert saved.get("QI-0001").values["report"] == [second.id]
    with pytest.raises(AttachmentNotFound):
        saved.open_attachment("QI-0001", first.id)
    changes = saved.history("QI-0001")[-1].changes
    assert [(c.name, c.old, c.new) for c in changes] == [("report", [first.id, second.id], [second.id])]


def test_an_attachment_belongs_to_its_own_record_only(saved):
    saved.insert(project(2), user="ann")
    attachment = saved.save_attachment("QI-0001", "report", "a.pdf", io.BytesIO(PDF), user="bob")
    with pytest.raises(AttachmentNotFound):
        saved.open_attachment("QI-0002", attachment.id)
    with pytest.raises(AttachmentNotFound):
        saved.delete_attachment("QI-0002", attachment.id, user="bob")


def test_staged_files_join_a_record_in_the_same_write_or_are_discarded(saved):
    kept = saved.stage_attachment("report", "a.pdf", io.BytesIO(PDF), user="bob")
    dropped = saved.stage_attachment("report", "b.pdf", io.BytesIO(PDF), user="bob")
    assert kept.reference == ""
    record = saved.insert(project(2, report=[kept.id]), user="bob", attachments=[kept])
    saved.discard_staged([dropped, kept])        # a registered file is never removed by a discard
    assert [a.id for a in saved.attachments(record.reference)] == [kept.id]
    with saved.open_attachment(record.reference, kept.id)[1] as stream:
        assert stream.read() == PDF
    if hasattr(saved, "files"):
        assert not (saved.files / dropped.id).exists()
