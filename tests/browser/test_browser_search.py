"""Finding earlier work in the browser: "Has this been done before?" answers while a person types a title (and
without JavaScript, by its button), the header's search box reaches the trust-wide results, and those pages pass
an axe-core audit."""
from __future__ import annotations

import json
import re
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from browser_axe import assert_accessible
from browser_forms import REFERENCE_URL
from browser_search import (GUIDELINE_TITLE, GUIDELINE_URL, GUIDELINE_WORDS, SIMILAR_JSON, fits_the_screen,
                            header_search, records_listed, similar_links, similar_panel, similar_status,
                            type_title)
from browser_site import ADMIN, Site

pytestmark = pytest.mark.browser

SAMPLE = "QI-0001"      # "Sepsis screening within one hour of arrival in the Emergency Department"
FALLS_GUIDELINE = "Falls prevention and care of an adult inpatient after a fall"


def requests_to(page: Page, pattern: re.Pattern) -> list[Request]:
    """The requests the page sends from now on to a URL matching ``pattern``."""
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if pattern.search(request.url) else None)
    return sent


def test_typing_a_title_shows_similar_work_from_another_department(page: Page, site: Site):
    page.goto(site.new)
    panel = similar_panel(page)
    expect(panel.get_by_role("button", name="Check for similar work")).to_be_hidden()
    sent = requests_to(page, re.compile("."))
    type_title(page, GUIDELINE_WORDS)
    found = similar_links(page).filter(has_text=GUIDELINE_TITLE)
    expect(found).to_have_count(1)
    expect(found).to_have_attribute("href", GUIDELINE_URL)
    expect(found).to_have_text(re.compile(r"^GL-\d{4}: " + re.escape(GUIDELINE_TITLE) + "$"))
    item = page.locator(".app-similar__item").filter(has=page.get_by_role("link", name=GUIDELINE_TITLE))
    expect(item.locator(".nhsuk-tag")).to_have_text("Approved")
    expect(item.locator(".app-similar__meta")).to_contain_text("Clinical Guidelines")
    status = similar_status(page)
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(re.compile(r"similar records? found", re.I))
    assert page.url.endswith(site.new), f"typing a title left the form for {page.url}"
    leaving = [f"{r.method} {r.url}" for r in sent if r.method != "GET" or r.is_navigation_request()]
    assert not leaving, f"typing a title sent the form: {leaving}"
    assert any(SIMILAR_JSON.search(r.url) for r in sent), "typing a title never asked for similar work"


def test_a_short_title_clears_the_list_and_the_announcement(page: Page, site: Site):
    page.goto(site.new)
    type_title(page, GUIDELINE_WORDS)
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    type_title(page, "Ge ")
    expect(similar_links(page)).to_have_count(0)
    expect(similar_status(page)).to_have_text("")


def test_typing_asks_once_the_person_pauses(page: Page, site: Site):
    """Debounced: a title typed key by key is looked up when the typing stops, not at every key."""
    page.goto(site.new)
    sent = requests_to(page, SIMILAR_JSON)
    page.get_by_label("Project title", exact=True).press_sequentially(GUIDELINE_WORDS, delay=30)
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    urls = [request.url for request in sent]
    assert 1 <= len(urls) <= 2, f"{len(GUIDELINE_WORDS)} keys sent {len(urls)} lookups: {urls}"
    assert "title=Gentamicin+dosing+and+monitoring" in urls[-1], urls[-1]


def test_the_description_typed_is_part_of_the_question(page: Page, site: Site):
    page.goto(site.new)
    text_field = similar_panel(page).get_attribute("data-text-field")
    assert text_field, "the panel names no description field for a QI project"
    type_title(page, GUIDELINE_WORDS)
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    with page.expect_request(SIMILAR_JSON) as asked:
        page.locator(f"#main-form [name={text_field}]").fill("Fewer missed levels of gentamicin on the wards")
    assert "text=Fewer+missed+levels+of+gentamicin" in asked.value.url, asked.value.url


def test_a_title_with_markup_is_shown_as_text(page: Page, site: Site):
    """Titles are what people typed: the panel never turns them into HTML."""
    answer = {"records": [{"reference": "QI-0099", "title": '<img src="x" class="injected">Hand hygiene',
                           "status": "In progress", "closed": False, "lead": "<b>Dr A Smith</b>",
                           "department": "Quality Improvement Team", "repository": "Improvement projects",
                           "url": f"{site.browse}QI-0099"},
                          {"reference": "QI-0098", "title": "Elsewhere", "status": "Completed", "closed": True,
                           "lead": "", "department": "Nowhere", "repository": "Improvement projects",
                           "url": "javascript:alert(1)"}],
              "message": "1 similar record found: under way now"}
    page.route(SIMILAR_JSON, lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(answer)))
    page.goto(site.new)
    type_title(page, "Hand hygiene")
    link = similar_links(page)
    expect(link).to_have_count(1)                   # the record whose URL is not on this site is left out
    expect(link).to_have_text('QI-0099: <img src="x" class="injected">Hand hygiene')
    expect(page.locator("#similar-work .injected, #similar-work b")).to_have_count(0)
    item = page.locator(".app-similar__item")
    expect(item.locator(".nhsuk-tag.nhsuk-tag--blue")).to_have_text("In progress")
    expect(item.locator(".app-similar__meta")).to_have_text("<b>Dr A Smith</b>, Quality Improvement Team")
    expect(similar_status(page)).to_have_text("1 similar record found: under way now")


def test_a_lookup_that_finds_nothing_says_so(page: Page, site: Site):
    answer = {"records": [], "message": "No similar records found"}
    page.route(SIMILAR_JSON, lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(answer)))
    page.goto(site.new)
    type_title(page, "Nothing like this anywhere")
    expect(page.locator("#similar-work .app-similar__results")).to_have_text("No similar records found.")
    expect(similar_status(page)).to_have_text("No similar records found")
    expect(similar_links(page)).to_have_count(0)


def test_a_network_failure_keeps_the_list_and_says_nothing_alarming(page: Page, site: Site):
    page.goto(site.new)
    type_title(page, GUIDELINE_WORDS)
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    said = similar_status(page).inner_text()
    page.route(SIMILAR_JSON, lambda route: route.abort("internetdisconnected"))
    with page.expect_event("requestfailed", lambda request: bool(SIMILAR_JSON.search(request.url))):
        type_title(page, GUIDELINE_WORDS + " in children")
    page.wait_for_timeout(200)          # let the failed answer reach the page's script
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    expect(similar_status(page)).to_have_text(said)
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.fixture
def no_script_page(browser: Browser, live_server: str, signed_in_as) -> Iterator[Page]:
    """The signed-in admin in a browser with JavaScript switched off."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    signed_in_as(context, ADMIN)
    yield context.new_page()
    context.close()


def test_without_javascript_the_button_lists_similar_work_and_saves_nothing(no_script_page: Page, site: Site):
    page = no_script_page
    page.goto(site.browse)
    before = records_listed(page)
    page.goto(site.new)
    type_title(page, GUIDELINE_WORDS)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        similar_panel(page).get_by_role("button", name="Check for similar work").click()
    assert posted.value.status == 200, f"checking for similar work answered {posted.value.status}"
    assert not REFERENCE_URL.search(page.url), f"checking for similar work saved a record: {page.url}"
    found = similar_links(page).filter(has_text=GUIDELINE_TITLE)
    expect(found).to_have_count(1)
    expect(found).to_have_attribute("href", GUIDELINE_URL)
    expect(page.get_by_label("Project title", exact=True)).to_have_value(GUIDELINE_WORDS)
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_have_count(0)
    page.goto(site.browse)
    assert records_listed(page) == before, "checking for similar work created a record"


def test_trust_wide_results_are_accessible(page: Page):
    assert page.goto("/search?q=falls").status == 200
    results = page.locator(".app-results .app-result")
    expect(results.get_by_role("link", name=FALLS_GUIDELINE)).to_have_count(1)
    expect(results.get_by_role("link", name=FALLS_GUIDELINE)).to_have_attribute(
        "href", re.compile(r"/clinical-governance/local-guideline/GL-\d{4}$"))
    expect(page.locator(".app-snippet mark").first).to_have_text(re.compile(r"^falls?$", re.I))
    facets = page.locator("form.app-filters")
    expect(facets.get_by_role("group", name="Department")).to_be_visible()
    expect(facets.get_by_role("checkbox", name=re.compile(r"^Clinical Guidelines \(\d+\)$"))).to_have_count(1)
    assert_accessible(page)


def test_the_form_with_similar_work_listed_is_accessible(page: Page, site: Site):
    page.goto(site.new)
    type_title(page, GUIDELINE_WORDS)
    expect(similar_links(page).filter(has_text=GUIDELINE_TITLE)).to_have_count(1)
    assert_accessible(page)


def test_a_record_page_lists_related_records_accessibly(page: Page, site: Site):
    assert page.goto(site.record(SAMPLE)).status == 200
    related = page.locator("section.app-related")
    expect(related.get_by_role("heading", name="Related records")).to_be_visible()
    links = related.get_by_role("link")
    expect(links.filter(has_text=re.compile("sepsis", re.I)).first).to_be_visible()
    expect(links.filter(has_text=re.compile(rf"^{SAMPLE}:"))).to_have_count(0)     # not the record itself
    hrefs = links.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert any(not href.startswith(f"/{site.instance}/") for href in hrefs), f"nothing from elsewhere: {hrefs}"
    assert_accessible(page)


def test_the_similar_panel_fits_a_phone_and_is_not_printed(browser: Browser, live_server: str, site: Site,
                                                          signed_in_as):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    signed_in_as(context, ADMIN)
    try:
        page = context.new_page()
        page.goto(site.new)
        type_title(page, "Sepsis six within one hour in adult emergency admissions and after")
        expect(similar_links(page).first).to_be_visible()
        fits_the_screen(page)
        page.emulate_media(media="print")
        expect(page.locator("#similar-work")).to_be_hidden()
    finally:
        context.close()


HEADER_PAGES = {
    "site home": lambda site: "/",
    "instance home": lambda site: site.instance_home,
    "browse": lambda site: site.browse,
    "new form": lambda site: site.new,
    "record page": lambda site: site.record(SAMPLE),
    "history": lambda site: site.record(SAMPLE) + "/history",
    "trust search": lambda site: "/search?q=falls",
    "my submissions": lambda site: "/mine",
    "sign in": lambda site: "/sign-in",
    "unknown record": lambda site: site.record("QI-9999"),
}


@pytest.mark.parametrize("kind", HEADER_PAGES)
def test_every_page_has_a_search_box_in_its_header(page: Page, site: Site, kind: str):
    page.goto(HEADER_PAGES[kind](site))
    form = header_search(page)
    expect(form).to_have_count(1)
    expect(form).to_have_attribute("method", re.compile("^get$", re.I))
    expect(form.locator("input[name=q]")).to_have_count(1)
    expect(form.get_by_role("searchbox", name=re.compile("search", re.I))).to_be_visible()
    expect(form.get_by_role("button", name="Search")).to_be_visible()


def test_searching_from_the_header_lands_on_the_results(page: Page):
    page.goto("/")
    header_search(page).get_by_role("searchbox").fill("falls")
    header_search(page).get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=falls$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search every repository")
    expect(page.locator("#results-sentence")).to_contain_text("matching “falls”")
    expect(page.locator(".app-results").get_by_role("link", name=FALLS_GUIDELINE)).to_be_visible()
