"""The issue's journey on the shipped types, end to end through the real pages, API, outbox and SMTP server:
a QI project submitted through the API emails the instance's editors; approved with a comment on its page, it
emails the project lead, the person who submitted it and a watcher, and the history holds both."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from access_helpers import add_account, signed_in_as
from engine.notify.sender import ProjectOutboxes, send_due
from engine.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
INSTANCE, REPO = "quality-improvement", "qi-project"
API = f"/api/v1/{INSTANCE}/{REPO}/records"
LEAD = "lena.lead@example.nhs.uk"


@pytest.fixture
def app(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "instances", tmp_path / "instances", ignore=shutil.ignore_patterns("data"))
    app = create_app({"TESTING": True, "SECRET_KEY": "journey", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    yield app
    app.extensions["repo_engine"].close()


def person(app, username: str, role: str) -> str:
    """An account with an email address and a role in the instance; its API token."""
    accounts = app.extensions["repo_engine"].accounts
    accounts.add(username, name=username.title(), email=f"{username}@example.nhs.uk")
    add_account(app, username, role, INSTANCE)
    return accounts.create_token(username)


def a_project() -> dict:
    sample = yaml.safe_load((ROOT / "instances" / INSTANCE / "samples" / f"{REPO}.yaml").read_text())[0]
    values = {k: v for k, v in sample.items() if k not in ("status", "created_by")}
    return {**values, "lead_email": LEAD}


def sent(app, mailbox) -> list:
    site = app.extensions["repo_engine"]
    outboxes = ProjectOutboxes(site.project, site.stores, site.paths)
    try:
        send_due(outboxes(), holder="journey")
    finally:
        outboxes.close()
    messages = list(mailbox.messages)
    mailbox.messages.clear()
    return messages


def recipients(messages) -> set[str]:
    return {address.strip().lower() for m in messages for address in m["To"].split(",")}


def test_submit_then_approve_with_a_comment_tells_editors_then_the_lead_the_submitter_and_a_watcher(app, mailbox):
    cara = person(app, "cara", "contributor")
    person(app, "eddie", "editor")
    wendy = person(app, "wendy", "reader")
    client = app.test_client()

    made = client.post(API, json={"values": a_project()}, headers={"Authorization": f"Bearer {cara}"})
    assert made.status_code == 201, made.json
    reference, version = made.json["reference"], made.json["version"]
    submitted = sent(app, mailbox)
    assert recipients(submitted) == {"eddie@example.nhs.uk"}          # the editors, not the submitter
    assert reference in submitted[0]["Subject"]

    watched = client.put(f"{API}/{reference}/watch", headers={"Authorization": f"Bearer {wendy}"})
    assert watched.status_code == 200 and watched.json["watching"] is True

    signed_in_as(client, app, "eddie")
    approved = client.post(f"/{INSTANCE}/{REPO}/{reference}/actions/approve",
                           data={"comment": "Approved at the QI panel", "version": str(version)})
    assert approved.status_code == 302, approved.get_data(as_text=True)
    approval = sent(app, mailbox)
    assert recipients(approval) == {LEAD, "cara@example.nhs.uk", "wendy@example.nhs.uk"}  # never eddie himself
    for message in approval:
        text = message.get_body(("plain",)).get_content()
        assert reference in text and "Approved at the QI panel" in text and "Eddie" in text
    watcher_mail = next(m for m in approval if "wendy" in m["To"])
    assert watcher_mail["List-Unsubscribe"]                              # a watch can be stopped from the mail

    history = client.get(f"{API}/{reference}/history", headers={"Authorization": f"Bearer {cara}"}).json
    page = client.get(f"/{INSTANCE}/{REPO}/{reference}/history").get_data(as_text=True)
    assert "Approve" in page and "Approved at the QI panel" in page
    assert len(history["versions"] if isinstance(history, dict) else history) == 2
    assert sent(app, mailbox) == []                                     # each notice is sent once
