"""Lists on a phone and on paper, and what a list's URL may ask: ``per_page`` as the API takes it, and a date
range typed in the filter panel's From and To boxes, read the same by the browse page, the export and the API.

The repository type here has a date facet (``start_date``), which the shipped types do not; the phone and
paper layouts themselves are measured in tests/browser/test_browser_lists.py.
"""
from __future__ import annotations

import csv
import io
import textwrap

import pytest

from engine.web.app import create_app
from webpages import BASE, html

REPOSITORY_TYPE = """
name: qi-project
title: Quality improvement project
title_plural: Quality improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: division, type: choice, label: Division, required: true, choices: [Medicine, Surgery]}
  - {name: start_date, type: date, label: Start date}
statuses: [Proposed, In progress, {name: Completed, closed: true}]
listing:
  columns: [reference, title, division, start_date, status, updated]
  facets: [status, division, start_date]
  sort: title
  per_page: 5
"""
API = "/api/v1/qi/qi-project/records"
#: title, division, start date: seven projects, so the list has two pages of five.
PROJECTS = [("Falls", "Surgery", "2024-06-01"), ("Sepsis", "Medicine", "2025-01-01"),
            ("Handover", "Surgery", "2025-07-15"), ("Discharge", "Medicine", "2025-12-31"),
            ("Insulin", "Surgery", "2026-01-01"), ("Pressure ulcers", "Medicine", None),
            ("Theatre delays", "Surgery", "2025-03-01")]


@pytest.fixture
def app(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "qi-project.yaml").write_text(textwrap.dedent(REPOSITORY_TYPE))
    (tmp_path / "instances" / "qi").mkdir(parents=True)
    (tmp_path / "instances" / "qi" / "instance.yaml").write_text("title: QI team\nrepositories: [qi-project]\n")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("qi", "qi-project"))
    for title, division, start in PROJECTS:
        records.create({"title": title, "division": division, **({"start_date": start} if start else {})},
                       user="seed")
    yield app
    site.close()


@pytest.fixture
def client(app):
    return app.test_client()      # a reader who is not signed in: the instance may be read by anyone


def sentence(page) -> str:
    return page.select_one("#results-sentence").get_text(strip=True)


def titles(page) -> list[str]:
    return [row.select("td")[1].get_text(strip=True) for row in page.select("main tbody tr")]


def problems(page) -> list[str]:
    return [item.get_text(" ", strip=True) for item in page.select(".nhsuk-error-summary li")]


def api_titles(client, query: str) -> list[str]:
    answer = client.get(API + query + ("&" if query else "?") + "per_page=100")
    assert answer.status_code == 200, answer.json
    return [record["values"]["title"] for record in answer.json["records"]]


def export_titles(client, query: str) -> list[str]:
    answer = client.get(BASE + "export" + query + ("&" if query else "?") + "format=csv")
    assert answer.status_code == 200
    return [row["Project title"] for row in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))]


# -- per_page: the API's parameter, on the browse page too -------------------------------------------------

def test_per_page_copied_from_the_api_shows_that_many_a_page(client):
    page = html(client.get(BASE + "?per_page=2"))
    assert titles(page) == ["Discharge", "Falls"]
    assert page.select_one("nav.nhsuk-pagination a[aria-label='Page 4']") is not None       # 7 at 2 a page
    following = page.select_one("a.nhsuk-pagination__next")["href"]
    assert "per_page=2" in following and titles(html(client.get(following))) == ["Handover", "Insulin"]
    assert page.select_one("form.app-filters input[name=per_page]")["value"] == "2"     # kept by Apply


@pytest.mark.parametrize("raw", ["0", "101", "two", "-1"])
def test_a_per_page_out_of_bounds_is_explained_and_the_listings_own_number_shown(client, raw):
    response = client.get(BASE + f"?per_page={raw}")
    assert response.status_code == 400
    page = html(response)
    assert problems(page) == ["per_page must be a whole number from 1 to 100; showing 5 a page."]
    assert len(titles(page)) == 5
    assert client.get(API + f"?per_page={raw}").json["errors"] == {
        "per_page": "per_page must be a whole number from 1 to 100"}


def test_a_page_or_page_size_in_other_digits_is_explained_not_a_fault(client):
    """"²" passes ``str.isdigit`` but not ``int``: it is not a number a person meant."""
    response = client.get(BASE + "?page=²&per_page=²")
    assert response.status_code == 400
    assert problems(html(response)) == ["“²” is not a page number; showing the first page.",
                                        "per_page must be a whole number from 1 to 100; showing 5 a page."]


def test_the_browse_page_and_the_api_hold_per_page_to_one_limit(client, monkeypatch):
    """One constant: lowered, both refuse what it no longer allows."""
    from engine.web import listing
    monkeypatch.setattr(listing, "MAX_PER_PAGE", 3)
    assert client.get(BASE + "?per_page=3").status_code == 200
    assert client.get(API + "?per_page=3").json["per_page"] == 3
    assert client.get(BASE + "?per_page=4").status_code == 400
    assert client.get(API + "?per_page=4").json["errors"]["per_page"].endswith("from 1 to 3")


# -- a date range typed in the filter panel -------------------------------------------------------------

@pytest.mark.parametrize("query, said, found", [
    ("?start_date_from=2025-01-01&start_date_to=2025-12-31",
     "where start date from 1 January 2025 to 31 December 2025", ["Discharge", "Handover", "Sepsis", "Theatre delays"]),
    ("?start_date_from=2025&start_date_to=2025",
     "where start date from 1 January 2025 to 31 December 2025", ["Discharge", "Handover", "Sepsis", "Theatre delays"]),
    ("?start_date_from=1/3/2025&start_date_to=2025-07",
     "where start date from 1 March 2025 to 31 July 2025", ["Handover", "Theatre delays"]),
    ("?start_date_from=2025-07-15", "where start date is on or after 15 July 2025", ["Discharge", "Handover", "Insulin"]),
    ("?start_date_to=31 December 2024&start_date_from=", "where start date is on or before 31 December 2024", ["Falls"]),
    ("?start_date=2024&start_date_from=2026-01-01",
     "where start date is in 2024 or on or after 1 January 2026", ["Falls", "Insulin"]),
    ("?division=Surgery&start_date_from=2025", "where division is Surgery and start date is on or after 1 January 2025",
     ["Handover", "Insulin", "Theatre delays"]),
])
def test_a_typed_date_range_lists_the_same_on_the_page_the_export_and_the_api(client, query, said, found):
    response = client.get(BASE + query)
    assert response.status_code == 200
    page = html(response)
    assert sentence(page) == f"{len(found)} quality improvement project{'s' if len(found) > 1 else ''} {said}"
    assert titles(page) == found[:5]
    assert export_titles(client, query) == found
    assert api_titles(client, query) == found


def test_the_date_facet_offers_from_and_to_boxes_beside_its_years(client):
    page = html(client.get(BASE + "?start_date_from=2025-03"))
    group = page.select_one("form.app-filters input[name=start_date_from]").find_parent("fieldset")
    assert group.legend.get_text(strip=True) == "Start date"
    boxes = {box["name"]: box for box in group.select("input[type=text]")}
    assert list(boxes) == ["start_date_from", "start_date_to"]
    assert [group.select_one(f"label[for={name}]").get_text(strip=True) for name in boxes] == ["From", "To"]
    assert boxes["start_date_from"]["value"] == "2025-03" and boxes["start_date_to"]["value"] == ""
    hint = group.select_one(f"#{boxes['start_date_to']['aria-describedby']}").get_text(strip=True)
    assert "31/12/2025" in hint and "year" in hint
    # Its years are counted leaving the range out, as every facet leaves its own field's filter out.
    assert [box["value"] for box in group.select("input[type=checkbox]")] == ["2025", "2024", "2026"]


def test_removing_a_typed_range_empties_both_its_boxes(client):
    page = html(client.get(BASE + "?division=Surgery&start_date_from=2025&start_date_to=2025-12"))
    tags = page.select("ul.app-active-filters a.app-remove-filter")
    for hidden in page.select("ul.app-active-filters [aria-hidden=true]"):
        hidden.decompose()
    assert [tag.get_text(" ", strip=True) for tag in tags] == [
        "Remove filter: division is Surgery",
        "Remove filter: Start date from 1 January 2025 to 31 December 2025"]
    assert tags[1]["href"] == BASE + "?division=Surgery"


@pytest.mark.parametrize("query, said", [
    ("?start_date_from=2025-02-30", {"start_date_from": "Start date from: '2025-02-30' is not a real date"}),
    ("?start_date_to=soon",
     {"start_date_to": "Start date to: 'soon' is not a date: write it like 31/12/2025 or 2025-12-31"}),
    ("?start_date_from=2025-13&start_date_to=2025",
     {"start_date_from": "Start date from: '2025-13' is not a real date"}),
    ("?start_date_from=2026&start_date_to=2025-06",
     dict.fromkeys(["start_date_from", "start_date_to"],
                   "Start date: the to date (30 June 2025) is before the from date (1 January 2026)")),
])
def test_a_date_that_cannot_be_read_is_said_beside_its_box_and_the_api_names_it(client, query, said):
    response = client.get(BASE + query)
    assert response.status_code == 400
    page = html(response)
    assert problems(page) == list(dict.fromkeys(said.values()))
    assert len(titles(page)) == 5 and sentence(page) == "7 quality improvement projects"     # left out, not guessed
    assert page.select_one("details.app-filter-panel").has_attr("open")      # the message is in the panel
    for name, message in said.items():
        box = page.select_one(f"input[name={name}]")
        assert "nhsuk-input--error" in box["class"]
        error = page.select_one(f"#{name}-error")
        assert error.get_text(" ", strip=True) == f"Error: {message}"
        assert f"{name}-error" in box["aria-describedby"].split()
    assert client.get(API + query).json["errors"] == said


# -- a phone: the filters behind one control, every value labelled ------------------------------------------

def test_the_filters_are_behind_one_filter_control_that_works_without_javascript(client):
    page = html(client.get(BASE))
    panel = page.select_one("form.app-filters details.app-filter-panel")
    assert not panel.has_attr("open")       # a phone shows the results first; engine.js opens it on a wide screen
    assert panel.summary.get_text(strip=True) == "Filter"
    assert len(panel.select("input[type=checkbox]")) == len(page.select("form.app-filters input[type=checkbox]")) > 0
    assert panel.select_one("button[type=submit]").get_text(strip=True) == "Apply filters"
    assert page.select_one("form.app-filters input#q").find_parent("details") is None    # search stays outside
    chosen = html(client.get(BASE + "?division=Surgery&status=Proposed"))
    assert chosen.select_one("details.app-filter-panel summary").get_text(strip=True) == "Filter (2 chosen)"


def test_trust_wide_search_puts_its_filters_behind_the_same_control(client):
    page = html(client.get("/search?q=falls&status=Proposed"))
    panel = page.select_one("form.app-filters details.app-filter-panel")
    assert not panel.has_attr("open") and panel.summary.get_text(strip=True) == "Filter (1 chosen)"
    assert panel.select("input[type=checkbox][name=status]")


def test_every_cell_carries_its_column_heading_for_the_phone_card(client):
    page = html(client.get(BASE))
    headings = [th.get_text(strip=True) for th in page.select("main thead th")]
    for row in page.select("main tbody tr"):
        assert [cell["data-label"] for cell in row.select("td")] == headings


def test_the_panel_sorts_as_the_column_headings_do(client):
    """On a phone the headings are not shown: the same sort links are in the filter panel."""
    page = html(client.get(BASE + "?sort=-start_date&division=Surgery"))
    headings = {a.get_text(strip=True): a["href"] for a in page.select("main thead th a")}
    panel = page.select_one("details.app-filter-panel .app-sort-links")
    assert {a.get_text(strip=True): a["href"] for a in panel.select("a")} == headings
    current = panel.select_one("a[aria-current=true]")
    assert current.get_text(strip=True) == "Start date"
    assert current.parent.get_text(" ", strip=True) == "Start date (sorted descending)"


# -- paper ------------------------------------------------------------------------------------------------

def test_pages_link_a_print_stylesheet_and_a_printed_list_says_which_page_it_is(client):
    page = html(client.get(BASE + "?page=2"))
    printed = page.select_one("link[rel=stylesheet][media=print]")
    assert printed["href"].split("?")[0].endswith("/assets/print.css")
    assert client.get(printed["href"]).status_code == 200
    assert page.select_one(".app-print-only").get_text(strip=True) == "Page 2 of 2, 5 to a page."
    record = html(client.get(BASE + "QI-0001"))
    assert record.select_one("link[rel=stylesheet][media=print]")["href"] == printed["href"]


def test_an_export_with_a_filter_it_cannot_read_exports_nothing_and_says_why(client):
    response = client.get(BASE + "export?format=csv&start_date_from=31/02/2025")
    assert response.status_code == 400
    assert "Nothing was exported" in response.get_data(as_text=True)
    assert "text/csv" not in response.content_type
