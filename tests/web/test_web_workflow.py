"""The pages of a type with a workflow: the action buttons a person may use, the confirm page and its
refusals in the person's words, the discussion beside a record, watching it, the history of actions and
comments, and the edit form without a status."""
from __future__ import annotations

import textwrap

import pytest

from access_helpers import sign_in, sign_out, signed_in_as
from engine.web.app import create_app
from webpages import html

PROJECT = """
name: project
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: start_date, type: date, label: Start date}
  - {name: lead_email, type: email, label: Project lead}
statuses: [Draft, Proposed, Approved, {name: Closed, closed: true}]
workflow:
  - action: Submit for review
    from: [Draft]
    to: Proposed
    who: [creator, editor]
    comment: none
  - action: Approve
    from: [Proposed]
    to: Approved
    who: [editor, {field: lead_email}]
    requires: [start_date]
  - action: Send back
    from: [Proposed]
    to: Draft
    who: [editor]
    comment: required
  - action: Close
    from: [Approved]
    to: Closed
    who: [admin]
"""

INSTANCE = "title: Quality Improvement Team\nrepositories: [project]\n"
BASE = "/qi/project/"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "project.yaml").write_text(textwrap.dedent(PROJECT))
    (tmp_path / "instances" / "qi").mkdir(parents=True)
    (tmp_path / "instances" / "qi" / "instance.yaml").write_text(INSTANCE)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    yield app
    app.extensions["repo_engine"].close()


def _records(app):
    site = app.extensions["repo_engine"]
    repository = site.repository("qi", "project")
    return site.records(repository), site.store(repository)


def make(app, status: str = "Proposed", by: str = "cat", **values):
    """A record ``by`` made, brought to ``status`` (an admin's import may give any)."""
    records, _ = _records(app)
    return records.create({"title": "Sepsis screening", "start_date": "2026-01-05", **values}, user=by,
                          status=status, history=True)


def as_person(app, username: str, role: str | None = None):
    client = app.test_client()
    sign_in(client, app, username, role, "qi")
    return client


def buttons(page) -> list[str]:
    return [" ".join(a.get_text(" ", strip=True).split()) for a in page.select(".app-actions .nhsuk-button")]


def test_an_editor_sees_the_actions_from_the_records_status_the_first_as_primary(app):
    record = make(app)
    page = html(as_person(app, "ed", "editor").get(BASE + record.reference))
    assert buttons(page) == [f"Approve {record.reference}", f"Send back {record.reference}"]
    links = page.select(".app-actions a")
    assert "nhsuk-button--secondary" not in links[0]["class"] and "nhsuk-button--secondary" in links[1]["class"]
    assert links[0]["href"] == f"{BASE}{record.reference}/actions/approve"


@pytest.mark.parametrize("person, role, expected", [
    ("reader", "reader", []),
    ("cat", "contributor", ["Submit for review"]),      # the creator
    ("other", "contributor", []),
    (None, None, []),
])
def test_only_the_actions_a_person_may_take_are_offered(app, person, role, expected):
    record = make(app, "Draft")
    client = as_person(app, person, role) if person else app.test_client()
    page = html(client.get(BASE + record.reference))
    assert [b.split(" QI-")[0] for b in buttons(page)] == expected


def test_the_person_a_field_names_is_offered_the_action_it_names_them_for(app):
    record = make(app, lead_email="lee@example.org")
    accounts = app.extensions["repo_engine"].accounts
    accounts.add("lee", name="Lee Lead", email="lee@example.org")
    client = signed_in_as(app.test_client(), app, "lee")
    assert [b.split(" QI-")[0] for b in buttons(html(client.get(BASE + record.reference)))] == ["Approve"]


def test_the_confirm_page_names_the_action_and_record_and_asks_for_the_comment(app):
    record = make(app)
    client = as_person(app, "ed", "editor")
    page = html(client.get(f"{BASE}{record.reference}/actions/approve"))
    assert page.h1.get_text(strip=True) == f"Approve {record.reference}: Sepsis screening"
    assert page.select_one("label[for=comment]").get_text(strip=True) == "Comment (optional)"
    page = html(client.get(f"{BASE}{record.reference}/actions/send-back"))
    assert page.select_one("label[for=comment]").get_text(strip=True) == "Comment"


def test_an_action_taking_no_comment_has_no_box(app):
    record = make(app, "Draft", by="ed")
    page = html(as_person(app, "ed", "editor").get(f"{BASE}{record.reference}/actions/submit-for-review"))
    assert page.select_one("#action-form") is not None and page.select_one("#comment") is None


def test_approving_moves_the_record_and_says_so(app):
    record = make(app)
    client = as_person(app, "ed", "editor")
    response = client.post(f"{BASE}{record.reference}/actions/approve",
                           data={"version": str(record.version), "comment": "Go ahead"})
    assert response.status_code == 302 and response.location == BASE + record.reference
    page = html(client.get(response.location))
    assert "Approved" in page.select_one(".nhsuk-notification-banner--success").get_text()
    _, store = _records(app)
    assert store.get(record.reference).status == "Approved"
    last = store.history(record.reference)[-1]
    assert (last.note, last.comment) == ("Approve", "Go ahead")


def test_sending_back_without_the_required_comment_is_refused_with_an_error_summary(app):
    record = make(app)
    client = as_person(app, "ed", "editor")
    response = client.post(f"{BASE}{record.reference}/actions/send-back", data={"version": str(record.version)})
    assert response.status_code == 400
    page = html(response)
    summary = page.select_one(".nhsuk-error-summary")
    assert [a.get_text(strip=True) for a in summary.select("a")] == ["Enter a comment to send back"]
    assert summary.select_one("a")["href"] == "#comment"
    assert page.select_one("#comment-error") is not None
    assert page.title.get_text(strip=True).startswith("Error:")
    _, store = _records(app)
    assert store.get(record.reference).status == "Proposed"


def test_a_required_field_left_empty_is_listed_with_a_link_to_the_edit_form(app):
    record = make(app, start_date=None)
    client = as_person(app, "ed", "editor")
    edit = f"{BASE}{record.reference}/edit#field-start_date"
    page = html(client.get(f"{BASE}{record.reference}/actions/approve"))
    assert [a["href"] for a in page.select(".app-missing a")] == [edit]
    response = client.post(f"{BASE}{record.reference}/actions/approve", data={"version": str(record.version)})
    assert response.status_code == 400
    link = html(response).select_one(".nhsuk-error-summary a")
    assert link["href"] == edit and "start date" in link.get_text()


def test_an_action_from_another_status_says_which_status_it_needs(app):
    record = make(app, "Approved")
    client = as_person(app, "ed", "editor")
    page = html(client.get(f"{BASE}{record.reference}/actions/approve"))
    assert page.select_one("#action-form") is None
    assert f"{record.reference} is Approved" in page.select_one(".app-wrong-status").get_text()
    response = client.post(f"{BASE}{record.reference}/actions/approve", data={"version": str(record.version)})
    assert response.status_code == 400
    summary = html(response).select_one(".nhsuk-error-summary").get_text()
    assert "can only be used on a record that is Proposed" in summary


def test_a_person_who_may_not_act_gets_a_403_naming_who_may(app):
    record = make(app)
    client = as_person(app, "rita", "reader")
    for response in (client.get(f"{BASE}{record.reference}/actions/approve"),
                     client.post(f"{BASE}{record.reference}/actions/approve", data={"version": str(record.version)})):
        assert response.status_code == 403
        assert "Only editors or the person named in Project lead can use Approve" in response.get_data(as_text=True)
    assert _records(app)[1].get(record.reference).status == "Proposed"


def test_someone_signed_out_is_sent_to_sign_in(app):
    record = make(app)
    response = app.test_client().get(f"{BASE}{record.reference}/actions/approve")
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")


def test_an_action_the_type_lacks_is_a_404(app):
    record = make(app)
    assert as_person(app, "ed", "editor").get(f"{BASE}{record.reference}/actions/publish").status_code == 404


def test_an_action_confirmed_on_an_old_version_is_asked_again(app):
    record = make(app)
    records, _ = _records(app)
    records.update(record.reference, {"title": "Sepsis screening (adults)"}, user="cat",
                   expected_version=record.version)
    response = as_person(app, "ed", "editor").post(f"{BASE}{record.reference}/actions/approve",
                                                   data={"version": str(record.version)})
    assert response.status_code == 409
    page = html(response)
    assert "changed by cat" in page.select_one(".nhsuk-error-summary").get_text()
    assert page.select_one("input[name=version]")["value"] == str(record.version + 1)


def test_a_comment_is_added_shown_with_its_author_and_kept_escaped_with_its_lines(app):
    record = make(app)
    client = as_person(app, "ann", "reader")
    response = client.post(f"{BASE}{record.reference}/comments",
                           data={"comment": "First line\n<script>alert(1)</script>"})
    assert response.status_code == 302
    page = html(client.get(BASE + record.reference))
    comment = page.select_one("#discussion .app-comment")
    assert "Ann" in comment.get_text()
    text = comment.select_one(".app-comment__text")
    assert text.select("br") and text.select("script") == []
    assert "<script>alert(1)</script>" in text.get_text()


def test_an_empty_comment_is_refused_with_an_error_summary(app):
    record = make(app)
    response = as_person(app, "ann", "reader").post(f"{BASE}{record.reference}/comments", data={"comment": "  "})
    assert response.status_code == 400
    summary = html(response).select_one(".nhsuk-error-summary")
    assert [a.get_text(strip=True) for a in summary.select("a")] == ["Enter a comment"]
    assert _records(app)[1].comments(record.reference) == []


def test_someone_signed_out_sees_the_discussion_but_no_form_or_watch_button(app):
    record = make(app)
    _records(app)[0].comment(record.reference, "Looks good", actor=_account(app, "cat"))
    page = html(app.test_client().get(BASE + record.reference))
    assert "Looks good" in page.select_one("#discussion").get_text()
    assert page.select_one("#comment-form") is None and page.select_one(".app-watch") is None
    response = app.test_client().post(f"{BASE}{record.reference}/comments", data={"comment": "Hello"})
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def _account(app, username: str):
    accounts = app.extensions["repo_engine"].accounts
    if accounts.get(username) is None:
        accounts.add(username, name=username.title())
    return accounts.get(username)


def test_watching_and_stopping(app):
    record = make(app)
    client = as_person(app, "ann", "reader")
    watch = html(client.get(BASE + record.reference)).select_one(".app-watch button").get_text(" ", strip=True)
    assert watch.startswith("Watch this record")
    assert client.post(f"{BASE}{record.reference}/watch", data={"watch": "1"}).status_code == 302
    assert _records(app)[1].watchers(record.reference) == {"ann"}
    page = html(client.get(BASE + record.reference))
    assert page.select_one(".app-watch button").get_text(" ", strip=True).startswith("Stop watching")
    client.post(f"{BASE}{record.reference}/watch", data={"watch": "0"})
    assert _records(app)[1].watchers(record.reference) == frozenset()
    sign_out(client)
    response = client.post(f"{BASE}{record.reference}/watch", data={"watch": "1"})
    assert response.location.startswith("/sign-in")


def test_the_history_shows_each_actions_name_and_comment_and_the_comments_between(app):
    record = make(app)
    client = as_person(app, "ed", "editor")
    client.post(f"{BASE}{record.reference}/actions/send-back",
                data={"version": str(record.version), "comment": "Add the aim"})
    client.post(f"{BASE}{record.reference}/comments", data={"comment": "Aim added"})
    page = html(client.get(f"{BASE}{record.reference}/history"))
    headings = [h.get_text(" ", strip=True) for h in page.select("main section h2")]
    assert headings[0].startswith("Comment by Ed")
    assert headings[1].startswith("Version 2: Send back by Ed")
    assert "Add the aim" in page.select_one(".app-version-comment").get_text()


def test_the_edit_form_of_a_workflow_type_has_no_status_and_says_why(app):
    record = make(app, by="ed")
    client = as_person(app, "ed", "editor")
    page = html(client.get(f"{BASE}{record.reference}/edit"))
    assert page.select_one("[name=status]") is None
    note = page.select_one(".app-status-by-actions").get_text()
    assert "The status changes through the actions on the record page" in note
    response = client.post(f"{BASE}{record.reference}/edit",
                           data={"title": "Sepsis screening (adults)", "version": str(record.version)})
    assert response.status_code == 302
    assert _records(app)[1].get(record.reference).status == "Proposed"


def test_a_posted_status_change_is_refused_in_the_workflows_words(app):
    record = make(app, by="ed")
    response = as_person(app, "ed", "editor").post(f"{BASE}{record.reference}/edit", data={
        "title": "Sepsis screening", "version": str(record.version), "status": "Approved"})
    assert response.status_code == 400
    assert "changes only through its actions" in html(response).select_one(".nhsuk-error-summary").get_text()
