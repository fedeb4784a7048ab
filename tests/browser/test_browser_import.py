"""An admin importing in the browser: a column that matches no field is read into the field they choose (and
the choice is offered again next time), and a ZIP of a spreadsheet with its documents brings the documents;
each page checked with axe."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from browser_axe import assert_accessible
from browser_site import Site, write_pdf

pytestmark = pytest.mark.browser

HEADERS = ("Project title,Aim,Background and problem,Project lead,Lead E-mail,Division,Improvement method,"
           "Start date")
IMPORTED = re.compile(r"Imported 1 record \((QI-\d+)\)")


def _row(title: str, extra: str = "") -> str:
    return (f"{title},Fewer late doses by June.,Audit found one in five doses late.,Amira Patel,"
            f"amira.patel@nhs.net,Surgery,Lean,03/04/2026{extra}")


def _upload(page: Page, site: Site, name: str, data: bytes, mime: str) -> None:
    page.goto(f"{site.browse}import")
    page.set_input_files("input[type=file][name=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="Check the file", exact=True).click()
    expect(page.locator("#import-summary")).to_be_visible()


def _confirm(page: Page) -> str:
    page.locator("#import-confirm button").click()
    expect(page.get_by_text(IMPORTED)).to_be_visible()
    return IMPORTED.search(page.get_by_text(IMPORTED).inner_text())[1]


def test_a_column_that_matches_no_field_is_read_into_the_field_chosen(page: Page, site: Site):
    text = f"{HEADERS}\n{_row('Chosen-column audit of late doses')}\n"
    _upload(page, site, "tracker.csv", text.encode(), "text/csv")
    choice = page.get_by_role("combobox", name="Lead E-mail")
    expect(choice).to_have_value("")
    expect(page.get_by_text("'03/04/2026' read as 3 April 2026")).to_be_visible()
    assert_accessible(page)

    choice.select_option(label="Project lead's email")
    page.get_by_role("button", name="Check the file again").click()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Lead E-mail (as Project lead's email)")
    assert_accessible(page)
    reference = _confirm(page)

    page.goto(site.record(reference))
    expect(page.get_by_role("link", name="amira.patel@nhs.net")).to_be_visible()
    _upload(page, site, "next.csv", f"{HEADERS}\n{_row('Remembered-column audit')}\n".encode(), "text/csv")
    expect(page.get_by_role("combobox", name="Lead E-mail")).to_have_value("lead_email")


def test_a_zip_of_a_spreadsheet_and_its_documents_brings_the_documents(page: Page, site: Site, tmp_path):
    charter = write_pdf(tmp_path / "charter.pdf", "Driver diagram")
    text = f"{HEADERS},Project documents\n{_row('Zipped documents audit', ',files/charter.pdf')}\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("export/projects.csv", text)
        package.write(charter, "export/files/charter.pdf")
    _upload(page, site, "projects.zip", out.getvalue(), "application/zip")
    expect(page.locator("#import-summary")).to_contain_text("1 ready to import, 0 with problems")
    assert_accessible(page)
    reference = _confirm(page)
    assert_accessible(page)

    page.goto(site.record(reference))
    expect(page.get_by_role("link", name=re.compile("charter.pdf"))).to_be_visible()
