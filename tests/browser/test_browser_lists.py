"""Lists on a phone and on paper, measured in Chromium: at 375 px the results come first, each record a card
with every column on screen and the filters behind one "Filter" control (with or without JavaScript); printed
on A4 landscape a list is its sentence and every column, and a record prints without its buttons.

Screenshots (and the PDFs) are saved in each test's ``tmp_path`` for a person to look at; the assertions are on
the layout itself, from bounding boxes and computed styles.
"""
from __future__ import annotations

import io
import re
import textwrap
import threading
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader
from werkzeug.serving import make_server

from browser_axe import assert_accessible
from browser_search import fits_the_screen
from browser_site import REPO_ROOT, Site, shipped_repositories

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
#: The width print.css leaves on A4 landscape: 297 mm less two 12 mm margins, at 96 CSS pixels an inch.
A4_LANDSCAPE = {"width": round((297 - 2 * 12) / 25.4 * 96), "height": 700}
SAMPLE = "QI-0001"
#: Sample projects in Medicine and Surgery whose text says "wards": several rows, every column filled.
PRINTED = "?q=wards&division=Medicine&division=Surgery&per_page=2"


def facet_labels(page: Page) -> Locator:
    return page.locator("form.app-filters .nhsuk-checkboxes__label")


def filter_control(page: Page) -> Locator:
    return page.locator("details.app-filter-panel > summary")


def within(box: dict, width: float) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def first_card(page: Page) -> Locator:
    return page.locator("main tbody tr").first


# -- a phone ------------------------------------------------------------------------------------------------

def test_on_a_phone_the_first_record_is_on_the_first_screen_as_a_card(page: Page, site: Site, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(site.browse)
    card = first_card(page)
    link = card.get_by_role("link").bounding_box()
    assert link["y"] + link["height"] <= PHONE["height"], f"the first record's link is at {link['y']}px"
    cells = card.locator("td")
    for number in range(cells.count()):
        cell = cells.nth(number)
        assert within(cell.bounding_box(), PHONE["width"]), f"{cell.get_attribute('data-label')} is off-screen"
    # Status and Updated, once off the right edge, are lines of the card, each beside its heading.
    for heading in ("Status", "Updated"):
        value = card.locator(f"td[data-label='{heading}']")
        expect(value).to_be_visible()
        assert within(value.bounding_box(), PHONE["width"])
        label = page.evaluate("cell => getComputedStyle(cell, '::before').content", value.element_handle())
        assert label == f'"{heading}"'
    fits_the_screen(page)
    expect(facet_labels(page).first).to_be_hidden()
    page.screenshot(path=tmp_path / "browse-375.png")
    assert_accessible(page)


def test_on_a_phone_the_filter_control_opens_the_filters_and_they_apply(page: Page, site: Site, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(site.browse)
    expect(filter_control(page)).to_have_text("Filter")
    filter_control(page).click()
    surgery = page.get_by_role("checkbox", name=re.compile(r"^Surgery \(\d+\)$"))
    expect(surgery).to_be_visible()
    sort = page.locator(".app-sort-links").get_by_role("link", name="Project title")
    expect(sort).to_be_visible()        # the column headings' sort links, which cards do not show
    page.screenshot(path=tmp_path / "filters-375.png", full_page=True)
    fits_the_screen(page)
    assert_accessible(page)
    surgery.check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-sentence")).to_contain_text("where division is Surgery")
    expect(filter_control(page)).to_have_text("Filter (1 chosen)")
    expect(surgery).to_be_hidden()      # closed again: the results come straight after what they are
    said = page.locator("ul.app-active-filters").bounding_box()
    assert first_card(page).bounding_box()["y"] - (said["y"] + said["height"]) < 48


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_without_javascript_the_filter_control_still_opens_the_filters(browser: Browser, live_server: str,
                                                                       site: Site, width: int):
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": width, "height": 812})
    try:
        page = context.new_page()
        page.goto(site.browse)
        expect(facet_labels(page).first).to_be_hidden()
        filter_control(page).click()
        expect(facet_labels(page).first).to_be_visible()
    finally:
        context.close()


def test_on_a_laptop_the_filters_are_open_beside_the_results_and_close_on_a_phone(page: Page, site: Site):
    page.goto(site.browse)
    expect(facet_labels(page).first).to_be_visible()
    expect(filter_control(page)).to_be_hidden()
    filters, table = page.locator("form.app-filters").bounding_box(), page.locator("main table").bounding_box()
    assert filters["x"] + filters["width"] <= table["x"], "the filters are not beside the results"
    assert table["y"] < filters["y"] + filters["height"]
    page.set_viewport_size(PHONE)       # a window made narrow, a tablet turned
    expect(facet_labels(page).first).to_be_hidden()
    expect(filter_control(page)).to_be_visible()


def test_on_a_phone_trust_wide_search_shows_its_results_first(page: Page, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto("/search?q=falls")
    first = page.locator("ol.app-results .app-result__title").first
    assert first.bounding_box()["y"] < PHONE["height"]
    expect(facet_labels(page).first).to_be_hidden()
    fits_the_screen(page)
    page.screenshot(path=tmp_path / "search-375.png")
    assert_accessible(page)


def test_the_new_record_form_fits_a_phone(page: Page, site: Site, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(site.new)
    fields = page.locator("main form input:visible, main form textarea:visible, main form select:visible")
    assert fields.count() > 5
    for number in range(fields.count()):
        assert within(fields.nth(number).bounding_box(), PHONE["width"]), fields.nth(number).get_attribute("name")
    fits_the_screen(page)
    page.screenshot(path=tmp_path / "form-375.png", full_page=True)


# -- paper --------------------------------------------------------------------------------------------------

def printed(page: Page, tmp_path, name: str) -> str:
    """The page as print.css lays it out on A4 landscape: a screenshot and a PDF in ``tmp_path``; the PDF's
    text, with its lines joined (a line that ends at a word's hyphen, "re-" "audit", joined without a space)."""
    page.set_viewport_size(A4_LANDSCAPE)
    page.emulate_media(media="print")
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
    pdf = page.pdf(format="A4", landscape=True)
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    text = " ".join(" ".join(part.extract_text().split()) for part in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"(?<=\w-) (?=\w)", "", text)


def link_addresses_printed(page: Page) -> list[str]:
    """What the stylesheets write after each link on paper (the NHS.UK frontend writes its address); an empty
    ``::after`` is decoration (the header's service name has one), not words."""
    return page.evaluate("() => [...document.querySelectorAll('a')]"
                         ".map(a => getComputedStyle(a, '::after').content)"
                         ".filter(content => !['none', 'normal', '\"\"'].includes(content))")


def test_a_printed_list_is_its_sentence_and_every_column_on_a4_landscape(page: Page, site: Site, tmp_path):
    page.goto(site.browse + PRINTED)
    sentence = " ".join(page.locator("#results-sentence").inner_text().split())
    assert re.fullmatch(r"\d+ improvement projects matching “wards” where division is Medicine or Surgery", sentence)
    text = printed(page, tmp_path, "printed-list")
    for gone in ("form.app-filters", "main .nhsuk-button", ".nhsuk-header__search", ".nhsuk-header__account",
                 ".nhsuk-breadcrumb", ".app-state-links", ".app-active-filters", ".nhsuk-pagination", ".app-export",
                 ".nhsuk-footer"):
        expect(page.locator(gone).first).to_be_hidden()
    shown = page.locator("#results-sentence")
    expect(shown).to_be_visible()
    assert shown.bounding_box()["y"] < page.locator("main table").bounding_box()["y"]
    expect(page.locator(".app-print-only")).to_have_text(re.compile(r"^Page 1 of \d+, 2 to a page\.$"))
    every_column_on_paper(page, text)
    assert link_addresses_printed(page) == []
    assert sentence in text and "(Link:" not in text
    for control in ("Apply filters", "Download this list", "Submit an improvement project", "Under way now"):
        assert control not in text, f"{control!r} is printed"


@pytest.mark.parametrize("browse", shipped_repositories(REPO_ROOT))
def test_every_shipped_list_prints_every_column_on_a4_landscape(page: Page, browse: str, tmp_path):
    page.goto(browse)
    every_column_on_paper(page, printed(page, tmp_path, "printed-" + browse.strip("/").replace("/", "-")))


def every_column_on_paper(page: Page, text: str) -> None:
    """Each heading and cell inside the paper's width, and in the PDF whole: a column squeezed to fit
    breaks its words ("Divis ion"), which the PDF's text shows."""
    cells = page.locator("main th, main td")
    assert cells.count() > 6, "no table to print"
    for cell in cells.all():
        words = " ".join(cell.inner_text().split())
        assert within(cell.bounding_box(), A4_LANDSCAPE["width"]), f"{words!r} runs off the paper"
        assert words in text, f"{words!r} is not printed whole"
    fits_the_screen(page)


def test_a_printed_record_has_no_buttons_and_no_link_addresses(page: Page, site: Site, tmp_path):
    page.goto(site.record(SAMPLE))
    buttons = page.locator("main .nhsuk-button")
    assert buttons.count() >= 3     # Edit, History, Delete for the site admin
    words = [" ".join(text.split()) for text in buttons.all_inner_texts()]
    title = page.get_by_role("heading", level=1).inner_text()
    text = printed(page, tmp_path, "printed-record")
    for number in range(buttons.count()):
        expect(buttons.nth(number)).to_be_hidden()
    expect(page.locator(".nhsuk-header__account")).to_be_hidden()
    fits_the_screen(page)
    assert link_addresses_printed(page) == []
    assert " ".join(title.split()) in text and "(Link:" not in text
    assert not [word for word in words if word in text], f"buttons printed: {words}"


# -- a date range typed in the filter panel (a type with a date facet, which no shipped type has) -------------

DATED_TYPE = """
name: project
title: Project
title_plural: Projects
reference_prefix: PR
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: start_date, type: date, label: Start date}
statuses: [Proposed, {name: Completed, closed: true}]
listing:
  columns: [reference, title, start_date, status, updated]
  facets: [status, start_date]
"""


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory) -> Iterator[str]:
    """A site whose one repository type has a date facet, with three projects, served on 127.0.0.1."""
    from engine import create_app
    root = tmp_path_factory.mktemp("dated")
    (root / "schemas").mkdir()
    (root / "schemas" / "project.yaml").write_text(textwrap.dedent(DATED_TYPE))
    (root / "instances" / "team").mkdir(parents=True)
    (root / "instances" / "team" / "instance.yaml").write_text("title: A team\nrepositories: [project]\n")
    app = create_app({"SECRET_KEY": "browser-tests", "SCHEMAS": str(root / "schemas"),
                      "INSTANCES": str(root / "instances"), "DATA": str(root / "data")})
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("team", "project"))
    for title, start in (("Falls", "2024-05-01"), ("Sepsis", "2025-02-01"), ("Handover", "2025-11-30")):
        records.create({"title": title, "start_date": start}, user="seed")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dated-site", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/team/project/"
    server.shutdown()
    thread.join(timeout=10)
    site.close()


def test_a_date_range_is_typed_in_the_filter_panel_and_a_wrong_date_said_beside_its_box(
        anonymous_page: Page, dated_site: str, tmp_path):
    page = anonymous_page
    page.set_viewport_size(PHONE)
    page.goto(dated_site)
    filter_control(page).click()
    page.get_by_role("group", name="Start date").get_by_label("From", exact=True).fill("31/02/2025")
    page.get_by_role("button", name="Apply filters").click()
    error = page.locator("#start_date_from-error")
    expect(error).to_be_visible()       # the panel comes back open, with the message beside the box
    expect(error).to_have_text("Error: Start date from: '31/02/2025' is not a real date")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("'31/02/2025' is not a real date")
    page.screenshot(path=tmp_path / "date-range-error-375.png", full_page=True)
    assert_accessible(page)
    page.get_by_label("From", exact=True).fill("2025")
    page.get_by_label("To", exact=True).fill("30/11/2025")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-sentence")).to_have_text(
        "2 projects where start date from 1 January 2025 to 30 November 2025")
    assert_accessible(page)
