"""Helpers for the API tests: accounts with tokens, and the header that carries one."""
from __future__ import annotations


def make_token(app, username: str, site_admin: bool = False, **roles: str) -> str:
    """A new account with those roles (``qi="editor"``) in ``app``'s account store, and a token for it."""
    accounts = app.extensions["repo_engine"].accounts
    accounts.add(username, name=username.title(), site_admin=site_admin)
    for instance, role in roles.items():
        accounts.grant(username, instance, role)
    return accounts.create_token(username, "tests")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
