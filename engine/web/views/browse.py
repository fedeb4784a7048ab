"""The browse page: one page of records with search, facet filters and counts, sort and pagination.

The page body is kept under the store's revision, the URL and the reader's audience; on a miss, the facet
panel and the table rows come from the site's fragment cache, keyed on what they show (see fragments.py).
Only the layout around the body (header, who is signed in, messages) is rendered on every request.
"""
from __future__ import annotations

from flask import Blueprint, current_app, request
from markupsafe import Markup

from engine.store.base import Page, Record, Store
from engine.web.listing import Browse, facet_options, read_browse, sentence
from engine.web.site import HostedRepository
from engine.web.views import current_user, hosted, render_page, require, site

bp = Blueprint("browse", __name__)


@bp.get("/<instance>/<repo>/")
def browse(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    store = site().store(repository)
    revision = store.revision()
    if revision is None:
        body, status = browse_body(repository, store)
    else:
        reader = current_user()
        key = ("browse", repository.instance.name, repository.name, revision, request.script_root,
               request.path, request.query_string, reader.signed_in, reader.role_in(repository.instance.name))
        body, status = site().bodies.keep(key, lambda: browse_body(repository, store))
    return render_page(repository, "browse", body=body), status


def browse_body(repository: HostedRepository, store: Store) -> tuple[Markup, int]:
    """Everything below the page's header, and the status it answers with (400 for a search it could not
    read). It must depend on nothing but the store's data, the URL and the reader's role (the cache key)."""
    view = read_browse(repository, request.args)
    page = store.query(view.query)
    counts = store.facets(view.query, tuple(f.name for f in repository.facets)) if repository.facets else {}
    # The panel is sent open when it says, beside a box, that what was typed there cannot be read.
    refused_here = any(view.error(box) for facet in repository.facets for box, _ in facet.range_inputs)
    body = render_page(repository, "browse_body", view=view, page=page, rows=table_rows(repository, page),
                       facet_panel=facet_panel(repository, view, counts), filters_open=refused_here,
                       sentence=sentence(repository, view, page.total))
    return Markup(body), 400 if view.problems else 200


def facet_panel(repository: HostedRepository, view: Browse, counts: dict[str, list[tuple[str, int]]]) -> Markup:
    """The facet checkboxes, kept by exactly what they show: each facet's counts and its ticked values."""
    key = ("facets", repository.instance.name, repository.name,
           tuple((f.name, tuple(counts.get(f.name, ())), view.selected(f.name),
                  tuple((box, view.typed.get(box, ""), view.error(box)) for box, _ in f.range_inputs))
                 for f in repository.facets))

    def render() -> str:
        template = current_app.jinja_env.get_template("browse_facets.html")
        return template.render(facets=facet_options(repository, view, counts), typed=view.typed,
                               error=view.error)
    return site().fragments.get(key, render)


def table_rows(repository: HostedRepository, page: Page) -> list[Markup]:
    """Each record's table row, kept by reference, version and search passage: every save makes a new
    version, so a new row. The page's own path is part of the key, as the row links to the record beside it."""
    here = request.script_root + request.path
    fragments = site().fragments
    row = current_app.jinja_env.get_template("browse_row.html").module.row
    why = current_app.jinja_env.get_template("macros.html").module.snippet

    labels = [column.label for column in repository.columns]

    def render(record: Record) -> str:
        cells = [column.text(record) for column in repository.columns]
        return row(here, record.reference, cells, labels, why(page.snippets.get(record.reference)))
    return [fragments.get(("row", here, record.reference, record.version, page.snippets.get(record.reference)),
                          lambda r=record: render(r))
            for record in page.records]
