"""Passwords on the web: checking one against the shared limit on guessing (for signing in and for changing it),
and the page where someone signed in with a local account changes their own password.

Changing it asks for the current password, counted like a wrong password at sign-in, so a session left open on a
shared ward computer cannot be used to guess it. Afterwards the session is a fresh one (nothing kept from before,
a new CSRF token), as after signing in.
"""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from engine.access import User
from engine.access.accounts import MIN_PASSWORD, AccountError
from engine.web.auth.limits import Attempt, FailedSignIns, MustWait, SignInBusy
from engine.web.auth.redirects import sign_in_first
from engine.web.auth.session import accounts, current_user, start_session

bp = Blueprint("account", __name__)
WRONG = "Enter a correct username and password"
WRONG_CURRENT = "Your current password is not correct"
FIELDS = (("current", "Current password", "current-password"),
          ("new", "New password", "new-password"),
          ("confirm", "Confirm your new password", "new-password"))


def limits() -> FailedSignIns:
    return current_app.extensions["repo_engine_sign_in_limits"]


def too_many(wait: float) -> str:
    amount, unit = (math.ceil(wait), "second") if wait < 60 else (math.ceil(wait / 60), "minute")
    return f"Too many attempts to sign in. Wait {amount} {unit}{'s' if amount > 1 else ''} and try again"


def checked(username: str, password: str) -> tuple[User | None, str, int]:
    """The account when ``password`` is its password; else None with the message and status to answer with.
    The attempt is counted before the password is checked (``engine.web.auth.limits``); a right one takes it
    back, so only wrong passwords count."""
    try:
        attempt = limits().reserve(username, request.remote_addr)
    except MustWait as refused:
        return None, too_many(refused.seconds), 429
    except SignInBusy as busy:
        abort(503, str(busy))
    found = accounts().check_password(username, password)
    if found is None:
        return None, WRONG, 400
    _take_back(attempt)
    return found, "", 200


def _take_back(attempt: Attempt) -> None:
    try:
        limits().release(attempt)
    except SignInBusy:
        # The password was right: refusing now would protect nothing. The attempt stays counted as a failure.
        current_app.logger.warning("A correct sign-in could not be taken off the count of failed attempts")


def _signed_in() -> User:
    person = current_user()
    if not person.signed_in:
        sign_in_first()
    return person


def _local(person: User) -> bool:
    """Whether the person signs in here with a password of this site's own (not only their organisation's)."""
    return current_app.config["LOCAL_SIGN_IN"] and accounts().has_password(person.username)


def _page(person: User, errors: dict[str, str] | None = None, code: int = 200):
    html = render_template("account_password.html", errors=errors or {}, local=_local(person),
                           fields=FIELDS, min_length=MIN_PASSWORD)
    return html, code


@bp.get("/account/password")
def change_password():
    return _page(_signed_in())


def _new_password_errors(form) -> dict[str, str]:
    errors = {}
    if not form.get("current"):
        errors["current"] = "Enter your current password"
    new, confirm = form.get("new", ""), form.get("confirm", "")
    if not new:
        errors["new"] = "Enter a new password"
    elif len(new) < MIN_PASSWORD:
        errors["new"] = f"Your new password must be at least {MIN_PASSWORD} characters long"
    if new and not confirm:
        errors["confirm"] = "Enter your new password again to confirm it"
    elif new and confirm != new:
        errors["confirm"] = "The passwords you entered do not match"
    return errors


@bp.post("/account/password")
def change_password_post():
    person = _signed_in()
    if not _local(person):
        return _page(person, code=400)
    errors = _new_password_errors(request.form)
    if errors:
        return _page(person, errors, 400)
    found, message, code = checked(person.username, request.form["current"])
    if found is None:
        return _page(person, {"current": WRONG_CURRENT if code == 400 else message}, code)
    try:
        accounts().set_password(person.username, request.form["new"])
    except AccountError as refused:
        return _page(person, {"new": str(refused).rstrip(".")}, 400)
    start_session(found)
    flash("Your password has been changed.")
    return redirect(url_for("home.site_home"))
