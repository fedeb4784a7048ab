"""The trust-wide search (``/search``), the similar-work lookup (``/<i>/<r>/similar``) and a record page's
"Related records": one ranked list from every instance the reader may read, and nothing at all from an
instance they may not.

Three instances on the shipped schemas: ``quality`` and ``audit`` (anyone may read) and ``safeguarding``
(members only), whose records carry a word found nowhere else (Zolbrook) so that any leak shows.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from engine.web import finding
from engine.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]

INSTANCES = {
    "quality": """
        title: Quality Improvement Team
        organisation: Example NHS Foundation Trust
        repositories: [qi-project]
        """,
    "audit": """
        title: Clinical Audit and Effectiveness
        organisation: Example NHS Foundation Trust
        repositories: [clinical-audit]
        """,
    "safeguarding": """
        title: Confidential Safeguarding Reviews
        organisation: Example NHS Foundation Trust
        repositories: [qi-project, clinical-audit]
        access: {read: members, submit: members}
        """,
}
HIDDEN_TITLE = "Confidential Safeguarding Reviews"
SECRET = "Zolbrook"


def project(title: str, aim: str, background: str, **extra) -> dict:
    values = {"title": title, "aim": aim, "background": background, "project_lead": "Aisha Rahman",
              "division": "Emergency and Urgent Care", "methodology": "Model for Improvement",
              "start_date": "2025-04-01"}
    values.update(extra)
    return values


def audit(title: str, standards: str, **extra) -> dict:
    values = {"title": title, "audit_type": "Local", "priority": "Level 2", "lead": "Dr Owen Hughes",
              "division": "Medicine", "specialty": "Acute Medicine", "standards_source": "NICE guidance",
              "standards": standards}
    values.update(extra)
    return values


#: (key, instance, repository, values, status)
RECORDS = [
    ("q_sepsis", "quality", "qi-project",
     project("Sepsis screening in the Emergency Department",
             "Screen 90% of adults with suspected sepsis within one hour of arrival by March 2026.",
             "Only 58% of patients triggering the sepsis screening tool received antibiotics within the hour."),
     "In progress"),
    ("q_falls", "quality", "qi-project",
     project("Reducing inpatient falls on elderly care wards",
             "Reduce falls with harm on Wards 10 and 11 by 25% by March 2026.",
             "Falls are the most reported patient safety incident in the Medicine Division.",
             division="Medicine"),
     "In progress"),
    ("a_sepsis", "audit", "clinical-audit",
     audit("Sepsis Six within one hour: re-audit in acute medicine",
           "NICE NG51: adults with suspected sepsis and a high risk criterion receive antibiotics within one hour.",
           compliance=81, findings="81% of patients with red flag sepsis had antibiotics within the hour.",
           action_plan="Sepsis trolley on every ward by June (ward managers)."),
     "Completed"),
    ("a_vte", "audit", "clinical-audit",
     audit("VTE risk assessment within 14 hours of admission (Medicine)",
           "NICE NG89: 100% of adults admitted to hospital have a VTE risk assessment within 14 hours."),
     "Data collection"),
    ("h_sepsis", "safeguarding", "qi-project",
     project(f"Sepsis screening for looked after children at {SECRET} House",
             "Screen every child with a fever for sepsis within one hour of arrival.",
             f"Two children placed at {SECRET} House were admitted late with sepsis last winter.",
             division="Women and Children"),
     "In progress"),
    ("h_audit", "safeguarding", "clinical-audit",
     audit(f"Sepsis escalation for children placed at {SECRET} House",
           f"Trust policy: every child at {SECRET} House with suspected sepsis is escalated within one hour.",
           division="Women and Children", specialty="Paediatrics"),
     "Registered"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("trust")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    for name, text in INSTANCES.items():
        (root / "instances" / name).mkdir(parents=True)
        (root / "instances" / name / "instance.yaml").write_text(textwrap.dedent(text))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(root / "schemas"), "INSTANCES": str(root / "instances"),
                      "DATA": str(root / "data")})
    site = app.extensions["repo_engine"]
    app.made = {}
    for key, instance, repo, values, status in RECORDS:
        record = site.records(site.repository(instance, repo)).create(values, user="ann", status=status, history=True)
        app.made[key] = (instance, repo, record)
    yield app
    site.close()


def url(app, key: str) -> str:
    instance, repo, record = app.made[key]
    return f"/{instance}/{repo}/{record.reference}"


@pytest.fixture(params=["anonymous", "non-member"])
def outsider(request, app):
    """A reader who may not read ``safeguarding``: nobody signed in, or staff with a role elsewhere only."""
    client = app.test_client()
    if request.param == "non-member":
        sign_in(client, app, "nina", "editor", "quality")
    return client


@pytest.fixture
def member(app):
    client = app.test_client()
    sign_in(client, app, "mo", "reader", "safeguarding")
    return client


def html(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def search(client, **args) -> BeautifulSoup:
    return html(client.get("/search", query_string=args))


def hits(page: BeautifulSoup) -> list[str]:
    """The result links, in order."""
    return [a["href"] for a in page.select("ol.app-results li.app-result h2 a")]


def facet(page: BeautifulSoup, name: str) -> dict[str, str]:
    """One facet's checkboxes: label text ('Quality Improvement Team (1)') -> its value."""
    return {box.find_next_sibling("label").get_text(" ", strip=True): box["value"]
            for box in page.select(f"form.app-filters input[type=checkbox][name={name}]")}


def checked(page: BeautifulSoup, name: str) -> list[str]:
    return [box["value"] for box in page.select(f"form.app-filters input[name={name}][checked]")]


def year(app) -> str:
    return str(app.made["q_sepsis"][2].created.year)


def leaked(text: str) -> list[str]:
    """What of the members-only instance shows in ``text``: its word, its department, its name in a link."""
    return [sign for sign in (SECRET, SECRET.lower(), HIDDEN_TITLE, "/safeguarding/", "safeguarding")
            if sign in text]


# -- one list from every readable instance ---------------------------------------------------------------------
def test_results_come_from_every_readable_instance_as_one_list(app, outsider):
    page = search(outsider, q="sepsis")
    assert set(hits(page)) == {url(app, "q_sepsis"), url(app, "a_sepsis")}
    assert page.select_one("#results-sentence").get_text(strip=True).startswith("2 records matching")
    assert facet(page, "instance") == {"Quality Improvement Team (1)": "quality",
                                       "Clinical Audit and Effectiveness (1)": "audit"}
    assert facet(page, "repository") == {"Improvement projects (1)": "qi-project",
                                         "Clinical audits (1)": "clinical-audit"}
    assert facet(page, "status") == {"In progress (1)": "In progress", "Completed (1)": "Completed"}
    assert facet(page, "year") == {f"{year(app)} (2)": year(app)}


def test_each_result_shows_its_department_and_a_snippet(app, outsider):
    page = search(outsider, q="antibiotics")
    results = page.select("ol.app-results li.app-result")
    assert {a["href"] for a in page.select("li.app-result h2 a")} == {url(app, "q_sepsis"), url(app, "a_sepsis")}
    for result in results:
        meta = result.select_one(".app-result__meta").get_text(" ", strip=True)
        assert "Quality Improvement Team" in meta or "Clinical Audit and Effectiveness" in meta
        assert [mark.get_text() for mark in result.select("p.app-snippet mark")] == ["antibiotics"]


def test_ticking_a_department_narrows_to_it(app, outsider):
    page = search(outsider, q="sepsis", instance="audit")
    assert hits(page) == [url(app, "a_sepsis")]
    assert checked(page, "instance") == ["audit"]
    # The department facet still counts the other department, so it can be ticked too.
    assert facet(page, "instance") == {"Quality Improvement Team (1)": "quality",
                                       "Clinical Audit and Effectiveness (1)": "audit"}
    assert facet(page, "repository") == {"Clinical audits (1)": "clinical-audit"}
    both = search(outsider, q="sepsis", instance=["audit", "quality"])
    assert set(hits(both)) == {url(app, "q_sepsis"), url(app, "a_sepsis")}


def test_ticking_a_type_and_a_status_narrows(app, outsider):
    assert hits(search(outsider, q="sepsis", repository="qi-project")) == [url(app, "q_sepsis")]
    assert hits(search(outsider, q="sepsis", status="Completed")) == [url(app, "a_sepsis")]
    assert set(hits(search(outsider, q="sepsis", year=year(app)))) == {url(app, "q_sepsis"), url(app, "a_sepsis")}


def test_state_open_shows_only_open_statuses(app, outsider):
    page = search(outsider, q="sepsis", state="open")
    assert hits(page) == [url(app, "q_sepsis")]
    assert [tag.get_text(strip=True) for tag in page.select("li.app-result .nhsuk-tag")] == ["In progress"]
    assert hits(search(outsider, q="sepsis", state="closed")) == [url(app, "a_sepsis")]


def test_search_without_words_shows_the_form_and_no_results(outsider):
    page = search(outsider)
    form = page.select_one("form.app-trust-search")
    assert form is not None and form.select_one("input#q[name=q]") is not None
    assert page.select("ol.app-results") == [] and page.select_one("#results-sentence") is None
    assert page.select("form.app-filters") == []
    assert page.select("ol.app-results") == search(outsider, q="   ").select("ol.app-results") == []


def test_similar_needs_three_letters_of_a_title(outsider):
    response = outsider.get("/quality/qi-project/similar", query_string={"title": "ab"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["records"] == [] and "at least 3 letters" in body["message"]


# -- nothing of a members-only instance reaches an outsider ------------------------------------------------------
def test_an_outsider_sees_nothing_of_a_members_only_instance_in_search(app, outsider):
    page = search(outsider, q="sepsis")
    assert leaked(str(page)) == []
    assert url(app, "h_sepsis") not in hits(page) and url(app, "h_audit") not in hits(page)
    # The counts: each facet's counts add up to the two readable records only.
    for name in ("instance", "repository", "status", "year"):
        counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in facet(page, name)]
        assert sum(counts) == 2, (name, facet(page, name))


def test_an_outsider_searching_for_the_hidden_word_finds_nothing(outsider):
    page = search(outsider, q=SECRET)
    assert hits(page) == []
    assert page.select_one("#results-sentence").get_text(strip=True).startswith("0 records")
    assert page.select("form.app-filters input[type=checkbox]") == []     # no facet, no count
    text = str(page)
    for echo in (f'value="{SECRET}"', f"“{SECRET}”", f"{SECRET}: search", f"q={SECRET}", f"q%3D{SECRET}"):
        text = text.replace(echo, "")      # the words searched for, said back: not the record's
    assert leaked(text) == []
    assert page.select_one(".app-suggestion") is None or SECRET.lower() not in str(page.select_one(".app-suggestion"))


def test_did_you_mean_comes_only_from_what_the_reader_may_read(outsider, member):
    offer = search(outsider, q="sepsiss").select_one(".app-suggestion a")
    assert offer is not None and offer.get_text(strip=True) == "sepsis"
    typo = "zolbrock"                               # one letter off the members-only word
    page = search(outsider, q=typo)
    assert hits(page) == [] and page.select(".app-suggestion") == []
    assert leaked(str(page)) == []
    offer = search(member, q=typo).select_one(".app-suggestion a")
    assert offer is not None and offer.get_text(strip=True) == SECRET.lower()


def test_an_outsider_gets_nothing_of_it_from_similar(app, outsider):
    response = outsider.get("/quality/qi-project/similar",
                            query_string={"title": "Sepsis screening for looked after children",
                                          "text": "Screen every child with a fever for sepsis within one hour."})
    assert response.status_code == 200
    body = response.get_json()
    assert leaked(response.get_data(as_text=True)) == []
    assert {record["department"] for record in body["records"]} <= {"Quality Improvement Team",
                                                                  "Clinical Audit and Effectiveness"}
    assert url(app, "q_sepsis") in [record["url"] for record in body["records"]]


def test_an_outsider_gets_nothing_of_it_in_related_records(app, outsider):
    page = html(outsider.get(url(app, "q_sepsis")))
    related = page.select_one("section.app-related")
    assert related is not None                      # the audit is related: the section is there
    assert url(app, "a_sepsis") in [a["href"] for a in related.select("a")]
    assert leaked(str(page)) == []


# -- a member sees it -------------------------------------------------------------------------------------------
def test_a_member_finds_it_in_search(app, member):
    page = search(member, q="sepsis")
    assert set(hits(page)) == {url(app, key) for key in ("q_sepsis", "a_sepsis", "h_sepsis", "h_audit")}
    assert facet(page, "instance")[f"{HIDDEN_TITLE} (2)"] == "safeguarding"
    assert facet(page, "year") == {f"{year(app)} (4)": year(app)}
    found = search(member, q=SECRET)
    assert set(hits(found)) == {url(app, "h_sepsis"), url(app, "h_audit")}
    assert SECRET in found.select_one("ol.app-results").get_text()
    assert [m.get_text() for m in found.select("p.app-snippet mark")][:1] == [SECRET]
    narrowed = search(member, q="sepsis", instance="safeguarding", repository="qi-project")
    assert hits(narrowed) == [url(app, "h_sepsis")]


def test_a_member_gets_it_from_similar_and_related(app, member):
    response = member.get("/quality/qi-project/similar",
                          query_string={"title": "Sepsis screening for looked after children",
                                        "text": "Screen every child with a fever for sepsis within one hour."})
    body = response.get_json()
    assert url(app, "h_sepsis") in [record["url"] for record in body["records"]]
    assert HIDDEN_TITLE in {record["department"] for record in body["records"]}
    related = html(member.get(url(app, "q_sepsis"))).select_one("section.app-related")
    assert url(app, "h_sepsis") in [a["href"] for a in related.select("a")]
    assert HIDDEN_TITLE in related.get_text()


def test_the_leak_checks_would_catch_a_leak(app, outsider, monkeypatch):
    """If the policy were not asked (every repository read), the checks above would fail."""
    everything = lambda site, person: tuple(hosted for instance in site.project.instances.values()  # noqa: E731
                                            for hosted in site.hosted_in(instance))
    monkeypatch.setattr(finding, "readable", everything)
    assert leaked(str(search(outsider, q="sepsis")))
    assert url(app, "h_sepsis") in hits(search(outsider, q=SECRET))
    assert search(outsider, q="zolbrock").select(".app-suggestion a")
    assert leaked(outsider.get("/quality/qi-project/similar",
                               query_string={"title": "Sepsis screening for looked after children"}
                               ).get_data(as_text=True))
    assert leaked(str(html(outsider.get(url(app, "q_sepsis"))).select_one("section.app-related")))


# -- the API's trust-wide search: the same reading of the URL and the same access as the page ------------------
def api_search(app, headers=None, **args):
    return app.test_client().get("/api/v1/search", query_string=args, headers=headers or {})


def api_token(app, username: str, **roles: str) -> dict[str, str]:
    accounts = app.extensions["repo_engine"].accounts
    if accounts.get(username) is None:
        accounts.add(username, name=username.title())
    for instance, role in roles.items():
        accounts.grant(username, instance, role)
    return {"Authorization": f"Bearer {accounts.create_token(username, 'tests')}"}


def test_the_api_search_lists_what_the_page_lists_in_the_same_order(app):
    page = hits(search(app.test_client(), q="sepsis"))
    answer = api_search(app, q="sepsis")
    assert answer.status_code == 200
    assert [record["page"] for record in answer.json["records"]] == page
    assert answer.json["total"] == len(page)
    assert all(record["match"]["score"] > 0 for record in answer.json["records"])


def test_the_api_search_keeps_a_members_only_instance_from_a_non_member_and_shows_it_to_a_member(app):
    outsider = api_search(app, api_token(app, "nadia", quality="editor"), q=SECRET)
    assert outsider.status_code == 200 and outsider.json["records"] == [] and outsider.json["total"] == 0
    assert all(bucket["count"] == 0 or bucket["value"] != "safeguarding"
               for bucket in outsider.json["facets"]["instance"])
    insider = api_search(app, api_token(app, "milo", safeguarding="reader"), q=SECRET)
    assert {record["instance"] for record in insider.json["records"]} == {"safeguarding"}


@pytest.mark.parametrize("args, refused", [
    ({}, "q"),
    ({"q": "sepsis", "page": "two"}, "page"),
    ({"q": "sepsis", "per_page": "1000"}, "per_page"),
    ({"q": "sepsis", "state": "finished"}, "state"),
])
def test_the_api_search_refuses_a_bad_parameter_by_name(app, args, refused):
    answer = api_search(app, **args)
    assert answer.status_code == 400
    assert list(answer.json["errors"]) == [refused]
    assert "showing" not in answer.json["errors"][refused]      # the page's fallback is not the API's


def test_the_search_page_says_what_it_could_not_read(outsider):
    page = search(outsider, q="sepsis", page="two", state="finished")
    said = [li.get_text(strip=True) for li in page.select(".nhsuk-error-summary li")]
    assert said == ["“finished” is not a choice here: use open (under way now) or closed (done before).",
                    "“two” is not a page number; showing the first page."]
    assert hits(page)                      # and it shows the first page of every result instead
