"""The browse page: one page of records with search, facet filters and counts, sort and pagination."""
from __future__ import annotations

from flask import Blueprint, request

from engine.web.listing import facet_options, read_browse, sentence, table_rows
from engine.web.views import hosted, render_page, site

bp = Blueprint("browse", __name__)


@bp.get("/<instance>/<repo>/")
def browse(instance: str, repo: str):
    repository = hosted(instance, repo)
    view = read_browse(repository, request.args)
    store = site().store(repository)
    page = store.query(view.query)
    counts = store.facets(view.query, tuple(f.name for f in repository.facets)) if repository.facets else {}
    html = render_page(repository, "browse", view=view, page=page, rows=table_rows(repository, page.records),
                       facets=facet_options(repository, view, counts),
                       sentence=sentence(repository, view, page.total))
    return html, 400 if view.problems else 200
