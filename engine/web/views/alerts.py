"""Saved-search alerts and watches on the web: "Alert me" on a browse page and on the trust-wide search, the
person's own list (``/account/alerts``), the one-click unsubscribe page of every alert and watch mail, and the
site admins' view of every outbox (``/admin/outbox``).

A view is saved as its query string and named in words by the same reading its page makes of it
(``read_browse``, ``read_trust_query``), so the alert's title says what the page said.
"""
from __future__ import annotations

import atexit
import threading
from datetime import datetime
from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.access import User, can
from engine.errors import NotFound, RecordNotFound
from engine.notify.alerts import FREQUENCIES, AlertNotFound, AlertRefused, Alerts, normalised
from engine.notify.notice import FAILED, PENDING, SENDING, SENT
from engine.notify.unsubscribe import read_token
from engine.store.base import Outbox
from engine.store.outbox import site_outbox
from engine.web.auth.redirects import sign_in_first
from engine.web.columns import when
from engine.web.finding import PARAMETERS, read_trust_query
from engine.web.listing import STATES, read_browse
from engine.web.site import HostedRepository
from engine.web.unreadable import each_readable
from engine.web.views import current_user, hosted, require, site

bp = Blueprint("alerts", __name__)
#: The deliveries of each state the admin page lists, the newest first.
LISTED = 200
TRUST_WIDE = "Every repository"
FILTER_LABELS = {"instance": "Department", "repository": "Type of record", "status": "Status", "year": "Year added"}


@bp.record_once
def _attach(state) -> None:
    app = state.app
    app.extensions["repo_engine_alerts"] = Alerts(app.extensions["repo_engine"].place)
    app.extensions["repo_engine_site_outbox"] = _LazyOutbox()
    # A mail program sends RFC 8058's one-click POST with no session and no form token: the signed token in the
    # address is itself the proof, made with the site's secret and naming only what its own mail may stop, so a
    # forged cross-site request cannot do anything the token's holder could not.
    app.extensions["csrf"].exempt(unsubscribe_post)


class _LazyOutbox:
    """The site outbox, opened on first use (most requests never touch it) and compacted when the process ends."""

    def __init__(self) -> None:
        self._outbox: Outbox | None = None
        self._opening = threading.Lock()

    def get(self) -> Outbox:
        with self._opening:
            if self._outbox is None:
                self._outbox = site_outbox(site().paths)
                atexit.register(self._outbox.close)
            return self._outbox


def alerts() -> Alerts:
    return current_app.extensions["repo_engine_alerts"]


def signed_in() -> User:
    """The person signed in; anyone else is sent to sign in, and back to their alerts page afterwards (a form
    post cannot be come back to)."""
    person = current_user()
    if not person.signed_in:
        if request.method == "GET":
            sign_in_first()
        abort(redirect(url_for("auth.sign_in", next=url_for("alerts.account_alerts"))))
    return person


# -- saving an alert --------------------------------------------------------------------------------------------
def browse_title(repository: HostedRepository, args: MultiDict) -> str:
    """A browse view in words: 'Projects under way now matching “falls”, Status: Proposed or Active'."""
    view = read_browse(repository, args)
    words = repository.rtype.title_plural
    if view.query.state:
        words += f" {STATES[view.query.state]}"
    if view.query.q:
        words += f" matching “{view.query.q}”"
    grouped: dict[str, list[str]] = {}
    for active in view.active:
        grouped.setdefault(active.facet.label, []).append(active.words)
    return words + "".join(f", {label}: {' or '.join(values)}" for label, values in grouped.items())


def search_title(args: MultiDict) -> str:
    """A trust-wide search in words: 'Every repository matching “falls”, Department: Surgery'."""
    asked = read_trust_query(args)
    words = TRUST_WIDE + (f" {STATES[asked.state]}" if asked.state else "") + f" matching “{asked.q}”"
    named = {"instance": _instance_title, "repository": _type_title}
    for name, values in asked.chosen.items():
        if values:
            shown = [named.get(name, str)(value) for value in values]
            words += f", {FILTER_LABELS[PARAMETERS[name]]}: {' or '.join(shown)}"
    return words


def _instance_title(name: str) -> str:
    found = site().project.instances.get(name)
    return found.title if found else name


def _type_title(name: str) -> str:
    return next((h.rtype.title_plural for h in site().repositories.values() if h.name == name), name)


@bp.post("/<instance>/<repo>/alert")
def browse_alert(instance: str, repo: str):
    repository = hosted(instance, repo)
    person = current_user()
    query = normalised(request.form.get("query", ""))
    if not person.signed_in:        # back to the list afterwards: the post itself cannot be come back to
        abort(redirect(url_for("auth.sign_in", next=_view_path(repository.instance.name, repository.name, query))))
    require(repository.instance, "read")
    title = browse_title(repository, MultiDict(parse_qsl(query)))
    return _save(person, repository.instance.name, repository.name, query, title)


@bp.post("/search/alert")
def search_alert():
    person = current_user()
    if not person.signed_in:
        abort(redirect(url_for("auth.sign_in", next=url_for("search.trust_search"))))
    query = normalised(request.form.get("query", ""))
    if not read_trust_query(MultiDict(parse_qsl(query))).q:
        flash("Search for something first: an alert tells you about new records matching your search.",
              "important")
        return redirect(url_for("search.trust_search"))
    return _save(person, "", "", query, search_title(MultiDict(parse_qsl(query))))


def _view_path(instance: str, repo: str, query: str = "") -> str:
    return url_for("browse.browse", instance=instance, repo=repo) + (f"?{query}" if query else "")


def _save(person: User, instance: str, repo: str, query: str, title: str):
    """The page choosing how often (the button's first post), or the alert saved and back to the view."""
    frequency = request.form.get("frequency", "")
    back = _view_path(instance, repo, query) if repo else \
        url_for("search.trust_search") + (f"?{query}" if query else "")
    if frequency not in FREQUENCIES:
        errors = {"frequency": "Choose how often to be sent the alert"} if request.form.get("chosen") else {}
        action = request.path
        return render_template("alerts_new.html", title=title, query=query, action=action, back=back,
                               frequencies=FREQUENCIES, errors=errors), 400 if errors else 200
    email = person.email or (person.username if "@" in person.username else "")
    try:
        alerts().add(person.username, email, instance=instance, repository=repo, query=query, title=title,
                     frequency=frequency)
    except AlertRefused as refused:
        flash(str(refused), "important")
        return redirect(back)
    flash(f"Alert saved. {FREQUENCIES[frequency]} you will be emailed the new and changed records of: {title}. "
          "Your alerts are listed under Alerts, at the top of the page.")
    return redirect(back)


# -- the person's alerts and watches ----------------------------------------------------------------------------
@bp.get("/account/alerts")
def account_alerts():
    person = signed_in()
    kept = alerts().owned_by(person.username)
    return render_template("alerts.html", alerts=kept, watches=_watches(person), frequencies=FREQUENCIES,
                           no_email=not (person.email or "@" in person.username),
                           link=lambda alert: request.script_root + alert.path)


def _watches(person: User) -> list[dict]:
    """Every record the person watches, anywhere: titled and linked where they may still read it."""
    def watched(repository: HostedRepository) -> list[dict]:
        store = site().store(repository)
        readable = can(person, repository.instance, "read")
        return [_watch(repository, store, reference, readable) for reference in store.watched_by(person.username)]
    return [watch for _, found in each_readable(site().repositories.values(), watched) for watch in found]


def _watch(repository: HostedRepository, store, reference: str, readable: bool) -> dict:
    title = ""
    if readable:
        try:
            title = repository.title_of(store.get(reference))
        except RecordNotFound:
            readable = False
    return {"repository": repository, "reference": reference, "title": title, "readable": readable}


@bp.post("/account/alerts/<alert_id>/frequency")
def change_frequency(alert_id: str):
    person = signed_in()
    try:
        changed = alerts().change_frequency(alert_id, request.form.get("frequency", ""), owner=person.username)
    except AlertNotFound:
        abort(404)
    except AlertRefused as refused:
        flash(str(refused), "important")
        return redirect(url_for("alerts.account_alerts"))
    flash(f"Alert changed. {FREQUENCIES[changed.frequency]} you will be emailed the new and changed records of: "
          f"{changed.title}.")
    return redirect(url_for("alerts.account_alerts"))


@bp.post("/account/alerts/<alert_id>/delete")
def delete_alert(alert_id: str):
    person = signed_in()
    try:
        removed = alerts().remove(alert_id, owner=person.username)
    except AlertNotFound:
        abort(404)
    flash(f"Alert deleted. You will no longer be emailed about: {removed.title}.")
    return redirect(url_for("alerts.account_alerts"))


@bp.post("/account/watching/<instance>/<repo>/<reference>/stop")
def stop_watching(instance: str, repo: str, reference: str):
    """Stopping is always one's own to do, even where one can no longer read the record."""
    person = signed_in()
    repository = hosted(instance, repo)
    stopped = site().store(repository).set_watching(reference, person.username, False)
    flash(f"You are no longer watching {reference}." if stopped else f"You were not watching {reference}.")
    return redirect(url_for("alerts.account_alerts"))


# -- one-click unsubscribe --------------------------------------------------------------------------------------
def _subscription(token: str) -> tuple[str, object]:
    """What ``token`` stops: ('alert', Alert or None when already gone) or ('watch', (hosted, reference,
    username, title)); a page saying the link is not valid (404) when the site did not make it."""
    what = read_token(current_app.config["SECRET_KEY"], token)
    if what and what[0] == "alert" and len(what) == 2:
        try:
            return "alert", alerts().get(str(what[1]))
        except AlertNotFound:
            return "alert", None
    if what and what[0] == "watch" and len(what) == 5:
        try:
            repository = hosted(str(what[1]), str(what[2]))
        except NotFound:
            repository = None
        if repository is not None:
            return "watch", (repository, str(what[3]), str(what[4]))
    abort(make_response(render_template("unsubscribe.html", kind="invalid"), 404))


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    kind, subject = _subscription(token)
    return render_template("unsubscribe.html", kind=kind, subject=subject, done=False, token=token,
                           watched=_watched_words(subject) if kind == "watch" else "")


@bp.post("/unsubscribe/<token>")
def unsubscribe_post(token: str):
    """The page's button, and RFC 8058's ``List-Unsubscribe=One-Click`` post from a mail program, alike."""
    kind, subject = _subscription(token)
    if kind == "alert" and subject is not None:
        try:
            alerts().remove(subject.id)
        except AlertNotFound:       # removed by another click meanwhile: it is stopped all the same
            pass
    elif kind == "watch":
        repository, reference, username = subject
        site().store(repository).set_watching(reference, username, False)
    return render_template("unsubscribe.html", kind=kind, subject=subject, done=True, token=token,
                           watched=_watched_words(subject) if kind == "watch" else "")


def _watched_words(subject) -> str:
    repository, reference, _ = subject
    return f"{repository.rtype.title} {reference} in {repository.instance.title}"


# -- the site admins' outbox ------------------------------------------------------------------------------------
def _site_admin() -> None:
    person = current_user()
    if not person.signed_in:
        sign_in_first()
    if not person.site_admin:
        abort(403, "Only the people who run this service (site admins) can see the outbox.")


def _outboxes() -> list[tuple[str, Outbox]]:
    """Every outbox, named: each repository's, then the site's own (the trust-wide digests)."""
    named = [(f"{h.rtype.title_plural}, {h.instance.title}", site().store(h).outbox)
             for h in site().repositories.values()]
    return named + [("The whole site (alert digests)", current_app.extensions["repo_engine_site_outbox"].get())]


@bp.get("/admin/outbox")
def admin_outbox():
    _site_admin()
    counts = dict.fromkeys((PENDING, SENDING, SENT, FAILED), 0)
    listed: dict[str, list] = {FAILED: [], PENDING: []}
    for where, outbox in _outboxes():
        for delivery in outbox.deliveries():
            counts[delivery.state] = counts.get(delivery.state, 0) + 1
            if delivery.state in listed:
                listed[delivery.state].append((where, delivery))
    for state in listed:
        listed[state] = sorted(listed[state], key=lambda pair: pair[1].notice.created, reverse=True)[:LISTED]
    return render_template("admin_outbox.html", counts=counts, failed=listed[FAILED], pending=listed[PENDING],
                           moment=_moment)


def _moment(text: str) -> str:
    """A stored time ('2026-12-02T13:05:00.000000+00:00') as the site shows times."""
    try:
        return when(datetime.fromisoformat(text)) if text else ""
    except ValueError:
        return text


@bp.post("/admin/outbox/<notice_id>/resend")
def resend(notice_id: str):
    _site_admin()
    for _, outbox in _outboxes():
        if any(delivery.id == notice_id for delivery in outbox.deliveries((FAILED, PENDING, SENT))):
            if outbox.resend(notice_id):
                flash("The delivery will be sent again in the next few moments.")
            else:
                flash("That delivery is being sent right now; it was not queued again.", "important")
            return redirect(url_for("alerts.admin_outbox"))
    abort(404)
