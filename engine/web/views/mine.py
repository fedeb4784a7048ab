"""My submissions: every record the signed-in person created, across all the instances they can read.

One page for the whole site rather than one per instance: people submit to several departments (an audit in
one, an evidence search in another) and want one list of what they are waiting on. A repository whose data is
damaged is left out, and the page says so.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from engine.store.base import Query, Record, Store
from engine.web.auth.redirects import here
from engine.web.finding import readable
from engine.web.unreadable import each_readable
from engine.web.views import current_user, site

bp = Blueprint("mine", __name__)


@bp.get("/mine")
def mine():
    person = current_user()
    if not person.signed_in:
        return redirect(url_for("auth.sign_in", next=here()))
    groups = [(repository, records) for repository, records in
              each_readable(readable(site(), person),
                            lambda repository: _created_by(site().store(repository), person.username))
              if records]
    return render_template("mine.html", groups=groups)


def _created_by(store: Store, username: str) -> list[Record]:
    """The person's live records, last updated first: asked of the store's index, so the page reads only
    the records it shows, not every record of every repository."""
    return list(store.iter_all(Query(filters={"created_by": (username,)}, sort="-updated")))
