"""Who is making this request: ``g.user`` from the signed session cookie, or from an API token.

The roles are read from the account store on every request (it reloads only when the file changed), so a role
granted or revoked takes effect at once in every worker, not at the next sign-in.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request, session

from engine.access import ANONYMOUS, User, can
from engine.web.auth.redirects import here

SESSION_KEY = "user"
STAMP_KEY = "stamp"     # the account's password stamp when the session started (see Accounts.session_stamp)


def accounts():
    return current_app.extensions["repo_engine"].accounts


def current_user() -> User:
    """The person making this request (``ANONYMOUS`` when nobody is signed in)."""
    return g.get("user", ANONYMOUS)


def load_user() -> None:
    g.user = _from_token() or _from_session() or ANONYMOUS


def _from_session() -> User | None:
    username = session.get(SESSION_KEY)
    if not username:
        return None
    found, stamp = accounts().signed_in(username)
    if found is None or session.get(STAMP_KEY) != stamp:
        session.clear()             # the account was removed, or its password changed since this sign-in
        return None
    return found


def _from_token() -> User | None:
    token = bearer(request.headers.get("Authorization", ""))
    return accounts().user_for_token(token) if token else None


def bearer(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value; None when it is not one."""
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_for(username: str) -> dict[str, str]:
    """What a signed-in session holds: who, and their password stamp at sign-in."""
    return {SESSION_KEY: username, STAMP_KEY: accounts().session_stamp(username)}


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (nothing carried over from before sign-in) naming them."""
    session.clear()
    session.update(session_for(user.username))
    session.permanent = True


def end_session() -> None:
    session.clear()


def template_helpers() -> dict:
    """``current_user``, ``allowed(instance, action, created_by=None)`` (whether to offer a link or button)
    and ``sign_in_next`` (where the header's sign-in link comes back to)."""
    person = current_user()
    return {"current_user": person, "sign_in_next": here(),
            "allowed": lambda instance, action, created_by=None: can(person, instance, action, created_by)}


def register(app: Flask) -> None:
    app.before_request(load_user)
    app.context_processor(template_helpers)
