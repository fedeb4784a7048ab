"""Posting a notice as JSON to a webhook (a Teams or Slack channel, another system).

The notice names the environment variable holding the URL (``Notice.to``), never the URL itself, so a
webhook's secret address stays out of the schemas and the outbox. With ``Notice.secret_env`` set, the body is
signed: ``X-Repo-Engine-Signature: sha256=<hex HMAC-SHA256 of the exact bytes posted>``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from typing import Any, Mapping

from engine.notify.mail import MailSite
from engine.notify.notice import Notice

TIMEOUT = 15
SIGNATURE = "X-Repo-Engine-Signature"


class WebhookNotSent(Exception):
    """The webhook was not reached or did not accept the post; the message says why (never its URL)."""


def payload(notice: Notice, site: MailSite) -> dict[str, Any]:
    return {"event": notice.event, "instance": notice.instance, "repository": notice.repository,
            "reference": notice.reference, "title": notice.title, "status": notice.status,
            "action": notice.action, "comment": notice.comment, "actor": notice.actor_name or notice.actor,
            "url": site.record_url(notice.instance, notice.repository, notice.reference) if notice.reference
            else "", "at": notice.created}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post(notice: Notice, site: MailSite, *, env: Mapping[str, str] = os.environ,
         timeout: float = TIMEOUT) -> int:
    """Post ``notice`` to its webhook; the HTTP status (2xx), or ``WebhookNotSent``."""
    url = env.get(notice.to, "").strip()
    if not url:
        raise WebhookNotSent(f"{notice.to} is not set (it should hold the webhook's URL)")
    body = json.dumps(payload(notice, site), ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "repo-engine"}
    if notice.secret_env:
        secret = env.get(notice.secret_env, "")
        if not secret:
            raise WebhookNotSent(f"{notice.secret_env} is not set (it should hold the webhook's secret)")
        headers[SIGNATURE] = signature(secret, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise WebhookNotSent(f"the webhook in {notice.to} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise WebhookNotSent(f"the webhook in {notice.to} could not be reached: {reason}") from None
    if not 200 <= status < 300:
        raise WebhookNotSent(f"the webhook in {notice.to} answered {status}")
    return status
