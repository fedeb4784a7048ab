"""Review and superseding on the pages: the record page warns of an overdue review and says when one is due
soon, links a superseded guideline to the one that replaced it and back, and the instance home counts the
guidelines due soon and overdue, each count a link to the browse page listing exactly those."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from engine.fields.dates import long_date
from engine.web.app import create_app
from reviewkit import INSTANCE, REPO, add_guideline, write_project

BASE = f"/{INSTANCE}/{REPO}/"


@pytest.fixture
def app(tmp_path):
    paths = write_project(tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(paths.schemas), "INSTANCES": str(paths.instances), "DATA": str(paths.data)})
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def add(app):
    """Add a guideline due ``days`` from the real today (the pages read the clock)."""
    site = app.extensions["repo_engine"]
    store = site.store(site.repository(INSTANCE, REPO))
    return lambda title="Sepsis in adults", **values: add_guideline(store, date.today(), title, **values)


def page(client, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_an_overdue_guideline_carries_a_warning_with_its_review_date(app, add):
    record = add(days=-10)
    shown = page(app.test_client(), BASE + record.reference)
    [warning] = shown.select(".nhsuk-warning-callout.app-review-overdue")
    due = long_date(date.today() - timedelta(days=10))
    assert f"This guideline was due for review on {due}." in text(warning)
    assert shown.select(".app-review-due") == []


def test_a_guideline_due_soon_says_when_in_an_inset(app, add):
    record = add(days=12)
    shown = page(app.test_client(), BASE + record.reference)
    [inset] = shown.select(".nhsuk-inset-text.app-review-due")
    assert f"Due for review on {long_date(date.today() + timedelta(days=12))}, in 12 days." in text(inset)
    assert shown.select(".app-review-overdue") == []


@pytest.mark.parametrize("days, status", [(200, "Approved"), (-10, "Superseded"), (None, "Approved")])
def test_no_banner_when_not_due_soon_closed_or_undated(app, add, days, status):
    shown = page(app.test_client(), BASE + add(days=days, status=status).reference)
    assert shown.select(".app-review-overdue, .app-review-due") == []


def test_superseded_and_superseding_guidelines_link_to_each_other(app, add):
    add("Sepsis in adults v3", status="Superseded")
    add("Sepsis in adults v4", supersedes="GL-0001")
    client = app.test_client()
    [by] = page(client, BASE + "GL-0001").select(".app-superseded-by li")
    assert text(by) == "Superseded by GL-0002: Sepsis in adults v4"
    assert by.a["href"] == BASE + "GL-0002"
    [replaces] = page(client, BASE + "GL-0002").select(".app-supersedes")
    assert text(replaces) == "Supersedes GL-0001: Sepsis in adults v3"
    assert replaces.a["href"] == BASE + "GL-0001"
    assert page(client, BASE + "GL-0002").select(".app-superseded-by") == []


def test_a_deleted_replacement_no_longer_supersedes(app, add):
    add("Sepsis in adults v3")
    add("Sepsis in adults v4", supersedes="GL-0001")
    site = app.extensions["repo_engine"]
    site.store(site.repository(INSTANCE, REPO)).delete("GL-0002", user="admin")
    assert page(app.test_client(), BASE + "GL-0001").select(".app-superseded-by") == []


def test_an_earlier_version_of_the_record_shows_without_the_review_parts(app, add):
    record = add(days=-10)
    assert page(app.test_client(), f"{BASE}{record.reference}/history/1").select(".app-review-overdue") == []


def listed(client, href: str) -> set[str]:
    rows = page(client, href).select("main table tbody tr")
    return {row.select_one("td, th").get_text(strip=True) for row in rows}


def test_the_instance_home_counts_due_soon_and_overdue_and_links_to_them(app, add):
    for days in (0, 12, 90):
        add(f"Due in {days}", days=days)            # GL-0001..3: due within the largest offset (90 days)
    add("Due in 91", days=91)                         # GL-0004: not yet
    add("Overdue", days=-1)                           # GL-0005
    add("Long overdue draft", days=-400, status="Draft")   # GL-0006: open, so overdue
    add("Superseded", days=-30, status="Superseded")  # GL-0007: closed, never due
    add("Withdrawn soon", days=5, status="Withdrawn")  # GL-0008: closed, never due
    client = app.test_client()
    home = page(client, f"/{INSTANCE}/")
    due, overdue = home.select_one("a.app-review-due"), home.select_one("a.app-review-overdue")
    assert text(due) == "3 due for review in the next 90 days"
    assert text(overdue) == "2 overdue"
    today = date.today()
    assert due["href"] == (f"{BASE}?review_date_from={today.isoformat()}"
                           f"&review_date_to={(today + timedelta(days=90)).isoformat()}&state=open")
    assert listed(client, due["href"]) == {"GL-0001", "GL-0002", "GL-0003"}
    assert listed(client, overdue["href"]) == {"GL-0005", "GL-0006"}
