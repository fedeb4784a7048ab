"""Single sign-on through OpenID Connect (Microsoft Entra ID for trusts on Microsoft 365, or any OIDC provider).

Configured per deployment (``REPO_ENGINE_`` environment variables or ``create_app`` config):
``OIDC_ISSUER`` (e.g. ``https://login.microsoftonline.com/<tenant id>/v2.0``), ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``; optional ``OIDC_DISCOVERY_URL`` (default: the issuer's
``/.well-known/openid-configuration``), ``OIDC_LABEL`` (the button's words) and ``OIDC_SCOPE``.
Authlib keeps the state and nonce in the session and checks the ID token's signature, issuer, audience and
nonce. A person is matched by issuer and ``sub`` (then by email, once) and made on first sign-in with no roles.
"""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from engine.access import User

EXTENSION = "repo_engine_oidc"
DEFAULT_LABEL = "Sign in with your trust account"
DEFAULT_SCOPE = "openid email profile"


def init_app(app: Flask) -> None:
    """Register the provider when the deployment names one; without ``OIDC_ISSUER`` only local sign-in shows."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    missing = [key for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not app.config.get(key)]
    if missing:
        raise RuntimeError(f"Single sign-on is configured with OIDC_ISSUER but {' and '.join(missing)} "
                           f"is not set (REPO_ENGINE_{missing[0]}).")
    discovery = app.config.get("OIDC_DISCOVERY_URL") or issuer.rstrip("/") + "/.well-known/openid-configuration"
    oauth = OAuth(app)
    oauth.register("sso", client_id=app.config["OIDC_CLIENT_ID"],
                   client_secret=app.config["OIDC_CLIENT_SECRET"], server_metadata_url=discovery,
                   client_kwargs={"scope": app.config.get("OIDC_SCOPE") or DEFAULT_SCOPE})
    app.extensions[EXTENSION] = oauth.sso


def client():
    """The registered provider's Authlib client, or None when single sign-on is not configured."""
    return current_app.extensions.get(EXTENSION)


def label() -> str:
    return current_app.config.get("OIDC_LABEL") or DEFAULT_LABEL


def person(claims: dict) -> User:
    """The account for the person the ID token names (made on first sign-in, with no roles)."""
    subject = f"{claims['iss']}|{claims['sub']}"
    # Entra ID puts the sign-in address in preferred_username; email is only there when the mailbox is set.
    email = claims.get("email") or claims.get("preferred_username") or ""
    accounts = current_app.extensions["repo_engine"].accounts
    return accounts.find_or_add_sso(subject, email=email if "@" in email else "", name=claims.get("name", ""))
