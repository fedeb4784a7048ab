"""What each person sees: the instances listed, the buttons offered, the refusal page, My submissions, and
roles taking effect on the very next request."""
from __future__ import annotations

from bs4 import BeautifulSoup

from access_helpers import signed_in_as
from accesskit import make_site


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def listed_instances(client) -> set[str]:
    return {a["href"].strip("/") for a in html(client.get("/")).select("main .nhsuk-card__link")}


def test_home_lists_only_the_instances_a_person_may_read(access_site):
    assert listed_instances(access_site.client("anonymous", "open")) == {"open", "elsewhere"}
    assert listed_instances(access_site.client("staff", "open")) == {"open", "staff", "elsewhere"}
    assert listed_instances(access_site.client("reader", "closed")) == {"open", "staff", "closed", "elsewhere"}


def test_refusal_page_names_the_role_needed_and_the_admins_to_ask(access_site):
    response = access_site.client("outsider", "closed").get("/closed/project/")
    page = html(response)
    assert response.status_code == 403
    assert page.select_one("main h1").get_text() == "You do not have permission to do this"
    text = page.select_one("main").get_text(" ", strip=True)
    assert "You need the reader role in The closed team" in text
    assert "Ask an admin of The closed team (Admin-Closed)" in text


def test_someone_not_signed_in_is_sent_to_sign_in_and_back(access_site):
    response = access_site.client("anonymous", "staff").get("/staff/project/?q=own")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/staff/project/?q%3Down"


def _buttons(access_site, person, instance, which="other") -> set[str]:
    reference = access_site.records[instance, which]
    page = html(access_site.client(person, instance).get(f"/{instance}/project/{reference}"))
    return {b.get_text(" ", strip=True).split(" ")[0] for b in page.select("main .nhsuk-button")}


def test_record_page_offers_only_what_the_person_may_do(access_site):
    discuss = {"Watch", "Add"}       # "Watch this record" and "Add comment": everyone signed in who may read
    assert _buttons(access_site, "anonymous", "open") == {"History"}
    assert _buttons(access_site, "reader", "open") == {"History", *discuss}
    assert _buttons(access_site, "contributor", "open") == {"History", *discuss}
    assert _buttons(access_site, "owner", "open", "own") == {"Edit", "History", *discuss}
    assert _buttons(access_site, "editor", "open") == {"Edit", "History", "Delete", *discuss}


def test_the_edit_form_offers_a_status_change_only_to_editors_and_admins(access_site):
    reference = access_site.records["open", "own"]
    for person, offered in (("owner", False), ("editor", True), ("admin", True)):
        page = html(access_site.client(person, "open").get(f"/open/project/{reference}/edit"))
        assert page.select_one("main form#main-form") is not None
        assert bool(page.select("input[name=status]")) is offered, person


def test_submit_button_shows_to_those_who_may_submit_and_to_people_not_yet_signed_in(access_site):
    def offered(person, instance):
        page = html(access_site.client(person, instance).get(f"/{instance}/project/"))
        return any(a["href"].endswith("/new") for a in page.select("main a.nhsuk-button"))
    assert offered("anonymous", "open")          # the link signs them in first
    assert offered("staff", "open")
    assert not offered("reader", "closed")
    assert offered("contributor", "closed")


def test_my_submissions_lists_the_records_the_person_created_and_nothing_else(access_site):
    page = html(access_site.client("owner", "staff").get("/mine"))
    references = [a.get_text() for a in page.select("main table a")]
    assert references == [access_site.records["staff", "own"]]
    assert page.select_one("main caption").get_text() == "Projects you submitted to The staff team"


def test_my_submissions_lists_live_records_last_updated_first_and_leaves_out_the_bin(tmp_path):
    site = make_site(tmp_path)
    try:
        hosted = site.app.extensions["repo_engine"].repository("open", "project")
        records = site.app.extensions["repo_engine"].records(hosted)
        store = site.app.extensions["repo_engine"].store(hosted)
        first, second, binned = (records.create({"title": title}, user="contributor-open").reference
                                 for title in ("first", "second", "binned"))
        records.update(first, {"title": "first, edited"}, user="editor-open", expected_version=1)
        store.delete(binned, user="admin-open")
        page = html(site.client("owner", "open").get("/mine"))
        assert [a.get_text() for a in page.select("main table a")] == [first, second, site.records["open", "own"]]
    finally:
        site.app.extensions["repo_engine"].close()

def test_my_submissions_asks_someone_not_signed_in_to_sign_in(access_site):
    response = access_site.client("anonymous", "open").get("/mine")
    assert response.status_code == 302 and response.location == "/sign-in?next=/mine"


def test_a_revoked_role_is_refused_on_the_next_request(access_site):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("temporary")
    accounts.grant("temporary", "closed", "reader")
    client = signed_in_as(access_site.app.test_client(), access_site.app, "temporary")
    assert client.get("/closed/project/").status_code == 200
    accounts.revoke("temporary", "closed")
    assert client.get("/closed/project/").status_code == 403


def test_a_removed_account_is_signed_out_on_the_next_request(access_site):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("leaver")
    client = signed_in_as(access_site.app.test_client(), access_site.app, "leaver")
    assert client.get("/staff/project/").status_code == 200
    accounts.remove("leaver")
    assert client.get("/staff/project/").status_code == 302


def test_admin_grants_and_removes_a_role_from_the_members_page(access_site):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("colleague", name="A Colleague")
    admin = access_site.client("admin", "staff")
    response = admin.post("/staff/members", data={"username": "colleague", "role": "editor"})
    assert response.status_code == 302
    assert accounts.get("colleague").role_in("staff") == "editor"
    rows = html(admin.get("/staff/members")).select("main tbody tr")
    assert ["A Colleague", "colleague", "editor"] in [[td.get_text(strip=True) for td in r.select("td")[:3]]
                                                      for r in rows]
    admin.post("/staff/members/colleague/revoke")
    assert accounts.get("colleague").role_in("staff") is None


def test_granting_to_an_unknown_person_explains_and_changes_nothing(access_site):
    response = access_site.client("admin", "staff").post("/staff/members", data={"username": "nobody"})
    page = html(response)
    assert response.status_code == 400
    assert [a.get_text() for a in page.select(".nhsuk-error-summary__list a")] == [
        "There is no account called “nobody”. To add someone who has not signed in yet, enter their email "
        "address", "Select a role"]


def test_deleted_records_wait_in_the_bin_until_an_admin_restores_them(access_site):
    site = access_site.app.extensions["repo_engine"]
    repository = site.repository("open", "project")
    record = site.records(repository).create({"title": "Deleted by mistake"}, user="editor-open")
    path = f"/open/project/{record.reference}"
    assert access_site.client("editor", "open").post(path + "/delete").status_code == 302
    assert access_site.client("reader", "open").get(path).status_code == 404
    admin = access_site.client("admin", "open")
    assert record.reference in html(admin.get("/open/bin")).select_one("main").get_text()
    assert admin.post(path + "/restore").status_code == 302
    assert access_site.client("reader", "open").get(path).status_code == 200


def test_home_tells_someone_who_can_see_nothing_what_to_do(tmp_path):
    site = make_site(tmp_path, {"closed": "access: {read: members, submit: members}"})
    anonymous = html(site.app.test_client().get("/")).select_one("main ul").get_text(" ", strip=True)
    assert anonymous == "Sign in to see your department's repositories."
    client = site.client("staff", "closed")
    assert "ask your department's repository admin" in html(client.get("/")).select_one("main ul").get_text()
    site.app.extensions["repo_engine"].close()
