"""Deleting a record asks first: the record page's Delete opens a page saying what deleting means, and only its
"Delete record" button (a form post with its CSRF token) deletes."""
from __future__ import annotations

import pytest

from accesskit import html, make_site


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path, {"open": ""}, WTF_CSRF_ENABLED=True)
    yield site
    site.app.extensions["repo_engine"].close()


@pytest.fixture
def record(site):
    hosted = site.app.extensions["repo_engine"].repository("open", "project")
    return site.app.extensions["repo_engine"].records(hosted).create({"title": "Falls audit"}, user="editor-open")


def test_the_record_page_offers_a_link_to_confirm_not_a_button_that_deletes(site, record):
    path = f"/open/project/{record.reference}"
    page = html(site.client("editor", "open").get(path))
    link = page.select_one("main a.nhsuk-button--warning")
    assert link["href"] == path + "/delete"
    assert link.get_text(" ", strip=True) == f"Delete {record.reference}"
    assert not page.select(f"main form[action='{path}/delete']")


def test_the_confirm_page_says_what_deleting_means_and_deletes_nothing(site, record):
    path = f"/open/project/{record.reference}"
    editor = site.client("editor", "open")
    page = html(editor.get(path + "/delete"))
    assert page.select_one("main h1").get_text() == \
        f"Are you sure you want to delete Falls audit ({record.reference})?"
    text = page.select_one("main").get_text(" ", strip=True)
    for meaning in ("hides it from everyone", "keeps it, with its history", "restore it from the bin"):
        assert meaning in text
    form = page.select_one("main form")
    assert form["method"] == "post" and form["action"] == path + "/delete"
    assert form.select_one("input[name=csrf_token]")["value"]
    assert form.select_one("button.nhsuk-button--warning").get_text() == "Delete record"
    assert form.select_one("a.nhsuk-link", string="Cancel")["href"] == path
    assert editor.get(path).status_code == 200


def test_delete_record_deletes_and_the_bin_restores_it(site, record):
    path = f"/open/project/{record.reference}"
    editor = site.client("editor", "open")
    token = html(editor.get(path + "/delete")).select_one("input[name=csrf_token]")["value"]
    assert editor.post(path + "/delete").status_code == 400               # without its token: refused
    assert editor.get(path).status_code == 200
    response = editor.post(path + "/delete", data={"csrf_token": token}, follow_redirects=True)
    assert f"{record.reference} has been deleted" in html(response).select_one(".nhsuk-notification-banner").text
    assert editor.get(path).status_code == 404
    assert record.reference in html(site.client("admin", "open").get("/open/bin")).select_one("main").get_text()


def test_confirming_a_record_that_does_not_exist_is_a_404(site):
    assert site.client("editor", "open").get("/open/project/PR-9999/delete").status_code == 404
