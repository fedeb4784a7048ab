"""The site home (every instance) and an instance's home (its repositories, counts and latest records)."""
from __future__ import annotations

from flask import Blueprint, render_template

from engine.store.base import Query
from engine.access import can
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
    summaries = []
    for repository in site().hosted_in(found):
        latest = site().store(repository).query(Query(sort="-updated", per_page=LATEST))
        summaries.append((repository, latest.total, latest.records))
    return render_template("instance.html", instance=found, summaries=summaries)
