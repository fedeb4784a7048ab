"""The form behaves as the NHS design system promises: conditional questions, a linked error summary, safe text."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_forms import Project, choose, error_summary, fill_required, save, submit_project
from browser_site import Site

pytestmark = pytest.mark.browser

SCRIPT = '<script>alert("boo")</script>'


def test_other_method_is_asked_only_when_the_method_is_other(page: Page, site: Site):
    page.goto(site.new)
    other = page.get_by_label("Other method")
    expect(other).to_be_hidden()

    choose(page, "Improvement method", "Other")
    expect(other).to_be_visible()

    choose(page, "Improvement method", "Lean")
    expect(other).to_be_hidden()


def test_a_projects_status_is_not_on_its_edit_form_and_outcomes_wait_until_it_is_under_way(page: Page, site: Site):
    # The status of a type with a workflow changes through the record page's actions; a field shown from a
    # later status (outcomes, from In progress) is not asked of a project just proposed.
    url = submit_project(page, site.new, Project(title="Earlier discharge from the frailty unit"))
    page.goto(url + "/edit")
    expect(page.get_by_label("Outcomes", exact=True)).to_be_hidden()
    expect(page.get_by_role("group", name="Status")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Status")).to_have_count(0)
    expect(page.get_by_text("The status changes through the actions on the record page")).to_be_visible()


def test_a_missing_required_field_is_summarised_and_linked_and_nothing_typed_is_lost(page: Page, site: Site):
    project = Project(title="unused")
    page.goto(site.new)
    fill_required(page, project, skip=("Project title",))
    save(page)

    summary = error_summary(page)
    link = summary.get_by_role("link", name=re.compile("project title", re.I))
    expect(link).to_be_visible()
    expect(page.locator(".nhsuk-error-message").filter(has_text=re.compile("project title", re.I))).to_be_visible()
    expect(page.get_by_label("Aim", exact=True)).to_have_value(project.aim)
    expect(page.get_by_role("group", name="Start date").get_by_label("Year")).to_have_value("2026")

    link.click()
    expect(page.get_by_label("Project title", exact=True)).to_be_focused()


def assert_shown_as_text(page: Page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()
    assert page.locator("script", has_text="boo").count() == 0, f"a typed <script> became a script on {page.url}"


def test_a_script_typed_into_a_field_is_shown_as_text_everywhere(page: Page, site: Site):
    """The ``page`` fixture fails the test if any dialog opens."""
    title = f"Falls on Ward 9 {SCRIPT}"
    project = Project(title=title, lead=SCRIPT, aim=f"Fewer falls. {SCRIPT}")
    url = submit_project(page, site.new, project, typed={"Keywords": SCRIPT, "Lessons learned": SCRIPT})
    for shown in (title, project.aim, SCRIPT):
        assert_shown_as_text(page, shown)
    expect(page.get_by_text(SCRIPT, exact=True)).to_have_count(3)     # lead, keyword, lessons learned

    for where in (site.browse, f"{site.browse}?q=boo", site.instance_home, url + "/history"):
        page.goto(where)
        assert_shown_as_text(page, title)

    page.goto(url + "/edit")
    expect(page.get_by_label("Project title", exact=True)).to_have_value(title)
    expect(page.get_by_label("Project lead", exact=True)).to_have_value(SCRIPT)
