"""Reference fields on the pages: a hand-made post naming a missing record is refused on the form, and a
reference to a record that was deleted since (or never existed, in old data) is shown as text, never a dead link
or an error page, and survives an edit of something else."""
from __future__ import annotations

import pytest

from webpages import BASE, html, project, submit


def test_a_posted_reference_to_a_missing_record_is_refused_on_the_form(client, app):
    response = client.post(BASE + "new", data=project(follows="QI-9999"), content_type="multipart/form-data")
    assert response.status_code == 400
    page = html(response)
    assert [a["href"] for a in page.select(".nhsuk-error-summary a")] == ["#follows"]
    assert "QI-9999 does not exist" in page.select_one("#follows-error").get_text()
    site = app.extensions["repo_engine"]
    assert site.store(site.repository("qi", "qi-project")).count() == 0


def test_a_missing_reference_is_listed_with_the_form_s_other_problems_at_once(client, app):
    """A date the form cannot read is found before the save is tried; the reference must be named with it."""
    bad_date = {"start_date-day": "31", "start_date-month": "2", "start_date-year": "2026"}
    response = client.post(BASE + "new", data=project(follows="QI-9999", **bad_date),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    links = {a["href"] for a in html(response).select(".nhsuk-error-summary a")}
    assert "#follows" in links and len(links) == 2


@pytest.fixture
def orphan(client, app):
    """QI-0002 follows QI-0001, which an admin deleted afterwards."""
    submit(client, title="First cycle")
    record = submit(client, title="Second cycle", follows="QI-0001")
    site = app.extensions["repo_engine"]
    site.store(site.repository("qi", "qi-project")).delete("QI-0001", user="admin")
    return record


def follows_cell(page):
    [row] = [row for row in page.select("main .nhsuk-summary-list__row")
             if row.dt.get_text(strip=True) == "Follows"]
    return row.dd


def test_a_reference_to_a_deleted_record_is_shown_as_text_without_a_link(client, orphan):
    response = client.get(orphan)
    assert response.status_code == 200
    cell = follows_cell(html(response))
    assert "QI-0001" in cell.get_text() and cell.select("a") == []


def test_a_reference_to_a_live_record_is_still_a_link(client):
    submit(client, title="First cycle")
    record = submit(client, title="Second cycle", follows="QI-0001")
    assert [a["href"] for a in follows_cell(html(client.get(record))).select("a")] == [BASE + "QI-0001"]


def test_old_data_naming_a_record_that_never_existed_shows_on_record_and_browse_pages(client, app):
    site = app.extensions["repo_engine"]
    store = site.store(site.repository("qi", "qi-project"))
    store.insert({"title": "Imported long ago", "division": "Surgery", "follows": "QI-0777"}, user="migration")
    page = html(client.get(BASE + "QI-0001"))
    assert "QI-0777" in follows_cell(page).get_text() and follows_cell(page).select("a") == []
    browse = client.get(BASE + "?follows=QI-0777")
    assert browse.status_code == 200
    assert [a.get_text(strip=True) for a in html(browse).select("main tbody a")][:1] == ["QI-0001"]


def test_editing_something_else_keeps_a_reference_to_a_deleted_record(client, orphan):
    form = html(client.get(orphan + "/edit"))
    chosen = form.select("select#follows option[selected]")
    assert [option["value"] for option in chosen] == ["QI-0001"]
    response = client.post(orphan + "/edit", data=project(title="Second cycle, renamed", follows="QI-0001",
                                                          version="1", status="Proposed"))
    assert response.status_code == 302
    cell = follows_cell(html(client.get(orphan)))
    assert "QI-0001" in cell.get_text() and cell.select("a") == []


def test_an_edit_cannot_point_a_record_at_a_missing_one(client, orphan):
    response = client.post(orphan + "/edit", data=project(title="Second cycle", follows="QI-0005",
                                                          version="1", status="Proposed"))
    assert response.status_code == 400
    assert "QI-0005 does not exist" in html(response).select_one("#follows-error").get_text()
