"""Where to go after signing in: only a path on this site, never another site (no open redirect)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/qi/qi-project/?q=x``), else None.

    Refused: absolute URLs, scheme-relative ``//host``, backslashes (browsers read ``/\\host`` as ``//host``),
    and control characters (which browsers strip, turning ``/\\t/host`` into ``//host``).
    """
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def next_or_home(target: str | None) -> str:
    return safe_next(target) or url_for("home.site_home")


def here() -> str:
    """This request's path and query, as a ``next`` for the sign-in page to come back to."""
    path = request.full_path if request.query_string else request.path
    return request.script_root + path


def sign_in_first() -> None:
    """Stop this request and send the person to the sign-in page, which brings them back here afterwards."""
    abort(redirect(url_for("auth.sign_in", next=here())))
