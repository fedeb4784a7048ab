"""A ZIP on the import page: an export's spreadsheet with its files, imported with them; and the ZIPs no one
should be able to upload (names leading out of the folder, links, password protection, zip bombs, files the
field refuses) refused with a message and nothing written."""
from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from engine.exchange import bundle
from engine.web.app import create_app
from exchangekit import PDF

SHEET = "Project title,Report\nSepsis screening,QI-0001/sepsis report.pdf\n"


@pytest.fixture
def app(tmp_path, site):
    made = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                       "DATA": str(tmp_path / "data")})
    yield made
    made.extensions["repo_engine"].close()


@pytest.fixture
def client(app):
    client = app.test_client()
    sign_in(client, app, username="ada", role="admin")
    return client


def zipped(entries: dict[str, bytes], tweak=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if tweak:
                tweak(info)
            package.writestr(info, data)
    return out.getvalue()


def send(client, data: bytes, name: str = "tracker.zip"):
    return client.post("/qi/tracker/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def confirm(client, page: BeautifulSoup):
    return client.post("/qi/tracker/import/confirm",
                       data={f["name"]: f["value"] for f in page.select("#import-confirm input[type=hidden]")})


def error_of(response) -> str:
    return page_of(response).select_one(".nhsuk-error-summary").get_text(" ", strip=True)


def _understated(data: bytes, name: str, size: int) -> bytes:
    """The ZIP with ``name``'s uncompressed size written as ``size`` in its local and central headers."""
    return _patched(data, name, (22, 24), lambda old: struct.pack("<I", size))


def _locked(data: bytes, name: str) -> bytes:
    """The ZIP with ``name`` marked as encrypted (bit 0 of its flags), as a password-protected one is."""
    return _patched(data, name, (6, 8), lambda old: struct.pack("<H", struct.unpack("<H", old[:2])[0] | 0x1))


def _patched(data: bytes, name: str, offsets: tuple[int, int], value) -> bytes:
    """``value(old bytes)`` written over a field of ``name``'s local header and central directory entry, at
    ``offsets`` (local, central) from each header's start."""
    raw, encoded = bytearray(data), name.encode()
    for signature, offset, name_from in ((b"PK\x03\x04", offsets[0], 30), (b"PK\x01\x02", offsets[1], 46)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            if raw[start + name_from:start + name_from + len(encoded)] == encoded:
                new = value(bytes(raw[start + offset:start + offset + 4]))
                raw[start + offset:start + offset + len(new)] = new
            start += 4
    return bytes(raw)


def test_an_export_zipped_with_its_files_imports_with_them(client, app, site, cli, tmp_path):
    site.fill()
    folder = tmp_path / "export"
    folder.mkdir()
    status, _, err = cli("export", "qi", "tracker", "-o", str(folder / "projects.xlsx"),
                         "--attachments", str(folder / "project-files"))
    assert status == 0, err
    data = zipped({path.relative_to(tmp_path).as_posix(): path.read_bytes()
                   for path in sorted(folder.rglob("*")) if path.is_file()})
    fresh = create_app({**app.config, "DATA": str(tmp_path / "other-data")})
    other = fresh.test_client()
    sign_in(other, fresh, username="ada", role="admin")
    checked = send(other, data, "projects.zip")
    assert checked.status_code == 200, error_of(checked)
    assert confirm(other, page_of(checked)).status_code == 302
    store = fresh.extensions["repo_engine"].store(fresh.extensions["repo_engine"].repository("qi", "tracker"))
    attached, = store.attachments("QI-0001")
    _, stream = store.open_attachment("QI-0001", attached.id)
    with stream:
        assert (attached.filename, stream.read()) == ("sepsis report.pdf", PDF)
    assert store.count() == 3
    assert not list((tmp_path / "other-data" / "imports").glob(".unpacked-*")), "what was unpacked is removed"
    fresh.extensions["repo_engine"].close()


def test_files_beside_the_spreadsheet_are_found_too(client, site):
    checked = send(client, zipped({"tracker.csv": SHEET.encode(), "QI-0001/sepsis report.pdf": PDF}))
    assert checked.status_code == 200, error_of(checked)
    confirm(client, page_of(checked))
    assert [a.filename for a in site.store.attachments("QI-0001")] == ["sepsis report.pdf"]


@pytest.mark.parametrize("entries, problem", [
    ({"tracker.csv": SHEET.encode()}, "there is no file 'QI-0001/sepsis report.pdf' in tracker.zip"),
    ({"tracker.csv": b"Project title,Report\nA,QI-0001/run.exe\n", "QI-0001/run.exe": b"MZ\x90"},
     "run.exe must be a PDF or TXT file"),
    ({"tracker.csv": b"Project title,Report\nA,big.pdf\n", "big.pdf": b"%PDF-" + bytes(21 * 1024 * 1024)},
     "big.pdf must be smaller than 20MB"),
    ({"tracker.csv": b"Project title,Report\nA,../tracker.csv\n"}, "there is no file '../tracker.csv'"),
])
def test_a_file_a_row_names_is_held_to_the_field_s_rules(client, site, entries, problem):
    response = send(client, zipped(entries))
    assert response.status_code == 400
    assert problem in page_of(response).select_one("#import-problems").get_text()
    assert site.store.count() == 0


def _link(info: zipfile.ZipInfo) -> None:
    info.external_attr = (stat.S_IFLNK | 0o777) << 16


@pytest.mark.parametrize("data, says", [
    (zipped({"tracker.csv": SHEET.encode(), "../evil.pdf": PDF}), "holds '../evil.pdf', which points outside the ZIP"),
    (zipped({"tracker.csv": SHEET.encode(), "/etc/evil.pdf": PDF}), "which points outside the ZIP"),
    (zipped({"tracker.csv": SHEET.encode(), "C:\\evil.pdf": PDF}), "which points outside the ZIP"),
    (zipped({"tracker.csv": SHEET.encode(), "QI-0001/sepsis report.pdf": b"/etc/passwd"}, _link),
     "which points outside the ZIP"),
    (_locked(zipped({"tracker.csv": SHEET.encode()}), "tracker.csv"), "is protected by a password"),
    (zipped({"QI-0001/sepsis report.pdf": PDF}), "holds no CSV, Excel (.xlsx) or JSON file to import"),
    (zipped({"a.csv": SHEET.encode(), "b.xlsx": b"PK"}), "holds several spreadsheets (a.csv, b.xlsx)"),
    (b"PK\x03\x04 not really", "is not a ZIP file that can be opened"),
])
def test_a_zip_no_one_should_send_is_refused_whole(client, site, tmp_path, data, says):
    response = send(client, data)
    assert response.status_code == 400
    assert says in error_of(response)
    assert site.store.count() == 0 and not (tmp_path / "data" / "evil.pdf").exists()
    assert not list((tmp_path / "data" / "imports").glob(".unpacked-*"))


def test_a_zip_declaring_more_than_an_upload_may_bring_is_refused_unread(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = send(client, zipped({"tracker.csv": SHEET.encode(), "QI-0001/big.pdf": bytes(2 * 1024 * 1024)}))
    assert response.status_code == 400
    assert "tracker.zip unpacks to more than 1 MB, more than one import can take" in error_of(response)


def test_a_zip_that_inflates_past_what_it_declares_is_refused(client, site):
    honest = zipped({"tracker.csv": SHEET.encode(), "QI-0001/sepsis report.pdf": b"%PDF-" + bytes(200_000)})
    response = send(client, _understated(honest, "QI-0001/sepsis report.pdf", 10))
    assert response.status_code == 400
    assert "tracker.zip" in error_of(response) and site.store.count() == 0


def test_a_zip_of_too_many_files_is_refused_unread(client, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_ENTRIES", 3)
    response = send(client, zipped({f"{n}.txt": b"x" for n in range(4)}))
    assert "holds more than 3 files" in error_of(response)


def test_a_spreadsheet_naming_files_without_a_zip_says_how_to_bring_them(client):
    response = send(client, SHEET.encode(), "tracker.csv")
    assert "upload a ZIP file holding this spreadsheet and the files it names" in \
        page_of(response).select_one("#import-problems").get_text()


def test_the_zip_module_refuses_a_name_that_leads_out_of_its_folder(tmp_path):
    with pytest.raises(bundle.UnreadableFile, match="points outside"):
        with bundle.unpacked(zipped({"a.csv": b"x", "x/../../b.pdf": PDF}), "t.zip", limit=10**6, within=tmp_path):
            pass
    assert not (tmp_path.parent / "b.pdf").exists() and list(tmp_path.iterdir()) == []


def test_the_layout_is_found_under_a_folder(tmp_path):
    data = zipped({"out/t.csv": b"Project title\nA\n", "out/files/QI-0001/a.pdf": PDF})
    with bundle.unpacked(data, "t.zip", limit=10**6, within=tmp_path) as found:
        assert found.sheet_name == "t.csv" and found.sheet.startswith(b"Project title")
        assert found.files.find("QI-0001/a.pdf").read_bytes() == PDF
        assert found.files.find("../t.csv") is None
    assert list(Path(tmp_path).iterdir()) == []


def test_a_file_refused_for_what_it_holds_when_written_is_named_and_nothing_is_written(client, site):
    data = zipped({"tracker.csv": b"Project title,Report\nA,fake.pdf\nB,\n", "fake.pdf": b"MZ\x90 not a pdf"})
    response = confirm(client, page_of(send(client, data)))
    assert response.status_code == 400
    assert "Nothing was imported: 1 problem. Row 2, column Report: Report: The file must be" in error_of(response)
    assert site.store.count() == 0
