"""The site home (every instance) and an instance's home (its repositories, counts and latest records)."""
from __future__ import annotations

from flask import Blueprint, render_template

from engine.store.base import Query
from engine.web.views import site

bp = Blueprint("home", __name__)
LATEST = 3


@bp.get("/")
def site_home():
    return render_template("home.html", instances=tuple(site().project.instances.values()))


@bp.get("/<instance>/")
def instance_home(instance: str):
    found = site().instance(instance)
    summaries = []
    for rtype in found.repositories:
        repository = site().repository(found.name, rtype.name)
        store = site().store(repository)
        latest = store.query(Query(sort="-updated", per_page=LATEST))
        summaries.append((repository, latest.total, latest.records))
    return render_template("instance.html", instance=found, summaries=summaries)
