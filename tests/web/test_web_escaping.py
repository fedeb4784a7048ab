"""A ``<script>`` typed into any field is shown as text on every page it appears on, never run."""
from __future__ import annotations

import pytest

from webpages import BASE, html, project, upload

PAYLOAD = "<script>alert(1)</script>"
EVERY_FIELD = ("title", "aim", "division", "domains", "budget", "patient_facing", "lead_email", "website",
               "lead", "keywords", "follows", "outcomes", "start_date-day", "start_date-month", "start_date-year")


def assert_only_our_scripts(response):
    page = html(response)
    scripts = page.find_all("script")
    assert [s.get("src", "").split("?")[0] for s in scripts] == ["/assets/engine.js"], scripts
    return page


def shown_as_text(page) -> bool:
    return PAYLOAD in page.get_text() or any(PAYLOAD in (tag.get("value") or "") for tag in page.find_all("input"))


@pytest.fixture
def hostile(client):
    """A record whose free-text fields, keywords and document name all hold the payload, then edited."""
    data = project(title=PAYLOAD, aim=PAYLOAD, lead=PAYLOAD, keywords=PAYLOAD,
                   report=upload(f"{PAYLOAD}.pdf"))
    response = client.post(BASE + "new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    record = response.headers["Location"]
    client.post(record + "/edit", data=project(title=PAYLOAD + " again", aim=PAYLOAD, version="1",
                                               status="In progress"))
    return record


@pytest.mark.parametrize("path", ["", "/edit", "/history"])
def test_record_pages_show_the_payload_as_text(client, hostile, path):
    page = assert_only_our_scripts(client.get(hostile + path))
    assert shown_as_text(page)


@pytest.mark.parametrize("url", [BASE, BASE + "?q=" + PAYLOAD, BASE + "?division=" + PAYLOAD, "/qi/"])
def test_lists_show_the_payload_as_text(client, hostile, url):
    page = assert_only_our_scripts(client.get(url))
    assert shown_as_text(page)


def test_a_refused_form_shows_every_field_back_as_text(client):
    response = client.post(BASE + "new", data={name: PAYLOAD for name in EVERY_FIELD})
    assert response.status_code == 400
    page = assert_only_our_scripts(response)
    for name in ("title", "budget", "lead_email", "website", "keywords", "start_date"):
        assert page.select_one(f"#{name}")["value"] == PAYLOAD, name
    assert page.select_one("#aim").get_text() == PAYLOAD


@pytest.mark.parametrize("url, shown", [
    ("/<script>alert(1)/", "There is no instance called “<script>alert(1)”."),
    (BASE + "<script>alert(1)", "There is no record <script>alert(1)."),
])
def test_error_pages_show_the_payload_as_text(client, url, shown):
    response = client.get(url)
    assert response.status_code == 404
    page = assert_only_our_scripts(response)
    assert page.select_one("main p").get_text() == shown
