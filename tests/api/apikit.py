"""Helpers for the API tests: accounts with tokens, and the header that carries one."""
from __future__ import annotations


def make_token(app, username: str, site_admin: bool = False, **roles: str) -> str:
    """The account (made when missing) with those roles (``qi="editor"``) in ``app``'s account store, and a
    new token for it."""
    accounts = app.extensions["repo_engine"].accounts
    if accounts.get(username) is None:
        accounts.add(username, name=username.title(), site_admin=site_admin)
    for instance, role in roles.items():
        accounts.grant(username, instance, role)
    return accounts.create_token(username, "tests")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
