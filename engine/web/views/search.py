"""Search across the trust (``/search``) and the "Has this been done before?" lookup of the new-record form.

Both answer from ``engine.web.finding``, which asks only the repositories the person may read.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from engine.search.parse import parse
from engine.store.index import STATUS, YEAR
from engine.web.finding import FACETS, INSTANCE, PARAMETERS, TYPE, Hit, search_trust, similar, similar_message
from engine.web.listing import STATES
from engine.web.views import current_user, hosted, require, site

bp = Blueprint("search", __name__)
PER_PAGE = 20
FACET_LABELS = {INSTANCE: "Department", TYPE: "Type of record", STATUS: "Status", YEAR: "Year started"}
SHORTEST_TITLE = 3


@bp.get("/search")
def trust_search():
    q = request.args.get("q", "").strip()
    state = request.args.get("state") if request.args.get("state") in STATES else None
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() and int(request.args["page"]) > 0 else 1
    chosen = {name: request.args.getlist(PARAMETERS[name]) for name in FACETS}
    results = None
    if q:
        results = search_trust(site(), current_user(), parse(q, site().project.thesaurus), chosen=chosen,
                               state=state, page=page, per_page=PER_PAGE)
    return render_template("search.html", q=q, state=state, results=results, chosen=chosen,
                           labels=FACET_LABELS, parameters=PARAMETERS, states=STATES, url=_url)


def _url(**changes) -> str:
    """This page's URL with some parameters replaced (None removes one); the page number is dropped."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in changes and k != "page"]
    kept += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return url_for("search.trust_search", **_grouped(kept))


def _grouped(pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


@bp.get("/<instance>/<repo>/similar")
def similar_work(instance: str, repo: str):
    """JSON for the new-record form's panel: the records most like the title (and description) typed."""
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    title = request.args.get("title", "").strip()
    if len(title) < SHORTEST_TITLE:
        return jsonify(records=[], message=f"Type at least {SHORTEST_TITLE} letters of the title"), 400
    hits = similar(site(), current_user(), title, request.args.get("text", ""))
    return jsonify(records=[as_json(hit) for hit in hits], message=similar_message(hits))


def as_json(hit: Hit) -> dict:
    return {"reference": hit.record.reference, "title": hit.title, "status": hit.record.status,
            "closed": hit.closed, "lead": hit.lead, "department": hit.hosted.instance.title,
            "repository": hit.hosted.rtype.title_plural,
            "url": url_for("records.show", instance=hit.hosted.instance.name, repo=hit.hosted.name,
                           reference=hit.record.reference)}
