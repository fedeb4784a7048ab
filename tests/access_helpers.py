"""Signing people in for tests: make an account with a role in an instance and put it in the client's session.

``sign_in(client, app, username="ann", role="contributor", instance="qi")`` is what a test calls before pages
that need someone signed in; ``role=None`` signs in staff with no role anywhere; ``site_admin=True`` the people
who run the deployment. ``add_account`` only makes the account (with a password, for tests that use the real
sign-in form).
"""
from __future__ import annotations

from engine.access import User
from engine.web.auth.session import session_for

PASSWORD = "correct horse battery"


def accounts(app):
    return app.extensions["repo_engine"].accounts


def add_account(app, username: str = "ann", role: str | None = "contributor", instance: str = "qi",
                password: str | None = None, site_admin: bool = False, name: str = "") -> User:
    """The account ``username`` (made when missing) with ``role`` in ``instance`` (none when ``role`` is None)."""
    store = accounts(app)
    if store.get(username) is None:
        store.add(username, password=password, name=name or username.title(), site_admin=site_admin)
    if role is not None:
        store.grant(username, instance, role)
    return store.get(username)


def sign_in(client, app, username: str = "ann", role: str | None = "contributor", instance: str = "qi",
            site_admin: bool = False) -> User:
    """Make the account and sign the test client in as it (no password check: the sign-in form has its own
    tests)."""
    user = add_account(app, username, role, instance, site_admin=site_admin)
    signed_in_as(client, app, username)
    return user


def signed_in_as(client, app, username: str):
    """Put an existing account in the client's session, as signing in does; returns the client."""
    with app.app_context():
        signed_in = session_for(username)
    with client.session_transaction() as session:
        session.clear()
        session.update(signed_in)
    return client


def sign_out(client) -> None:
    with client.session_transaction() as session:
        session.clear()
