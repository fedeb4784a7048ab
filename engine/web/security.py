"""What the engine does for a security review: response headers (a nonce-based Content-Security-Policy and
the usual hardening headers), session cookie settings, the optional reverse-proxy fix, and the refusal to
start in production with a missing or guessable secret key.

Configuration (``REPO_ENGINE_*`` environment variables, or ``create_app`` config):

- ``ENV``: ``production`` turns on the secret-key refusal and, unless ``HTTPS`` says otherwise, HTTPS-only
  behaviour. Anything else (or ``TESTING``/``DEBUG``) is a development or test run.
- ``HTTPS``: the site is reached over HTTPS: session cookies are marked ``Secure``, URLs are built with
  ``https`` and ``Strict-Transport-Security`` is sent. Also on when ``PREFERRED_URL_SCHEME`` is ``https``.
- ``PROXY_FIX``: the number of reverse proxies in front of the app whose ``X-Forwarded-*`` headers to trust.
- ``HSTS``: the ``Strict-Transport-Security`` value (default one year, without ``includeSubDomains``, which
  would bind every other site of the trust's domain too).
- ``SESSION_HOURS``: how long a sign-in lasts without using the site (default 12, a working shift; each request
  starts the time again). ``PERMANENT_SESSION_LIFETIME``, when set, wins.
"""
from __future__ import annotations

import re
import secrets

from datetime import timedelta

from flask import Flask, Response, g
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.errors import EngineError

try:    # gunicorn prints an AppImportError's message alone, without a traceback, and stops the server
    from gunicorn.errors import AppImportError as _StartupError
except ImportError:     # pragma: no cover - gunicorn is a dependency, but the engine runs without it
    _StartupError = Exception

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self' https://assets.nhs.uk; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Same-origin requests keep the Referer that Flask-WTF checks on HTTPS; other sites never see our URLs
    # (record references, search words).
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                          "microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
DEFAULT_HSTS = "max-age=31536000"
#: Pages show records: no shared proxy or browser history keeps a copy (a ward PC is shared; after someone
#: signs out, Back must not show what they saw). Responses that chose their own caching keep it.
PAGE_CACHE_CONTROL = "no-store"

MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
PLACEHOLDER_SECRETS = frozenset({
    "dev", "development", "test", "testing", "secret", "secretkey", "changeme", "changethis", "replaceme",
    "password", "default", "key", "flask", "insecure", "example", "xxx", "none", "null",
})


class StartupRefused(EngineError, _StartupError):
    """The site cannot start as configured; ``str()`` says what to change (gunicorn prints it alone)."""


class UnsafeConfiguration(StartupRefused):
    """The configuration would run a production site unsafely; ``str()`` says what to change."""


def is_production(config) -> bool:
    """``REPO_ENGINE_ENV=production``, and not a test or debug run."""
    return str(config.get("ENV") or "").lower() == "production" \
        and not config.get("TESTING") and not config.get("DEBUG")


def serves_https(config) -> bool:
    https = config.get("HTTPS")
    if https is None:
        https = is_production(config)
    return bool(https) or str(config.get("PREFERRED_URL_SCHEME", "")).lower() == "https"


def secret_key_problem(key) -> str | None:
    """Why ``key`` would let someone forge sessions and form tokens, or None when it is fit for production."""
    if not key:
        return "SECRET_KEY is not set (a key generated into the data folder is for development only)"
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    bare = re.sub(r"[^a-z0-9]", "", text.lower())
    if bare in PLACEHOLDER_SECRETS or "changeme" in bare or "replaceme" in bare:
        return "SECRET_KEY is a placeholder value"
    if len(text) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY is {len(text)} characters long; it must be at least {MIN_SECRET_LENGTH}"
    if len(set(text)) < MIN_SECRET_DISTINCT:
        return "SECRET_KEY repeats too few different characters to be random"
    return None


def check_secret_key(config) -> None:
    """Refuse to start a production site whose key is missing or guessable (called before a development key
    would be generated, so that an unset key is seen as unset)."""
    if not is_production(config):
        return
    problem = secret_key_problem(config.get("SECRET_KEY"))
    if problem:
        raise UnsafeConfiguration(
            f"Refusing to start in production (REPO_ENGINE_ENV=production): {problem}. Set the SECRET_KEY "
            "environment variable to the same long random value for every worker, for example the output of "
            "python -c \"import secrets; print(secrets.token_hex(32))\", kept out of version control.")


def csp_nonce() -> str:
    """This request's script nonce: templates put it on each ``<script>``, the CSP header allows only it."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


FLASK_SESSION_LIFETIME = timedelta(days=31)    # Flask's default: far too long for a shared ward computer
DEFAULT_SESSION_HOURS = 12


def _configure_cookies(app: Flask) -> None:
    https = serves_https(app.config)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=https)
    if app.config.get("PERMANENT_SESSION_LIFETIME") == FLASK_SESSION_LIFETIME:
        hours = float(app.config.get("SESSION_HOURS") or DEFAULT_SESSION_HOURS)
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    if https:
        app.config["PREFERRED_URL_SCHEME"] = "https"


def _trust_proxies(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_prefix=proxies)


def init_app(app: Flask) -> None:
    """Cookie and proxy settings, the ``csp_nonce()`` template global and the headers on every response."""
    _configure_cookies(app)
    _trust_proxies(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    hsts = (app.config.get("HSTS") or DEFAULT_HSTS) if serves_https(app.config) else None

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        for name, value in HEADERS.items():
            headers.setdefault(name, value)
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = PAGE_CACHE_CONTROL
        return response
