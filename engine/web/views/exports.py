"""Export of a browse view: ``/<instance>/<repo>/export?<the browse query>&format=csv|xlsx|json``.

The same query string as the browse page, so the file holds exactly the records the page lists (every page
of them), in its order. Anyone who may read the repository may export it. An Excel file links each record to
its page on this site (``REPO_ENGINE_BASE_URL`` when set, else the address the request came to) and says who
exported which view, and when, on its "About this export" sheet.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.datastructures import MultiDict

from engine.exchange.columns import display_names
from engine.exchange.export import FORMATS, About, export
from engine.web.auth.session import current_user
from engine.web.listing import Browse, read_browse, sentence
from engine.web.site import HostedRepository
from engine.web.views import hosted, require, site

bp = Blueprint("exports", __name__)


@bp.get("/<instance>/<repo>/export")
def download(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(400, description=f"“{fmt}” is not a format the records can be exported in: use csv, xlsx or json.")
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k != "format"])
    view = read_browse(repository, args)
    if view.problems or view.refused:
        # The browse page says what it could not read and shows the rest; a file cannot say so, and a filter
        # left out would export records nobody asked for.
        said = " ".join(dict.fromkeys((*view.problems, *view.refused.values())))
        abort(400, description=f"Nothing was exported: {said}")
    out = io.BytesIO()
    export(repository.rtype, site().store(repository), view.query, fmt, out, about=_about(repository, view),
           names=display_names(site().accounts.users()))
    content_type, suffix = FORMATS[fmt]
    filename = f"{instance}-{repo}-{date.today():%Y-%m-%d}{suffix}"
    return Response(out.getvalue(), content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


def _about(repository: HostedRepository, view: Browse) -> About:
    person = current_user()
    return About(repository.instance, lambda total: sentence(repository, view, total),
                 by=person.display_name if person.signed_in else "Someone not signed in",
                 at=datetime.now(timezone.utc), site=current_app.config.get("BASE_URL") or request.url_root)
