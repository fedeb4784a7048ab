"""The site home (every instance) and an instance's home (its repositories, counts, records due for review
and latest records; one whose data is damaged is left out, and the page says so)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from engine.store.base import Query
from engine.access import can
from engine.review.pages import review_counts
from engine.web.unreadable import each_readable
from engine.web.views import current_user, require, site

bp = Blueprint("home", __name__)
LATEST = 3


@bp.get("/")
def site_home():
    person = current_user()
    readable = tuple(i for i in site().project.instances.values() if can(person, i, "read"))
    return render_template("home.html", instances=readable)


@bp.get("/<instance>/")
def instance_home(instance: str):
    found = site().instance(instance)
    require(found, "read")
    latest, today = Query(sort="-updated", per_page=LATEST), date.today()

    def summary(repository):
        store = site().store(repository)
        return store.query(latest), review_counts(repository.rtype, store, today)
    summaries = [(repository, page.total, page.records, review) for repository, (page, review) in
                 each_readable(site().hosted_in(found), summary)]
    return render_template("instance.html", instance=found, summaries=summaries)
