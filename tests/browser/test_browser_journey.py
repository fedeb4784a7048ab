"""A member of staff logs a QI project with its charter, colleagues find it, and the lead later updates it."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_forms import Project, labelled, save, submit_project
from browser_site import STAFF, Site, write_pdf

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Submitted:
    project: Project
    url: str            # the record page the form led to
    word: str           # a word only this project's title holds


@pytest.fixture(scope="module")
def submitted(browser: Browser, live_server: str, site: Site, tmp_path_factory, signed_in_as) -> Submitted:
    """A project submitted through the form, with a PDF charter attached, by a member of staff."""
    word = f"Kestrel{uuid.uuid4().hex[:6]}"
    project = Project(title=f"Reducing missed doses of Parkinson's medicines on {word} ward")
    charter = write_pdf(tmp_path_factory.mktemp("upload") / "project-charter.pdf")
    context = browser.new_context(base_url=live_server)
    signed_in_as(context, STAFF)
    try:
        url = submit_project(context.new_page(), site.new, project, charter)
    finally:
        context.close()
    return Submitted(project, url, word)


def results(page: Page):
    """The records listed on a browse page."""
    return page.get_by_role("table")


def listed(page: Page, title: str):
    """The row of the results table showing a record's title."""
    return results(page).get_by_role("row").filter(has_text=title)


def test_the_record_page_shows_what_was_submitted_and_the_document(page: Page, submitted: Submitted):
    page.goto(submitted.url)

    expect(page.get_by_role("heading", level=1)).to_contain_text(submitted.project.title)
    expect(page.get_by_text("Proposed").first).to_be_visible()
    expect(page.get_by_text(submitted.project.aim)).to_be_visible()
    expect(page.get_by_text(submitted.project.division, exact=True).first).to_be_visible()
    document = page.get_by_role("link", name=re.compile("project-charter.pdf"))
    expect(document).to_be_visible()
    listed_as = page.get_by_role("listitem").filter(has=document)
    expect(listed_as).to_contain_text("PDF")                                      # its kind
    expect(listed_as).to_contain_text(re.compile(r"\d+(\.\d+)?\s*(bytes|B|KB)\b"))  # and its size

    download = page.request.get(document.get_attribute("href"))
    assert download.ok, f"downloading the charter answered {download.status}"
    assert download.body().startswith(b"%PDF-1.4")


def test_colleagues_find_the_project_by_searching(page: Page, site: Site, submitted: Submitted):
    page.goto(site.browse)
    page.get_by_role("main").get_by_role("searchbox").fill(submitted.word)
    page.get_by_role("main").get_by_role("searchbox").press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]q=" + submitted.word))
    expect(listed(page, submitted.project.title)).to_be_visible()
    expect(results(page).get_by_role("row")).to_have_count(2)       # the header and our project only


def test_colleagues_find_the_project_by_a_facet(page: Page, site: Site, submitted: Submitted):
    page.goto(site.browse)
    specialty = page.get_by_role("group", name="Specialty or service")
    specialty.get_by_label(re.compile(rf"^{submitted.project.specialty} \(\d+\)")).check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"[?&]specialty=" + submitted.project.specialty))
    expect(page.get_by_text(re.compile(rf"specialty or service is {submitted.project.specialty}", re.I)).first
           ).to_be_visible()
    expect(listed(page, submitted.project.title)).to_be_visible()
    remove = page.get_by_role("link", name=f"Remove filter: specialty or service is {submitted.project.specialty}")
    expect(remove).to_be_visible()


def test_the_lead_opens_the_project_from_the_list(page: Page, site: Site, submitted: Submitted):
    page.goto(f"{site.browse}?q={submitted.word}")
    listed(page, submitted.project.title).get_by_role("link").first.click()

    expect(page).to_have_url(submitted.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(submitted.project.title)


def test_the_lead_edits_the_project_and_its_history_shows_the_change(page: Page, submitted: Submitted):
    measures = "Outcome: % screened within 1 hour, weekly. Balancing: time to antibiotics."
    page.goto(submitted.url)
    page.get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page.get_by_label("Project title", exact=True)).to_have_value(submitted.project.title)
    labelled(page, "Measures").fill(measures)
    save(page)

    expect(page).to_have_url(submitted.url)
    expect(page.get_by_text(measures)).to_be_visible()

    page.get_by_role("link", name=re.compile(r"history", re.I)).first.click()
    expect(page).to_have_url(submitted.url + "/history")
    expect(page.get_by_text("Measures").first).to_be_visible()
    expect(page.get_by_text(measures).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\bcreated\b", re.I)).first).to_be_visible()
