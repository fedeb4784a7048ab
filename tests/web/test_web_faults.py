"""Pages when a repository's data is damaged or the disk is full: the damaged repository's own pages answer 503
with a message a user can act on, everything else keeps working and says what it left out, and a full disk
answers 507 wherever the write was (a record, a role, the count of a failed sign-in)."""
from __future__ import annotations

import errno
import logging
import textwrap

import pytest

from access_helpers import PASSWORD, add_account, sign_in
from engine.errors import StoreError
from engine.web.app import create_app
from faultkit import FAULT, FULL_DISK, FULL_MESSAGE, USER_MESSAGE, damage, raising, refuse_writes, store_of
from webpages import html, project
from web.conftest import write_project

AUDIT = """
name: clinical-audit
title: Clinical audit
title_plural: Clinical audits
reference_prefix: CA
record_title: title
fields:
  - {name: title, type: text, label: Audit title, required: true}
  - {name: project, type: reference, label: Improvement project, target: qi-project}
statuses: [Planned, {name: Completed, closed: true}]
listing:
  columns: [reference, title, status, updated]
"""
SURGERY = "title: Surgery\nrepositories: [qi-project, clinical-audit]\n"
LEFT_OUT = "Quality improvement projects (Surgery) could not be read and is not included."


@pytest.fixture
def app(tmp_path):
    """The page tests' ``qi`` instance, and ``surgery`` hosting the same type beside a clinical audit register;
    one record in each repository, all about falls."""
    write_project(tmp_path)
    (tmp_path / "schemas" / "clinical-audit.yaml").write_text(textwrap.dedent(AUDIT))
    (tmp_path / "instances" / "surgery").mkdir()
    (tmp_path / "instances" / "surgery" / "instance.yaml").write_text(SURGERY)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    site = app.extensions["repo_engine"]
    for instance, repo, values in (("qi", "qi-project", project(title="Falls on Ward 12")),
                                   ("surgery", "qi-project", project(title="Falls in theatre recovery")),
                                   ("surgery", "clinical-audit", {"title": "Falls risk assessment audit",
                                                                  "project": "QI-0001"})):
        site.records(site.repository(instance, repo)).create(values, user="ann")
    yield app
    site.close()


@pytest.fixture
def client(app):
    client = app.test_client()
    sign_in(client, app, "ann", "admin", "surgery")
    add_account(app, "ann", "editor", "qi")
    return client


def damage_surgery_projects(monkeypatch, app):
    return damage(monkeypatch, app, "surgery", "qi-project")


def logged_damage(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and FAULT in r.getMessage()]


# -- the damaged repository's own pages ---------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/surgery/qi-project/"),
    ("get", "/surgery/qi-project/QI-0001"),
    ("get", "/surgery/qi-project/QI-0001/history"),
    ("get", "/surgery/qi-project/QI-0001/edit"),
    ("get", "/surgery/qi-project/new"),
    ("get", "/surgery/qi-project/export?format=csv"),
    ("post", "/surgery/qi-project/new"),
])
def test_a_damaged_repositorys_pages_say_it_is_unavailable(app, client, monkeypatch, caplog, method, path):
    damaged = damage_surgery_projects(monkeypatch, app)
    response = getattr(client, method)(path, data=project() if method == "post" else None)
    assert response.status_code == 503
    page = html(response)
    assert page.select_one("main h1").get_text(strip=True) == "This repository is unavailable"
    assert page.select_one("main p").get_text(strip=True) == USER_MESSAGE
    assert str(damaged.path) not in response.get_data(as_text=True)      # the file is for the log only
    lines = logged_damage(caplog)
    assert len(lines) == 1, lines
    assert str(damaged.path) in lines[0] and "surgery/qi-project" in lines[0]


def test_the_new_record_form_is_refused_before_anyone_fills_it_in(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    assert client.get("/surgery/qi-project/new").status_code == 503
    assert client.get("/surgery/clinical-audit/new").status_code == 200


def test_the_api_of_a_damaged_repository_is_not_a_page(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/api/v1/surgery/qi-project/records")
    assert response.status_code == 503 and response.is_json
    assert response.json == {"status": 503, "message": USER_MESSAGE}


# -- everything else keeps working --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/qi/", "/qi/qi-project/", "/qi/qi-project/QI-0001",
                                  "/surgery/clinical-audit/", "/surgery/clinical-audit/CA-0001",
                                  "/qi/qi-project/new", "/api/v1/openapi.json", "/api/v1/"])
def test_other_repositories_answer_while_one_is_damaged(app, client, monkeypatch, path):
    damage_surgery_projects(monkeypatch, app)
    assert client.get(path).status_code == 200


def left_out(response) -> list[str]:
    return [p.get_text(strip=True) for p in html(response).select("main .app-left-out p")]


def test_the_instance_home_page_counts_the_others_and_says_which_it_left_out(app, client, monkeypatch, caplog):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/surgery/")
    assert response.status_code == 200
    assert left_out(response) == [LEFT_OUT]
    headings = [h.get_text(strip=True) for h in html(response).select("main .nhsuk-card__heading")]
    assert headings == ["Clinical audits"]
    assert "Falls risk assessment audit" in html(response).select_one("main").get_text()
    assert len(logged_damage(caplog)) == 1


def test_a_repository_that_cannot_even_be_opened_is_left_out_the_same_way(app, client, monkeypatch):
    site = app.extensions["repo_engine"]
    opened, damaged = site.store, damage_surgery_projects(monkeypatch, app)

    def store(hosted):
        if (hosted.instance.name, hosted.name) == ("surgery", "qi-project"):
            raise damaged
        return opened(hosted)
    monkeypatch.setattr(site, "store", store)
    response = client.get("/surgery/")
    assert response.status_code == 200 and left_out(response) == [LEFT_OUT]


def test_a_page_with_nothing_left_out_says_nothing_of_it(client):
    response = client.get("/surgery/")
    assert response.status_code == 200 and left_out(response) == []
    assert not html(response).select(".app-left-out")


def test_the_trust_wide_search_searches_the_others(app, client, monkeypatch, caplog):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/search?q=falls")
    assert response.status_code == 200
    titles = {a.get_text(strip=True) for a in html(response).select(".app-result__title a")}
    assert titles == {"Falls on Ward 12", "Falls risk assessment audit"}
    assert left_out(response) == [LEFT_OUT]
    assert len(logged_damage(caplog)) == 1


def test_my_submissions_lists_the_others(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/mine")
    assert response.status_code == 200
    text = html(response).select_one("main").get_text()
    assert "Falls on Ward 12" in text and "Falls risk assessment audit" in text
    assert "Falls in theatre recovery" not in text
    assert left_out(response) == [LEFT_OUT]


def test_the_bin_lists_the_others(app, client, monkeypatch):
    site = app.extensions["repo_engine"]
    site.records(site.repository("surgery", "clinical-audit")).delete("CA-0001", user="ann")
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/surgery/bin")
    assert response.status_code == 200
    assert "Falls risk assessment audit" in html(response).select_one("main").get_text()
    assert left_out(response) == [LEFT_OUT]


def test_a_record_page_shows_related_records_from_the_others(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/qi/qi-project/QI-0001")
    assert response.status_code == 200
    assert "Falls risk assessment audit" in html(response).select_one("main").get_text()
    assert left_out(response) == [LEFT_OUT]


def test_has_this_been_done_before_says_what_it_could_not_search(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/qi/qi-project/similar?title=falls")
    assert response.status_code == 200
    assert [r["title"] for r in response.json["records"]] == ["Falls on Ward 12", "Falls risk assessment audit"]
    assert response.json["message"].endswith(f". {LEFT_OUT}")


def test_a_reference_picker_whose_target_is_damaged_becomes_a_box_to_type_in(app, client, monkeypatch):
    assert html(client.get("/surgery/clinical-audit/new")).select_one("select#project") is not None
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/surgery/clinical-audit/CA-0001/edit")
    assert response.status_code == 200
    typed = html(response).select_one("input#project")
    assert typed is not None and typed["value"] == "QI-0001"


def test_a_reference_into_a_damaged_repository_is_shown_without_a_link(app, client, monkeypatch):
    damage_surgery_projects(monkeypatch, app)
    response = client.get("/surgery/clinical-audit/CA-0001")
    assert response.status_code == 200
    assert "QI-0001 (could not be checked)" in html(response).select_one("main").get_text(" ", strip=True)
    assert not html(response).select('main a[href$="/surgery/qi-project/QI-0001"]')


# -- a full disk ----------------------------------------------------------------------------------------------

def assert_out_of_space_page(response):
    assert response.status_code == 507
    page = html(response)
    assert page.select_one("main h1").get_text(strip=True) == "The server has run out of space"
    assert page.select_one("main p").get_text(strip=True) == FULL_MESSAGE


@pytest.mark.parametrize("kind", FULL_DISK)
def test_saving_a_record_on_a_full_disk_says_nothing_was_saved(app, client, monkeypatch, caplog, kind):
    store = store_of(app, "surgery", "qi-project")
    refuse_writes(monkeypatch, store, FULL_DISK[kind]("/data/surgery/qi-project/records.json"))
    response = client.post("/surgery/qi-project/new", data=project(title="Fewer falls"))
    assert_out_of_space_page(response)
    assert any(r.levelno == logging.ERROR and "Out of disk space" in r.getMessage() for r in caplog.records)
    assert store.count() == 1


@pytest.mark.parametrize("kind", FULL_DISK)
def test_a_failed_sign_in_that_cannot_be_counted_on_a_full_disk_is_a_507(app, monkeypatch, kind):
    add_account(app, "bob", "reader", "qi", password=PASSWORD)
    folder = app.extensions["repo_engine"].paths.site_data
    monkeypatch.setattr("engine.store.wholefile.replace_file",
                        raising(FULL_DISK[kind](folder / "sign-in-failures.json")))
    response = app.test_client().post("/sign-in", data={"username": "bob", "password": "a wrong guess"})
    assert_out_of_space_page(response)


def test_giving_a_role_on_a_full_disk_is_a_507(app, client, monkeypatch):
    add_account(app, "bob", None)
    monkeypatch.setattr("engine.store.wholefile.replace_file",
                        raising(OSError(errno.ENOSPC, "No space left on device", "accounts.json")))
    response = client.post("/surgery/members", data={"username": "bob", "role": "reader"})
    assert_out_of_space_page(response)


# -- other failures keep their own answers ------------------------------------------------------------------

def test_another_os_error_is_still_a_500(app, client, monkeypatch, caplog):
    monkeypatch.setattr(store_of(app, "qi", "qi-project"), "query",
                        raising(PermissionError(errno.EACCES, "Permission denied", "/data/secret")))
    response = client.get("/qi/qi-project/")
    assert response.status_code == 500
    assert "/data/secret" not in response.get_data(as_text=True)


def test_a_busy_store_is_a_503_with_its_own_message(app, client, monkeypatch):
    busy = StoreError("The repository is busy; nothing was saved. Try again in a moment.")
    refuse_writes(monkeypatch, store_of(app, "qi", "qi-project"), busy)
    response = client.post("/qi/qi-project/new", data=project())
    assert response.status_code == 503
    assert html(response).select_one("main p").get_text(strip=True) == str(busy)
