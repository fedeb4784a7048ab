"""In the browser: a refused form shows every problem at once, files included, and is fixed in one round;
optional fields say so, and a field required under a condition loses its "(optional)" as soon as the answers
make it required; the record page links its values, its linked records and the records referring to it, and
takes the person back to their results. Every page met is audited with axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_axe import assert_accessible
from browser_forms import REFERENCE_URL, Project, attach, choose, error_summary, fill_required, labelled, save
from browser_site import Site, write_pdf

pytestmark = pytest.mark.browser

LIBRARY = "/library-services"
SEVENTEEN = ", ".join(f"keyword {n}" for n in range(1, 18))


def test_the_file_the_empty_aim_and_too_many_keywords_are_shown_together(page: Page, site: Site, tmp_path):
    page.goto(site.new)
    fill_required(page, Project(title="Safer insulin prescribing on surgical wards"))
    labelled(page, "Aim").fill("")
    labelled(page, "Keywords").fill(SEVENTEEN)
    notes = tmp_path / "notes.txt"
    notes.write_text("Notes of the first meeting")
    attach(page, "Project documents", notes)
    save(page)

    problems = error_summary(page).get_by_role("link")
    expect(problems).to_have_text(["Enter aim", "Enter no more than 15 entries for keywords",
                                   re.compile(r"^Project documents: The file must be .*\(notes\.txt was not attached\)$")])
    expect(labelled(page, "Keywords")).to_have_value(SEVENTEEN)
    assert_accessible(page)

    labelled(page, "Aim").fill("Every insulin dose prescribed with a meal-time by June.")
    labelled(page, "Keywords").fill("insulin, prescribing")
    attach(page, "Project documents", write_pdf(tmp_path / "charter.pdf"))
    save(page)
    page.wait_for_url(REFERENCE_URL)
    expect(page.get_by_role("link", name="charter.pdf")).to_be_visible()


def test_optional_fields_are_marked_and_a_phone_gets_the_email_keyboard(page: Page, site: Site):
    page.goto(site.new)
    expect(page.get_by_label("Project title", exact=True)).to_be_visible()
    email = page.get_by_label("Project lead's email (optional)", exact=True)
    expect(email).to_have_attribute("type", "email")
    expect(email).to_have_attribute("autocomplete", "email")
    expect(page.get_by_label("Project lead", exact=True)).to_have_attribute("autocomplete", "name")
    expect(page.get_by_role("group", name="Quality domains (optional)")).to_be_visible()
    choose(page, "Improvement method", "Other")
    # shown now, and required: its accessible name has lost the hidden mark
    expect(page.get_by_role("textbox", name="Other method", exact=True)).to_be_visible()
    assert_accessible(page)


def open_received_search(page: Page) -> None:
    page.goto(f"{LIBRARY}/evidence-search/?status=Received")
    page.locator("main tbody a").first.click()
    page.get_by_role("link", name=re.compile(r"^Edit")).click()


def test_a_field_required_by_the_status_loses_its_mark_as_the_status_changes(page: Page):
    open_received_search(page)
    label = page.locator("label[for=librarian]")
    expect(page.get_by_role("textbox", name="Librarian (optional)", exact=True)).to_be_visible()
    choose(page, "Status", "In progress")
    expect(page.get_by_role("textbox", name="Librarian", exact=True)).to_be_visible()
    expect(label).to_have_text("Librarian", use_inner_text=True)
    assert_accessible(page)
    choose(page, "Status", "Received")
    expect(label).to_have_text("Librarian (optional)", use_inner_text=True)


def test_a_record_links_its_values_its_references_and_its_way_back_to_the_results(page: Page):
    page.goto(f"{LIBRARY}/qi-project/?q=falls")
    results = page.url
    assert_accessible(page)
    page.locator("main tbody a").first.click()
    page.wait_for_url(REFERENCE_URL)
    expect(page.get_by_role("heading", level=2, name="About the project")).to_be_visible()
    referenced = page.get_by_role("region", name="Referenced by")
    expect(referenced.get_by_role("link", name=re.compile(r"^ES-\d{4}: "))).not_to_have_count(0)
    division = page.locator("main dl.app-record-fields a[href*='division=']").first
    expect(division).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to results").click()
    assert page.url == results

    page.goto(f"{LIBRARY}/evidence-search/ES-0001")
    linked = page.locator("main dd a[href*='/qi-project/QI-']")
    expect(linked).to_have_text(re.compile(r"^QI-\d{4}: \S"))
    linked.click()
    page.wait_for_url(REFERENCE_URL)
    page.get_by_role("link", name=re.compile("^History")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Version 1: created by "))).to_be_visible()
    assert_accessible(page)


def test_the_pages_that_offer_a_submission_say_what_is_submitted(page: Page, site: Site):
    page.goto(site.instance_home)
    expect(page.get_by_role("link", name="Submit an improvement project")).to_be_visible()
    assert_accessible(page)
    page.goto(site.browse)
    page.get_by_role("link", name="Submit an improvement project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an improvement project")
