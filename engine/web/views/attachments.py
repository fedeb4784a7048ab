"""Attachment downloads: always as a download, never rendered by the browser as a page of ours."""
from __future__ import annotations

from flask import Blueprint, send_file

from engine.web.views import hosted, require, site

bp = Blueprint("attachments", __name__)


@bp.get("/<instance>/<repo>/<reference>/attachments/<attachment_id>")
def download(instance: str, repo: str, reference: str, attachment_id: str):
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    store = site().store(repository)
    store.get(reference)
    attachment, stream = store.open_attachment(reference, attachment_id)
    response = send_file(stream, mimetype=attachment.content_type or "application/octet-stream",
                         as_attachment=True, download_name=attachment.filename, max_age=0,
                         etag=attachment.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A record's document: the browser may keep it and ask again by ETag, a shared proxy never keeps it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
