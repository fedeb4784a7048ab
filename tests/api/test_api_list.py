"""The list endpoint lists exactly what the browse page shows for the same query string, a page at a time,
and refuses a bad parameter by name instead of quietly dropping it."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

RECORDS = "/api/v1/qi/qi-project/records"
BROWSE = "/qi/qi-project/"
PROJECTS = [
    ("Falls on ward 7", "Surgery", "Proposed"), ("Sepsis screening", "Medicine", "In progress"),
    ("Falls in theatre recovery", "Surgery", "In progress"), ("Maternity handover", "Women and Children", "Proposed"),
    ("Pressure ulcers", "Medicine", "Proposed"), ("Falls at night", "Medicine", "Stopped"),
    ("Discharge letters", "Surgery", "Proposed"),
]


@pytest.fixture
def projects(client, token):
    headers = {"Authorization": f"Bearer {token('ada', site_admin=True)}"}
    for title, division, status in PROJECTS:
        response = client.post(RECORDS, json={"values": {"title": title, "division": division}, "status": status},
                               headers=headers)
        assert response.status_code == 201, response.json


def browse_references(client, query: str) -> list[str]:
    page = BeautifulSoup(client.get(BROWSE + query).get_data(as_text=True), "html.parser")
    return [row.select_one("td a")["href"].rsplit("/", 1)[1] for row in page.select("tbody tr")]


def api_references(client, query: str) -> list[str]:
    response = client.get(RECORDS + query)
    assert response.status_code == 200, response.json
    return [record["reference"] for record in response.json["records"]]


@pytest.mark.parametrize("query", [
    "", "?page=2", "?q=falls", "?division=Surgery", "?division=Surgery&division=Medicine", "?status=Proposed",
    "?state=open", "?state=closed", "?sort=title", "?sort=-title&page=2", "?q=falls&division=Medicine",
])
def test_the_list_is_the_browse_page(client, projects, query):
    listed = api_references(client, query)
    assert listed, "every query here matches something, so an empty answer would prove nothing"
    assert listed == browse_references(client, query)


def test_paging_says_where_it_is_and_links_to_its_neighbours(client, projects):
    first = client.get(RECORDS + "?division=Surgery&division=Medicine&per_page=2").json
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (6, 1, 2, 3)
    assert first["previous"] is None
    second = client.get(first["next"]).json
    assert second["page"] == 2 and second["previous"] and second["next"]
    assert "division=Surgery&division=Medicine" in first["next"]
    last = client.get(RECORDS + "?per_page=2&page=4").json
    assert last["next"] is None and len(last["records"]) == 1


def test_the_default_page_size_is_the_browse_pages(client, projects):
    assert client.get(RECORDS).json["per_page"] == 5


@pytest.mark.parametrize("query, name", [
    ("?division=Nowhere", "division"), ("?start_date=not-a-date", "start_date"), ("?colour=red", "colour"),
    ("?sort=colour", "sort"), ("?page=0", "page"), ("?state=maybe", "state"), ("?per_page=1000", "per_page"),
    ("?per_page=x", "per_page"),
])
def test_a_bad_parameter_is_a_400_naming_it(client, projects, query, name):
    response = client.get(RECORDS + query)
    assert response.status_code == 400
    assert list(response.json["errors"]) == [name]
    assert "showing" not in response.json["errors"][name] and "it is sorted by" not in response.json["errors"][name]
