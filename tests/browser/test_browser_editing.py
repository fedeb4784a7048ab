"""Two people editing one record at once, in two browsers: changes to different fields merge; a field both
changed is shown side by side to choose from; and any earlier version can be seen and restored."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_axe import assert_accessible
from browser_forms import Project, save, submit_project
from browser_site import ADMIN, Site

pytestmark = pytest.mark.browser


@pytest.fixture
def second_page(browser: Browser, live_server: str, signed_in_as):
    """Another browser, signed in separately: the colleague editing the same record."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    signed_in_as(context, ADMIN)
    yield context.new_page()
    context.close()


def test_two_editors_merge_and_choose_between_their_versions(page: Page, second_page: Page, site: Site):
    url = submit_project(page, site.new, Project(title="Earlier sepsis screening in the emergency department"))
    page.goto(url + "/edit")
    second_page.goto(url + "/edit")

    page.get_by_label("Aim", exact=True).fill("Screen 90% of patients within the hour by June.")
    save(page)
    expect(page.get_by_text("has been updated")).to_be_visible()

    second_page.get_by_label("Aim", exact=True).fill("Screen every patient within the hour.")
    second_page.get_by_label("Background and problem").fill("Late screening for a third of arrivals.")
    save(second_page)
    question = second_page.get_by_role("group", name="Which aim should be kept?")
    expect(question).to_be_visible()
    expect(question.get_by_label("Theirs: Screen 90% of patients within the hour by June.")).to_be_visible()
    expect(second_page.get_by_label("Background and problem")).to_have_value("Late screening for a third of arrivals.")
    assert_accessible(second_page)

    save(second_page)                                    # without choosing: nothing is saved
    expect(second_page.get_by_role("link", name="Choose which version of aim to keep")).to_be_visible()
    second_page.get_by_role("group", name="Which aim should be kept?").get_by_label("Theirs", exact=False).check()
    save(second_page)
    expect(second_page.get_by_text("has been updated")).to_be_visible()
    expect(second_page.get_by_text("Screen 90% of patients within the hour by June.")).to_be_visible()
    expect(second_page.get_by_text("Late screening for a third of arrivals.")).to_be_visible()


def test_an_earlier_version_is_seen_and_restored(page: Page, site: Site):
    url = submit_project(page, site.new, Project(title="Fewer missed doses of Parkinson's medicines"))
    page.goto(url + "/edit")
    page.get_by_label("Project title", exact=True).fill("Parkinson's medicines on time")
    save(page)
    page.goto(url + "/history")
    assert_accessible(page)
    page.get_by_role("link", name="See the record as it was at version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fewer missed doses of Parkinson's medicines")
    assert_accessible(page)
    page.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_text("has been restored to version 1")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fewer missed doses of Parkinson's medicines")
    page.goto(url + "/history")
    expect(page.get_by_role("heading", name="Version 3: restored version 1", exact=False)).to_be_visible()
