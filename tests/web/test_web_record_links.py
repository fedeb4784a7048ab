"""What a record page links to: a linked record by its reference and title, the records that refer to it, the
records that share a lead, keyword or division, its files by kind ("Word document"), and the search the person
came from ("Back to results"), which can only ever lead to this repository's own browse page."""
from __future__ import annotations

import io
import zipfile

import pytest

from daykit import PROJECTS, SEARCHES, a_file, chris, day_app, improvement_project, store  # noqa: F401
from engine.store.base import Query
from engine.web.views import records as record_views
from webpages import html


def word_document(size: int = 1100) -> bytes:
    """A .docx as Word writes one: a zip package listing its parts, here padded to about ``size`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "x" * size)
    return out.getvalue()


@pytest.fixture
def project(chris):
    """QI-0001, submitted by Chris Jones with keywords and a Word document."""
    response = chris.post(PROJECTS + "new", content_type="multipart/form-data", data=improvement_project(
        keywords="falls, night checks", documents=a_file("charter.docx", word_document())))
    assert response.status_code == 302
    return response.headers["Location"]


def search_for(app, reference: str = "QI-0001", topic: str = "Falls in older people"):
    """An evidence search supporting ``reference``, as an import of old data would leave it."""
    return store(app, "evidence-search").insert({"topic": topic, "linked_project": reference}, user="cjones")


def test_a_linked_record_is_named_by_its_reference_and_its_title(chris, day_app, project):
    search = search_for(day_app)
    link = html(chris.get(SEARCHES + search.reference)).select_one("main dd a[href='/qi/qi-project/QI-0001']")
    assert link.get_text(strip=True) == "QI-0001: Reducing falls on Ward 12"


def test_a_record_lists_the_records_that_refer_to_it(chris, day_app, project):
    search_for(day_app)
    section = html(chris.get(project)).select_one("section.app-referenced-by")
    assert section.h2.get_text(strip=True) == "Referenced by"
    assert section.h3.get_text(strip=True) == "Evidence searches whose linked improvement project is QI-0001"
    assert [(a.get_text(strip=True), a["href"]) for a in section.select("li a")] == [
        ("ES-0001: Falls in older people", "/qi/evidence-search/ES-0001")]


def test_a_record_nothing_refers_to_has_no_referenced_by(chris, project):
    assert html(chris.get(project)).select_one("section.app-referenced-by") is None


def test_the_referring_records_are_found_by_the_stores_query_not_by_reading_every_record(
        chris, day_app, project, monkeypatch):
    search_for(day_app)
    searches = store(day_app, "evidence-search")
    asked = []
    answer = searches.query
    monkeypatch.setattr(searches, "query", lambda query: asked.append(query) or answer(query))
    for scan in ("iter_all", "stored_values"):
        monkeypatch.setattr(searches, scan, lambda *args, **kwargs: pytest.fail("every record was read"))
    assert html(chris.get(project)).select_one("section.app-referenced-by li a") is not None
    [referring] = [query for query in asked if "linked_project" in query.filters]    # beside "related records"
    assert referring.filters == {"linked_project": ("QI-0001",)}
    assert isinstance(referring, Query) and referring.per_page == record_views.REFERRERS_SHOWN


def test_more_referring_records_than_are_listed_link_to_all_of_them(chris, day_app, project, monkeypatch):
    monkeypatch.setattr(record_views, "REFERRERS_SHOWN", 1)
    search_for(day_app, topic="Falls at night")
    search_for(day_app, topic="Falls in older people")
    section = html(chris.get(project)).select_one("section.app-referenced-by")
    assert len(section.select("li")) == 1
    more = section.select_one("p a")
    assert more.get_text(" ", strip=True).startswith("See all 2")
    assert more["href"] == "/qi/evidence-search/?linked_project=QI-0001"
    listed = html(chris.get(more["href"])).select("main tbody tr")
    assert len(listed) == 2


def test_a_file_is_described_by_its_kind_not_its_content_type(chris, day_app, project):
    item = html(chris.get(project)).select_one("ul.app-attachments li")
    assert item.select_one("a").get_text(strip=True) == "charter.docx"
    assert item.select_one("span").get_text(strip=True) == "(Word document, 1 KB)"
    assert "application/" not in item.get_text()


def test_a_file_of_a_kind_nobody_named_is_a_file(chris, day_app):
    search = search_for(day_app)
    searches = store(day_app, "evidence-search")
    searches.save_attachment(search.reference, "result_documents", "results.ris", io.BytesIO(b"TY  - JOUR\n"),
                             user="cjones")
    item = html(chris.get(SEARCHES + search.reference)).select_one("ul.app-attachments li span")
    assert item.get_text(strip=True) == "(File, 11 bytes)"


def test_a_lead_its_keywords_and_its_division_link_to_the_records_that_share_them(chris, day_app, project):
    page = html(chris.get(project))
    links = {a.get_text(strip=True): a["href"] for a in page.select("main dl.app-record-fields a")}
    assert links["Chris Jones"] == "/qi/qi-project/?project_lead=Chris+Jones"
    assert links["falls"] == "/qi/qi-project/?keywords=falls"
    assert links["night checks"] == "/qi/qi-project/?keywords=night+checks"
    assert links["Medicine"] == "/qi/qi-project/?division=Medicine"
    assert links["Lean"] == "/qi/qi-project/?methodology=Lean"
    assert "3 April 2026" not in links and "Halve falls by March 2027." not in links     # not facets: text
    found = html(chris.get(links["night checks"])).select("main tbody tr a")
    assert [a.get_text(strip=True) for a in found] == ["QI-0001"]


def test_back_to_results_returns_to_the_search_the_person_came_from(chris, project):
    came_from = "http://localhost/qi/qi-project/?q=falls&division=Medicine&page=2"
    page = html(chris.get(project, headers={"Referer": came_from}))
    crumb = page.select_one("nav.nhsuk-breadcrumb a.app-results-link")
    assert (crumb.get_text(strip=True), crumb["href"]) == ("Back to results",
                                                          "/qi/qi-project/?q=falls&division=Medicine&page=2")
    back = page.select_one("nav.nhsuk-breadcrumb a.nhsuk-back-link")
    assert (back.get_text(strip=True), back["href"]) == ("Back to results", crumb["href"])


@pytest.mark.parametrize("referer", [
    "https://evil.example/qi/qi-project/?q=falls",           # another site
    "http://localhost.evil.example/qi/qi-project/?q=falls",
    "//evil.example/qi/qi-project/?q=falls",                 # no scheme: a browser reads it as another site
    "javascript:alert(1)//localhost/qi/qi-project/?q=1",
    "http://localhost/qi/evidence-search/?q=falls",          # another repository's results
    "http://localhost/qi/qi-project/QI-0001?q=falls",        # not a browse page
    "http://localhost/qi/qi-project/",                       # the browse page with no search
    "",
])
def test_anything_but_this_repositorys_own_results_gives_the_usual_breadcrumb(chris, project, referer):
    page = html(chris.get(project, headers={"Referer": referer}))
    assert page.select_one("a.app-results-link") is None
    assert page.select_one("nav.nhsuk-breadcrumb a.nhsuk-back-link")["href"] == "/qi/qi-project/"


def test_the_search_carried_back_is_re_encoded_so_it_cannot_break_out_of_the_link(chris, project):
    came_from = 'http://localhost/qi/qi-project/?q="><script>alert(1)</script>&division=Medicine'
    response = chris.get(project, headers={"Referer": came_from})
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    href = html(response).select_one("a.app-results-link")["href"]
    assert href == "/qi/qi-project/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&division=Medicine"
