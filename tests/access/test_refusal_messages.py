"""A signed-in person refused a page is told which role they need there and whom to ask for it."""
from __future__ import annotations

from accesskit import html


def refusal(response) -> str:
    assert response.status_code == 403
    return html(response).select_one("main").get_text(" ", strip=True)


def test_editing_someone_elses_record_names_the_editor_role_and_the_admins(access_site):
    other = access_site.records["closed", "other"]
    text = refusal(access_site.client("contributor", "closed").get(f"/closed/project/{other}/edit"))
    assert ("You need the editor role in The closed team to change records other people submitted. "
            "Ask an admin of The closed team (Admin-Closed) to give you that role.") in text


def test_an_admin_page_names_the_admin_role(access_site):
    text = refusal(access_site.client("editor", "closed").get("/closed/members"))
    assert "You need the admin role in The closed team to do this." in text


def test_reading_a_members_only_instance_names_the_reader_role(access_site):
    text = refusal(access_site.client("staff", "closed").get("/closed/project/"))
    assert "You need the reader role in The closed team to do this." in text


def test_with_no_admin_in_the_instance_the_team_running_the_service_is_named(access_site):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.revoke("admin-staff", "staff")
    text = refusal(access_site.client("reader", "staff").get("/staff/members"))
    assert "Ask the team that runs this service to give you that role." in text
