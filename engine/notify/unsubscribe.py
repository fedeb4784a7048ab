"""One-click unsubscribe: a signed token in every mail about a watched record or a saved-search alert.

The token says what to stop (``("watch", instance, repository, reference, username)`` or ``("alert", id)``)
and is signed with the site's secret key, so it needs no sign-in and cannot be made up. It never expires: a
person may act on an old mail.
"""
from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "repo-engine-unsubscribe"


def token_for(secret: str, *what: Any) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps(list(what))


def read_token(secret: str, token: str) -> tuple | None:
    """What ``token`` unsubscribes from, or None when it was not made with this site's secret."""
    try:
        what = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    return tuple(what) if isinstance(what, list) else None


def watch_path(secret: str, instance: str, repository: str, reference: str, username: str) -> str:
    """The path of the page that stops ``username`` watching the record (put after REPO_ENGINE_BASE_URL)."""
    return f"/unsubscribe/{token_for(secret, 'watch', instance, repository, reference, username)}"


def alert_path(secret: str, alert_id: str) -> str:
    return f"/unsubscribe/{token_for(secret, 'alert', alert_id)}"
