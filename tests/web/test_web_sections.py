"""Sections on the form and the record page: the fields without a section first, then each section once, in the
order the type declares its sections, however its fields are spread through ``fields:``."""
from __future__ import annotations

import textwrap

import pytest

from access_helpers import sign_in
from engine.web.app import create_app
from webpages import html

#: "Results" is declared first but its fields come last and apart; "about" is split by a loose field.
SPREAD = """
name: audit-note
title: Audit note
reference_prefix: AN
record_title: title
sections:
  - {name: results, title: Results, help: What was found.}
  - {name: about, title: About the audit}
fields:
  - {name: title, type: text, label: Title, required: true, section: about}
  - {name: lead, type: person, label: Lead}
  - {name: finding, type: textarea, label: Finding, section: results}
  - {name: ward, type: text, label: Ward, section: about}
  - {name: notes, type: textarea, label: Notes}
  - {name: action, type: textarea, label: Action, section: results}
statuses: [Open, {name: Closed, closed: true}]
listing: {columns: [reference, title, status]}
"""
BASE = "/audit/audit-note/"


@pytest.fixture
def client(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "audit-note.yaml").write_text(textwrap.dedent(SPREAD))
    (tmp_path / "instances" / "audit").mkdir(parents=True)
    (tmp_path / "instances" / "audit" / "instance.yaml").write_text("title: Audit\nrepositories: [audit-note]\n")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    client = app.test_client()
    sign_in(client, app, "ann", "editor", "audit")
    yield client
    app.extensions["repo_engine"].close()


def test_the_form_shows_each_section_once_in_the_declared_order(client):
    form = html(client.get(BASE + "new")).select_one("form#main-form")
    headings = [h.get_text(strip=True) for h in form.select("fieldset.app-section > legend h2")]
    assert headings == ["Results", "About the audit"]
    order = [div["id"].removeprefix("field-") for div in form.select("div.app-field")]
    assert order == ["lead", "notes", "finding", "action", "title", "ward"]
    results, about = form.select("fieldset.app-section")
    assert [d["id"] for d in results.select("div.app-field")] == ["field-finding", "field-action"]
    assert results.select_one(".nhsuk-hint").get_text() == "What was found."
    assert [d["id"] for d in about.select("div.app-field")] == ["field-title", "field-ward"]


def test_the_record_page_has_the_forms_headings_over_the_same_fields(client):
    response = client.post(BASE + "new", data={"title": "Hand hygiene", "lead": "Ann Lee", "finding": "Good",
                                               "ward": "Ward 3", "action": "Repeat in May"})
    page = html(client.get(response.headers["Location"]))
    headings = [h.get_text(strip=True) for h in page.select("main h2.app-record-section")]
    assert headings == ["Results", "About the audit"]
    lists = page.select("main dl.app-record-fields")
    keys = [[dt.get_text(strip=True) for dt in dl.select("dt")] for dl in lists]
    assert keys == [["Lead", "Notes"], ["Finding", "Action"], ["Title", "Ward"]]
    assert lists[1].find_previous("h2").get_text(strip=True) == "Results"


def test_errors_are_listed_in_the_order_the_form_shows_the_fields(client):
    response = client.post(BASE + "new", data={"title": "", "finding": "x" * 20001})
    assert [a["href"] for a in html(response).select(".nhsuk-error-summary a")] == ["#finding", "#title"]
