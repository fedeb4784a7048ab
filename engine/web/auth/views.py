"""The sign-in page (local accounts and, when configured, single sign-on), the SSO return and sign-out."""
from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask import render_template

from engine.web.auth import oidc, password
from engine.web.auth.limits import FailedSignIns
from engine.web.auth.redirects import next_or_home, safe_next
from engine.web.auth.session import end_session, start_session

bp = Blueprint("auth", __name__)
NEXT_KEY = "sign_in_next"


def _page(errors: dict[str, str] | None = None, username: str = "", code: int = 200):
    html = render_template("sign_in.html", errors=errors or {}, username=username,
                           next=safe_next(request.values.get("next")) or "", sso=oidc.client() is not None,
                           sso_label=oidc.label(), local=current_app.config["LOCAL_SIGN_IN"])
    return html, code


@bp.get("/sign-in")
def sign_in():
    return _page()


@bp.post("/sign-in")
def sign_in_post():
    if not current_app.config["LOCAL_SIGN_IN"]:
        abort(404)
    username = request.form.get("username", "").strip()
    password_given = request.form.get("password", "")
    errors = {}
    if not username:
        errors["username"] = "Enter your username"
    if not password_given:
        errors["password"] = "Enter your password"
    if errors:
        return _page(errors, username, 400)
    found, message, code = password.checked(username, password_given)
    if found is None:
        return _page({"username": message}, username, code)
    start_session(found)
    flash(f"You are signed in as {found.display_name}.")
    return redirect(next_or_home(request.form.get("next")))


@bp.get("/sign-in/sso")
def sso_start():
    provider = oidc.client()
    if provider is None:
        abort(404)
    target = safe_next(request.args.get("next"))
    session[NEXT_KEY] = target or ""
    return provider.authorize_redirect(url_for("auth.sso_return", _external=True))


@bp.get("/sign-in/sso/return")
def sso_return():
    provider = oidc.client()
    if provider is None:
        abort(404)
    if "error" in request.args:
        abort(400, "Your trust account sign-in was cancelled or refused. Try again, or sign in with a "
                   "username and password if you have one.")
    target = session.pop(NEXT_KEY, None)
    try:
        token = provider.authorize_access_token()
    except OAuthError as refused:
        current_app.logger.warning("Single sign-on refused: %s", refused)
        abort(400, "Your trust account sign-in could not be completed (it may have taken too long). "
                   "Go back to the sign-in page and try again.")
    claims = token.get("userinfo") or provider.userinfo(token=token)
    found = oidc.person(dict(claims))
    start_session(found)
    flash(f"You are signed in as {found.display_name}.")
    return redirect(next_or_home(target))


@bp.post("/sign-out")
def sign_out():
    end_session()
    flash("You have signed out.")
    return redirect(url_for("home.site_home"))


def init_app(app) -> None:
    """Sign-in settings: ``LOCAL_SIGN_IN`` (false: single sign-on only), and the wrong passwords allowed in 5
    minutes (see ``engine.web.auth.limits``): ``SIGN_IN_ATTEMPTS`` for one username from one address (default
    5), ``SIGN_IN_ATTEMPTS_PER_ADDRESS`` (20) and ``SIGN_IN_ATTEMPTS_PER_USERNAME`` from every address together
    (30, then slowed), counted for every worker together where the site keeps its own data."""
    app.config.setdefault("LOCAL_SIGN_IN", True)
    app.extensions["repo_engine_sign_in_limits"] = FailedSignIns(
        app.extensions["repo_engine"].place,
        per_pair=int(app.config.get("SIGN_IN_ATTEMPTS", 5)),
        per_address=int(app.config.get("SIGN_IN_ATTEMPTS_PER_ADDRESS", 20)),
        per_username=int(app.config.get("SIGN_IN_ATTEMPTS_PER_USERNAME", 30)))
    oidc.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(password.bp)
