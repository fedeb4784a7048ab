"""Hostile files through the submission form: folder-climbing and double-extension names, executables renamed
as documents, control and direction characters in names. Each is refused with the field's message and leaves
nothing behind, or is kept under a generated name and sent back only as a download."""
from __future__ import annotations

import io

import pytest

from access_helpers import sign_in
from hostile import assert_no_injected_markup, data_fingerprint, page_of, records_in
from web import conftest as web
from web.webpages import BASE, project

PDF = b"%PDF-1.4 a report"
TYPE_MESSAGE = "The file must be a PDF or text file"


BOUNDARY = "----hostile-upload-boundary"


def as_browsers_send(name: str, content: bytes) -> bytes:
    """The form as a multipart body, the file's name escaped as browsers do (``"``, CR and LF as %22, %0D,
    %0A: the test client writes names unescaped, which no browser sends)."""
    escaped = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in project().items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="report"; filename="{escaped}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def send(client, name: str, content: bytes = PDF):
    return client.post(BASE + "new", data=as_browsers_send(name, content),
                       content_type=f"multipart/form-data; boundary={BOUNDARY}")


def error_summary(response) -> str:
    return page_of(response).select_one(".nhsuk-error-summary").get_text(" ", strip=True)


@pytest.mark.parametrize("name, content, message", [
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", TYPE_MESSAGE),
    ("report.pdf.exe", b"MZ\x90\x00\x03", TYPE_MESSAGE),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", TYPE_MESSAGE),
    ("notes.txt", b"MZ\x90\x00 a renamed program", TYPE_MESSAGE),
    ("script.txt", b"#!/bin/sh\nrm -rf /\n", TYPE_MESSAGE),
    ("fake.pdf", b"<html><script>alert(1)</script></html>", TYPE_MESSAGE),
    ("page.html", b"<script>alert(1)</script>", TYPE_MESSAGE),
    ("image.svg", b"<svg onload=alert(1)></svg>", TYPE_MESSAGE),
    ("report.pdf\x00.exe", PDF, TYPE_MESSAGE),
    ("report\u202etxt.exe", PDF, TYPE_MESSAGE),
    ("empty.pdf", b"", "The selected file is empty"),
    ("large.pdf", PDF + b"0" * (1024 * 1024), "The file must be smaller than 1 MB"),
])
def test_a_refused_file_gets_the_field_message_and_nothing_is_kept(app, client, tmp_path, name, content, message):
    before = data_fingerprint(tmp_path / "data")
    response = send(client, name, content)
    assert response.status_code == 400
    assert message in error_summary(response)
    assert_no_injected_markup(response)
    assert records_in(app) == []
    after = data_fingerprint(tmp_path / "data")
    assert not [path for path in after if "attachments" in path and path not in before]


@pytest.mark.parametrize("name, shown", [
    ("../../../outside.pdf", "outside.pdf"),
    ("..\\..\\windows\\outside.pdf", "outside.pdf"),
    ("/etc/outside.pdf", "outside.pdf"),
    ("out\x00side.pdf", "outside.pdf"),
    ("line\r\nbreak.pdf", "line%0D%0Abreak.pdf"),
    ('"><img src=x onerror=alert(1)>.pdf', "img src=x onerror=alert(1).pdf"),
    ("invoice\u202efdp.txt", "invoicefdp.txt"),          # shown as "invoicetxt.pdf" with the override kept
    ("r\u00e9sum\u00e9 \U0001F3E5.pdf", "r\u00e9sum\u00e9 \U0001F3E5.pdf"),
    ("a" * 240 + ".pdf", "a" * 196 + ".pdf"),           # a long name keeps its type when shortened
])
def test_a_kept_file_has_a_generated_name_and_a_cleaned_display_name(app, client, tmp_path, name, shown):
    content = b"plain notes" if name.endswith(".txt") else PDF
    response = send(client, name, content)
    assert response.status_code == 302, error_summary(response)
    assert not list(tmp_path.rglob("outside.pdf")), "a file was written under the name the user gave"
    page = assert_no_injected_markup(client.get(response.headers["Location"]))
    link = page.select_one("a[href*='/attachments/']")
    assert shown in link.get_text()
    stored_as = link["href"].rsplit("/", 1)[1]
    assert len(stored_as) == 32 and all(c in "0123456789abcdef" for c in stored_as)
    download = client.get(link["href"])
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.get_data() == content


def test_a_text_file_holding_markup_is_sent_as_inert_text_to_save(client):
    markup = b"<html><body><script>alert(document.cookie)</script></body></html>"
    record = send(client, "notes.txt", markup).headers["Location"]
    href = page_of(client.get(record)).select_one("a[href*='/attachments/']")["href"]
    download = client.get(href)
    assert download.mimetype == "text/plain"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Content-Disposition"] == "attachment; filename=notes.txt"


@pytest.mark.parametrize("attachment_id", ["..", "...", "records.json", "%2e%2e", "..%5c..%5crecords.json",
                                           "0" * 32, "x" * 5000])
def test_an_attachment_address_never_reaches_another_file(client, attachment_id):
    record = send(client, "report.pdf").headers["Location"]
    response = client.get(f"{record}/attachments/{attachment_id}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.fixture
def several_files(tmp_path):
    """The page tests' project with a ``documents`` field taking several PDFs."""
    schema = web.REPOSITORY_TYPE.replace(
        "  - {name: follows,",
        "  - {name: documents, type: file, label: Documents, multiple: true, accept: [.pdf]}\n  - {name: follows,")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web, "REPOSITORY_TYPE", schema)
        app = web.make_app(tmp_path)
    client = app.test_client()
    sign_in(client, app, "eve", role="editor")
    yield app, client
    app.extensions["repo_engine"].close()


def test_one_bad_file_among_several_keeps_none_of_them(several_files, tmp_path):
    app, client = several_files
    before = data_fingerprint(tmp_path / "data")
    files = [(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(PDF), "also-good.pdf"), (io.BytesIO(b"MZ\x90\x00"), "bad.pdf")]
    response = client.post(BASE + "new", data={**project(), "documents": files}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert TYPE_MESSAGE.replace("a PDF or text file", "a PDF") in error_summary(response)
    assert records_in(app) == []
    assert data_fingerprint(tmp_path / "data") == before


def attachment_ids(client, record: str) -> list[str]:
    return [a["href"].rsplit("/", 1)[1] for a in page_of(client.get(record)).select("a[href*='/attachments/']")]


@pytest.mark.parametrize("forged", ["other", "../records.json", "..", "*", ""])
def test_an_edit_removes_only_its_own_record_files(app, client, tmp_path, forged):
    first = send(client, "first.pdf").headers["Location"]
    second = send(client, "second.pdf").headers["Location"]
    [kept] = attachment_ids(client, first)
    target = kept if forged == "other" else forged
    before = data_fingerprint(tmp_path / "data")
    response = client.post(second + "/edit", data=project(version="1", status="Proposed", remove_attachment=target))
    assert response.status_code in (302, 400)
    assert attachment_ids(client, first) == [kept]
    assert client.get(f"{first}/attachments/{kept}").get_data() == PDF
    assert len(attachment_ids(client, second)) == 1
    assert {p for p in before if "attachments" in p} <= set(data_fingerprint(tmp_path / "data"))
