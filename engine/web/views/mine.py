"""My submissions: every record the signed-in person created, and their drafts, across all the instances they
can read.

One page for the whole site rather than one per instance: people submit to several departments (an audit in
one, an evidence search in another) and want one list of what they are waiting on. A repository whose data is
damaged is left out, and the page says so.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from engine.access import User
from engine.store.base import Query, Record, Store
from engine.store.drafts import Draft
from engine.web.auth.redirects import here
from engine.web.drafting import draft_title, may_see
from engine.web.finding import readable
from engine.web.site import HostedRepository
from engine.web.unreadable import each_readable
from engine.web.views import current_user, site

bp = Blueprint("mine", __name__)


@bp.get("/mine")
def mine():
    person = current_user()
    if not person.signed_in:
        return redirect(url_for("auth.sign_in", next=here()))
    repositories = readable(site(), person)
    groups = [(repository, records) for repository, records in
              each_readable(repositories,
                            lambda repository: _created_by(site().store(repository), person.username))
              if records]
    drafts = [(repository, draft) for repository, kept in
              each_readable(repositories, lambda repository: _drafts_of(repository, person)) for draft in kept]
    return render_template("mine.html", groups=groups, drafts=drafts, draft_title=draft_title)


def _drafts_of(repository: HostedRepository, person: User) -> list[Draft]:
    """The person's drafts in one repository that they may still open, the last saved first."""
    return [draft for draft in site().drafts(repository).owned_by(person.username)
            if may_see(person, repository, draft)]


def _created_by(store: Store, username: str) -> list[Record]:
    """The person's live records, last updated first: asked of the store's index, so the page reads only
    the records it shows, not every record of every repository."""
    return list(store.iter_all(Query(filters={"created_by": (username,)}, sort="-updated")))
