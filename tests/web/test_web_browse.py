"""The browse page: search, facet filters with counts, the sentence, removable filters, sort, pages, states."""
from __future__ import annotations

import pytest

from engine.store.base import Query
from webpages import BASE, html, project


@pytest.fixture
def projects(app):
    """Seven projects: 4 in Surgery, 3 in Medicine; two of them Completed."""
    site = app.extensions["repo_engine"]
    repository = site.repository("qi", "qi-project")
    records = site.records(repository)
    rows = [("Falls on Ward 12", "Surgery", "In progress"), ("Sepsis screening", "Medicine", "In progress"),
            ("Discharge letters", "Surgery", "Proposed"), ("Hand hygiene", "Medicine", "Completed"),
            ("Theatre delays", "Surgery", "Completed"), ("Pressure ulcers", "Surgery", "Proposed"),
            ("Insulin errors", "Medicine", "Stopped")]
    for title, division, status in rows:
        outcomes = {"outcomes": "Done"} if status == "Completed" else {}
        records.create(project(title=title, division=division, **outcomes), user="seed", status=status)
    return rows


def sentence(page) -> str:
    return page.select_one("#results-sentence").get_text(strip=True)


def titles(page) -> list[str]:
    return [row.select("td")[1].get_text(strip=True) for row in page.select("main tbody tr")]


def facet(page, name) -> dict[str, str]:
    """A facet's options: label text -> 'checked' or ''."""
    return {box.find_next_sibling("label").get_text(" ", strip=True): ("checked" if box.has_attr("checked") else "")
            for box in page.select(f"form.app-filters input[name={name}]")}


def test_browse_lists_the_first_page_with_columns_from_the_schema(client, projects):
    page = html(client.get(BASE))
    headers = [th.get_text(strip=True) for th in page.select("main thead th")]
    assert headers == ["Reference", "Project title", "Division", "Status", "Updated"]
    assert len(page.select("main tbody tr")) == 5
    assert sentence(page) == "7 quality improvement projects"
    first = page.select_one("main tbody tr td a")
    assert first["href"].startswith(BASE + "QI-")


def test_the_updated_column_shows_the_day_and_the_record_page_the_time(app, client, projects):
    """A narrow column: '27 Nov 2026'; the record page says when to the minute, in UK time."""
    from engine.web.columns import when
    store = app.extensions["repo_engine"].store(app.extensions["repo_engine"].repository("qi", "qi-project"))
    record = store.query(Query(q="Sepsis")).records[0]
    page = html(client.get(BASE + "?q=Sepsis"))
    cells = [td.get_text(strip=True) for td in page.select("main tbody tr td")]
    day, month, year = when(record.updated).split(" at ")[0].split()
    assert cells[-1] == f"{day} {month[:3]} {year}"
    assert when(record.updated) in html(client.get(BASE + record.reference)).get_text(" ", strip=True)


def test_facets_count_and_filter(client, projects):
    page = html(client.get(BASE))
    assert facet(page, "division") == {"Surgery (4)": "", "Medicine (3)": ""}
    page = html(client.get(BASE + "?division=Surgery&status=In+progress"))
    assert sentence(page) == "1 quality improvement project where division is Surgery and status is In progress"
    assert titles(page) == ["Falls on Ward 12"]
    assert facet(page, "division")["Surgery (1)"] == "checked"
    assert facet(page, "status")["In progress (1)"] == "checked"


def test_several_values_of_one_facet_are_either_or(client, projects):
    page = html(client.get(BASE + "?status=Proposed&status=Stopped"))
    assert sentence(page) == "3 quality improvement projects where status is Proposed or Stopped"


def test_each_active_filter_can_be_removed(client, projects):
    page = html(client.get(BASE + "?division=Surgery&status=Proposed"))
    removers = page.select("ul.app-active-filters a.app-remove-filter")
    for hidden in page.select("ul.app-active-filters [aria-hidden=true]"):
        hidden.decompose()      # what a screen reader says
    assert [a.get_text(" ", strip=True) for a in removers] == [
        "Remove filter: division is Surgery", "Remove filter: status is Proposed"]
    page = html(client.get(removers[0]["href"]))
    assert sentence(page) == "2 quality improvement projects where status is Proposed"


def test_search_finds_words_in_text_fields(client, projects):
    page = html(client.get(BASE + "?q=sepsis"))
    assert sentence(page) == "1 quality improvement project matching “sepsis”"
    assert titles(page) == ["Sepsis screening"]
    assert page.select_one("input#q")["value"] == "sepsis"


def test_under_way_now_and_done_before_are_one_click_apart(client, projects):
    page = html(client.get(BASE))
    links = {a.get_text(strip=True): a["href"] for a in page.select("nav.app-state-links a")}
    assert set(links) == {"All", "Under way now", "Done before"}
    done = html(client.get(links["Done before"]))
    assert sentence(done) == "3 quality improvement projects done before"
    now = html(client.get(links["Under way now"]))
    assert sentence(now) == "4 quality improvement projects under way now"
    assert now.select_one("nav.app-state-links a[aria-current=page]").get_text(strip=True) == "Under way now"


def test_sorting_by_a_column_and_back(client, projects):
    page = html(client.get(BASE + "?sort=title"))
    assert titles(page) == ["Discharge letters", "Falls on Ward 12", "Hand hygiene", "Insulin errors",
                            "Pressure ulcers"]
    header = page.select("main thead th")[1]
    assert header["aria-sort"] == "ascending"
    page = html(client.get(header.a["href"]))
    assert page.select("main thead th")[1]["aria-sort"] == "descending"
    assert titles(page)[0] == "Theatre delays"
    assert [th["aria-sort"] for th in page.select("main thead th")].count("none") == 4


def test_pagination_links_to_every_page_and_keeps_the_filters(client, projects):
    page = html(client.get(BASE + "?sort=title"))
    pagination = page.select_one("nav.nhsuk-pagination")
    assert pagination.select_one("[aria-current=page]").get_text(strip=True) == "1"
    following = pagination.select_one("a.nhsuk-pagination__next")["href"]
    assert "sort=title" in following and "page=2" in following
    page = html(client.get(following))
    assert titles(page) == ["Sepsis screening", "Theatre delays"]
    assert page.select_one("a.nhsuk-pagination__previous") is not None


def test_a_page_past_the_end_links_back_to_the_first(client, projects):
    page = html(client.get(BASE + "?page=9"))
    assert page.select_one("main .nhsuk-inset-text a")["href"] == BASE


def test_nothing_found_offers_a_way_out(client, projects):
    page = html(client.get(BASE + "?q=nothing+like+this"))
    assert sentence(page) == "0 quality improvement projects matching “nothing like this”"
    links = [a["href"] for a in page.select("main .nhsuk-inset-text a")]
    assert links == ["/search?q=nothing+like+this", BASE + "new"]        # no filters: not "try fewer filters"
    assert "fewer filters" not in page.select_one("main .nhsuk-inset-text").get_text()
    filtered = html(client.get(BASE + "?q=nothing+like+this&division=Surgery"))
    assert [a["href"] for a in filtered.select("main .nhsuk-inset-text a")] == [BASE, BASE + "new"]


def test_an_empty_repository_invites_the_first_submission(client):
    page = html(client.get(BASE))
    assert page.select_one("main .nhsuk-inset-text a")["href"] == BASE + "new"


@pytest.mark.parametrize("query, message", [
    ("status=Lost", "There is no status called “Lost”."),
    ("colour=red", "There is no field called “colour” to filter on."),
    ("sort=colour", "The list cannot be sorted by “colour”"),
    ("page=minus", "“minus” is not a page number"),
    ("state=sometime", "“sometime” is not a choice here"),
])
def test_a_bad_filter_is_explained_and_ignored(client, projects, query, message):
    response = client.get(BASE + "?" + query)
    assert response.status_code == 400
    page = html(response)
    problems = page.select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert message in problems
    assert sentence(page) == "7 quality improvement projects"


def test_links_keep_the_prefix_the_site_is_mounted_under(client, projects):
    page = html(client.get(BASE, base_url="http://localhost/repositories/"))
    hrefs = [a["href"] for a in page.select("main a[href]")]
    assert hrefs and all(href.startswith("/repositories/") for href in hrefs), hrefs
    assert page.select_one("link[rel=stylesheet]")["href"].startswith("/repositories/assets/")


def test_a_save_shows_on_the_next_browse_page_though_rows_and_facets_are_kept_between_requests(app, client,
                                                                                               projects):
    before = html(client.get(BASE + "?sort=title"))
    assert facet(before, "division") == {"Surgery (4)": "", "Medicine (3)": ""}
    site = app.extensions["repo_engine"]
    repository = site.repository("qi", "qi-project")
    record = site.store(repository).query(Query(q="Discharge")).records[0]
    site.records(repository).update(record.reference, {"title": "Discharge letters by noon", "division": "Medicine"},
                                    user="editor", expected_version=record.version)
    after = html(client.get(BASE + "?sort=title"))
    assert facet(after, "division") == {"Medicine (4)": "", "Surgery (3)": ""}
    assert "Discharge letters by noon" in titles(after)


def test_a_save_by_another_worker_process_shows_on_the_next_browse_page(app, client, projects, tmp_path):
    """Browse bodies are kept under the store's revision, which must move when another process writes."""
    from engine.records import Records
    from engine.store.tinydb import TinyDBStore

    before = html(client.get(BASE + "?q=hygiene"))
    assert titles(before) == ["Hand hygiene"]
    repository = app.extensions["repo_engine"].repository("qi", "qi-project")
    other = TinyDBStore(repository.rtype, tmp_path / "data" / "qi")      # what a second gunicorn worker opens
    try:
        Records(repository.rtype, other, repository.validator).create(
            project(title="Hand hygiene audit", division="Surgery"), user="bob")
    finally:
        other.close()
    after = html(client.get(BASE + "?q=hygiene"))
    assert sorted(titles(after)) == ["Hand hygiene", "Hand hygiene audit"]
