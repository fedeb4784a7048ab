"""Webhooks: the JSON a notice posts, signed with the HMAC of the exact body when a secret is set."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from engine.notify.mail import MailSite
from engine.notify.webhook import SIGNATURE, WebhookNotSent, post
from notifykit import webhook_notice

SITE = MailSite(base_url="https://repo.example.nhs.uk")


def test_the_post_says_what_happened_and_links_the_record(hooks):
    made = webhook_notice(comment="Go ahead", title="Falls <b>")
    assert post(made, SITE) == 204
    [(headers, body)] = hooks.posts
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {
        "event": "action", "instance": "quality-improvement", "repository": "qi-project",
        "reference": "QI-0012", "title": "Falls <b>", "status": "Approved", "action": "Approve",
        "comment": "Go ahead", "actor": "Chris Jones",
        "url": "https://repo.example.nhs.uk/quality-improvement/qi-project/QI-0012", "at": made.created}
    assert SIGNATURE.lower() not in headers


def test_with_a_secret_the_body_is_signed_and_the_receiver_can_check_it(hooks, monkeypatch):
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", "s3cret")
    post(webhook_notice(secret_env="TEST_WEBHOOK_SECRET", title="Café ☕"), SITE)
    [(headers, body)] = hooks.posts
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE.lower()], expected)
    assert json.loads(body)["title"] == "Café ☕"


def test_a_secret_named_but_not_set_sends_nothing(hooks, monkeypatch):
    monkeypatch.delenv("TEST_WEBHOOK_SECRET", raising=False)
    with pytest.raises(WebhookNotSent, match="TEST_WEBHOOK_SECRET is not set"):
        post(webhook_notice(secret_env="TEST_WEBHOOK_SECRET"), SITE)
    assert hooks.posts == []


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_an_answer_other_than_2xx_is_a_failure_with_its_status(hooks, status):
    hooks.status = status
    with pytest.raises(WebhookNotSent, match=f"answered {status}"):
        post(webhook_notice(), SITE)


def test_an_unset_url_variable_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TEST_WEBHOOK_URL", raising=False)
    with pytest.raises(WebhookNotSent, match="TEST_WEBHOOK_URL is not set"):
        post(webhook_notice(), SITE)


def test_an_unreachable_webhook_fails_without_showing_its_url(monkeypatch):
    monkeypatch.setenv("TEST_WEBHOOK_URL", "http://127.0.0.1:9/secret-token-in-path")
    with pytest.raises(WebhookNotSent, match="could not be reached") as raised:
        post(webhook_notice(), SITE, timeout=2)
    assert "secret-token" not in str(raised.value)
