"""Who is calling the API: a bearer token, and nothing else.

The browser's session cookie is ignored here: a request with only a cookie is anonymous. That is why the API
needs no CSRF token (another site can make a browser send its cookie, never an Authorization header), and why
a page's script cannot write through the API on a signed-in person's behalf. Permission is asked of
``engine.access.can`` only; a refusal is 401 (with ``WWW-Authenticate``) when a token would help, else 403.
"""
from __future__ import annotations

from flask import current_app, g, request

from engine.access import ANONYMOUS, User, can
from engine.api.problems import ApiError
from engine.web.auth.session import bearer, current_user
from engine.schema.model import Instance

REALM = 'Bearer realm="repository-engine"'
VERBS = {"read": "read records", "submit": "add records", "edit": "change this record",
         "change_status": "change the status of records"}


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header; None when the header is absent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    token = bearer(header)
    if token is None:
        raise ApiError(401, "The Authorization header must be: Bearer <token>.",
                       headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'})
    return token


def authenticate() -> None:
    """Before every API request: ``g.user`` from the token alone (ANONYMOUS without one)."""
    token = bearer_token()
    if token is None:
        g.user = ANONYMOUS
        return
    found = current_app.extensions["repo_engine"].accounts.user_for_token(token)
    if found is None:
        raise ApiError(401, "This API token is not known: it may have been revoked. Ask for a new one.",
                       headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    g.user = found


def caller() -> User:
    """Who the token named (set by ``authenticate``), read where every page reads it."""
    return current_user()


def require(instance: Instance, action: str, created_by: str | None = None) -> None:
    """Stop unless the caller may do ``action`` in ``instance``."""
    user = caller()
    if can(user, instance, action, created_by):
        return
    doing = VERBS.get(action, action.replace("_", " "))
    if not user.signed_in:
        raise ApiError(401, f"Send an API token to {doing} in {instance.title}.",
                       headers={"WWW-Authenticate": REALM})
    raise ApiError(403, f"{user.display_name} may not {doing} in {instance.title}.")
