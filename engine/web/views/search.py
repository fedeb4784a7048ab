"""Search across the trust (``/search``) and the "Has this been done before?" lookup of the new-record form.

Both answer from ``engine.web.finding``, which asks only the repositories the person may read.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.search.parse import parse
from engine.store.index import STATUS, YEAR
from engine.web.columns import Facet
from engine.web.finding import (INSTANCE, PARAMETERS, TYPE, Hit, TrustQuery, TrustResults, read_trust_query,
                                search_trust, similar, similar_message)
from engine.web.listing import STATES, FacetOption
from engine.web.unreadable import left_out
from engine.web.views import current_user, hosted, require, site

bp = Blueprint("search", __name__)
PER_PAGE = 20
FACET_LABELS = {INSTANCE: "Department", TYPE: "Type of record", STATUS: "Status", YEAR: "Year added"}
SHORTEST_TITLE = 3


@bp.get("/search")
def trust_search():
    asked = read_trust_query(request.args)
    results = None
    if asked.q:
        results = search_trust(site(), current_user(), parse(asked.q, site().project.thesaurus),
                               chosen=asked.chosen, state=asked.state, page=asked.page, per_page=PER_PAGE)
    return render_template("search.html", asked=asked, q=asked.q, state=asked.state, chosen=asked.chosen,
                           results=results, facets=_facet_panel(asked, results), parameters=PARAMETERS,
                           states=STATES, url=_url)


def _facet_panel(asked: TrustQuery, results: TrustResults | None) -> list[tuple[Facet, list[FacetOption]]]:
    """The facets in the shape the browse page's facet panel draws (browse_facets.html)."""
    if results is None:
        return []
    return [(Facet(PARAMETERS[name], FACET_LABELS[name]),
             [FacetOption(f"facet-{PARAMETERS[name]}-{number}", key, label, count, key in asked.chosen[name])
              for number, (key, label, count) in enumerate(buckets, 1)])
            for name, buckets in results.facets.items()]


def _url(**changes) -> str:
    """This page's URL with some parameters replaced (None removes one); the page number is dropped."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in changes and k != "page"]
    kept += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return url_for("search.trust_search", **MultiDict(kept).to_dict(flat=False))


@bp.get("/<instance>/<repo>/similar")
def similar_work(instance: str, repo: str):
    """JSON for the new-record form's panel: the records most like the title (and description) typed."""
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    title = request.args.get("title", "").strip()
    if len(title) < SHORTEST_TITLE:
        return jsonify(records=[], message=f"Type at least {SHORTEST_TITLE} letters of the title"), 400
    hits = similar(site(), current_user(), title, request.args.get("text", ""))
    said = "".join(f". {unread.sentence}" for unread in left_out())      # the panel announces the message
    return jsonify(records=[as_json(hit) for hit in hits], message=similar_message(hits) + said)


def as_json(hit: Hit) -> dict:
    return {"reference": hit.record.reference, "title": hit.title, "status": hit.record.status,
            "closed": hit.closed, "lead": hit.lead, "department": hit.hosted.instance.title,
            "repository": hit.hosted.rtype.title_plural,
            "url": url_for("records.show", instance=hit.hosted.instance.name, repo=hit.hosted.name,
                           reference=hit.record.reference)}
