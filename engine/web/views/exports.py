"""Export of a browse view: ``/<instance>/<repo>/export?<the browse query>&format=csv|xlsx|json``.

The same query string as the browse page, so the file holds exactly the records the page lists (every page
of them), in its order. Anyone who may read the repository may export it.
"""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict

from engine.exchange.export import FORMATS, export
from engine.web.listing import read_browse
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
    out = io.BytesIO()
    export(repository.rtype, site().store(repository), view.query, fmt, out)
    content_type, suffix = FORMATS[fmt]
    filename = f"{instance}-{repo}-{date.today():%Y-%m-%d}{suffix}"
    return Response(out.getvalue(), content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })
