"""The export links of the browse page and the import page for admins, as people use them."""
from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from engine.web.app import create_app
from exchangekit import write_project
from test_import import MESSY


@pytest.fixture
def app(tmp_path, site):
    site.fill()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, data: bytes, name: str = "tracker.csv"):
    return client.post("/qi/tracker/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_export_holds_the_records_the_browse_view_shows(client):
    response = client.get("/qi/tracker/export?status=Completed&status=In+progress&sort=-reference&format=csv&page=2")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="qi-tracker-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["QI-0003", "QI-0002"]


@pytest.mark.parametrize("fmt, starts", [("csv", b"\xef\xbb\xbfReference"), ("xlsx", b"PK"), ("json", b'{"repository"')])
def test_each_format_downloads(client, fmt, starts):
    response = client.get(f"/qi/tracker/export?format={fmt}")
    assert response.status_code == 200 and response.data.startswith(starts)


def test_an_unknown_format_is_explained(client):
    response = client.get("/qi/tracker/export?format=pdf")
    assert response.status_code == 400 and "use csv, xlsx or json" in response.get_data(as_text=True)


def test_the_browse_page_offers_the_view_in_each_format(client):
    page = BeautifulSoup(client.get("/qi/tracker/?status=Completed&sort=-reference").data, "html.parser")
    links = {a.get_text(" ", strip=True): a["href"] for a in page.select(".app-export a")}
    assert set(links) == {"CSV", "Excel", "JSON"}
    assert links["Excel"].endswith("/qi/tracker/export?status=Completed&sort=-reference&format=xlsx")


def test_only_admins_may_import(client, app):
    anonymous = client.get("/qi/tracker/import")
    assert anonymous.status_code == 302, "sent to sign in first"
    sign_in(client, app, role="editor")
    assert client.get("/qi/tracker/import").status_code == 403
    assert upload(client, MESSY.encode()).status_code == 403
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(client.get("/qi/tracker/import").data, "html.parser")
    assert page.select_one("input[type=file]#file") is not None


def test_the_report_lists_each_problem_by_row_and_column_and_writes_nothing(client, app, site):
    sign_in(client, app, username="ada", role="admin")
    response = upload(client, MESSY.encode())
    assert response.status_code == 400
    page = BeautifulSoup(response.data, "html.parser")
    problems = [[td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("#import-problems tbody tr")]
    assert problems == [["5", "Start_date", "'31/02/2025' is not a real date"]]
    summary = " ".join(page.select_one("#import-summary").get_text().split())
    assert "4 rows read, 3 ready to import, 1 with problems, 1 blank skipped" in summary
    assert site.store.count() == 3, "the three filled records only"


def test_confirming_writes_the_good_rows_as_the_signed_in_admin(client, app, site):
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(upload(client, MESSY.encode()).data, "html.parser")
    held = page.select_one("input[name=held]")["value"]
    assert "Import 3 records" in page.select_one("#import-confirm button").get_text()
    response = client.post("/qi/tracker/import/confirm", data={"held": held}, follow_redirects=True)
    assert response.status_code == 200
    assert "Imported 3 records (QI-0004 to QI-0006)." in response.get_data(as_text=True)
    assert site.store.get("QI-0005").updated_by == "ada"
    again = client.post("/qi/tracker/import/confirm", data={"held": held})
    assert again.status_code == 400 and site.store.count() == 6, "a held file is imported once"


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "empty.csv is empty."),
    (b"not a zip", "book.xlsx", "book.xlsx is not an Excel workbook"),
    (b"%PDF-1.4", "report.pdf", "The selected file must be a CSV, Excel (.xlsx), JSON export or ZIP file"),
])
def test_a_file_that_cannot_be_read_is_one_message_on_the_page(client, app, data, name, message):
    sign_in(client, app, username="ada", role="admin")
    response = upload(client, data, name)
    assert response.status_code == 400
    page = BeautifulSoup(response.data, "html.parser")
    assert message in page.select_one(".nhsuk-error-summary").get_text()
    assert page.select_one("#file-error") is not None


def test_a_forged_held_name_is_refused(client, app):
    sign_in(client, app, username="ada", role="admin")
    assert client.post("/qi/tracker/import/confirm", data={"held": "../../etc/passwd"}).status_code == 400
