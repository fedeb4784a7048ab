"""The import page for a repository's admins: ``/<instance>/<repo>/import``.

Upload a CSV or XLSX file and see the dry-run report (every problem with its row and column); confirm to
write. Between the two steps the file waits in the site's data folder under a random name (the confirm form
carries only that name), and it is checked again when confirmed: the repository may have changed meanwhile.
Files are not attached from the web page; a file column is imported with ``repo-engine import --attachments``.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.errors import DataDamaged, EngineError, OutOfSpace
from engine.exchange.plan import ImportPlan, plan_import
from engine.exchange.readers import UnreadableFile, read_table
from engine.exchange.write import ImportRefused, carry_out, imported
from engine.web.site import HostedRepository
from engine.web.views import hosted, require, site, user

bp = Blueprint("imports", __name__)

SUFFIXES = (".csv", ".xlsx", ".json")
HELD_FOR_SECONDS = 24 * 3600
_HELD_NAME = re.compile(r"[A-Za-z0-9_-]{20,40}\.(csv|xlsx|json)")


def _page(repository: HostedRepository, *, plan: ImportPlan | None = None, held: str = "",
          error: str = "", code: int = 200):
    html = render_template("import.html", hosted=repository, instance=repository.instance, rtype=repository.rtype,
                           plan=plan, held=held, error=error, shown=_shown(plan))
    return html, code


@bp.get("/<instance>/<repo>/import")
def start(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "import")
    return _page(repository)


@bp.post("/<instance>/<repo>/import")
def check(instance: str, repo: str):
    """The uploaded file's dry-run report, with a button to go ahead when there is something to import."""
    repository = hosted(instance, repo)
    require(repository.instance, "import")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(repository, error="Select a CSV, Excel or JSON file to import", code=400)
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUFFIXES:
        return _page(repository, error="The selected file must be a CSV, Excel (.xlsx) or JSON export file", code=400)
    data = upload.read()
    try:
        plan = _plan(repository, data, upload.filename)
    except UnreadableFile as error:
        return _page(repository, error=str(error), code=400)
    held = _hold(data, suffix) if plan.good and not plan.missing else ""
    return _page(repository, plan=plan, held=held, code=200 if plan.ok else 400)


@bp.post("/<instance>/<repo>/import/confirm")
def confirm(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "import")
    held = request.form.get("held", "")
    path = _held_path(held)
    if not path.is_file():
        return _page(repository, error="The file to import is no longer here: upload it again", code=400)
    try:
        plan = _plan(repository, path.read_bytes(), path.name)
        saved = carry_out(plan, site().records(repository), user=user(), skip_invalid=True)
    except (ImportRefused, UnreadableFile) as refused:
        return _page(repository, error=str(refused), code=400)
    except (DataDamaged, OutOfSpace):   # the site's 503 and 507 pages, logged for the service team
        raise
    except EngineError as error:    # e.g. a reference someone else took since the check
        return _page(repository, error=f"Nothing was imported: {error}", code=409)
    path.unlink(missing_ok=True)
    flash(f"{imported(saved)}.")
    return redirect(url_for("browse.browse", instance=instance, repo=repo))


def _plan(repository: HostedRepository, data: bytes, filename: str) -> ImportPlan:
    table = read_table(data, Path(filename).name)
    return plan_import(site().records(repository), table)


def _folder() -> Path:
    return site().paths.site_data / "imports"


def _hold(data: bytes, suffix: str) -> str:
    """Keep the file until it is confirmed; files older than a day are cleared on the way."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - HELD_FOR_SECONDS:
            old.unlink(missing_ok=True)
    name = secrets.token_urlsafe(24) + suffix
    (folder / name).write_bytes(data)
    return name


def _held_path(held: str) -> Path:
    if not _HELD_NAME.fullmatch(held):
        abort(400, description="The file to import is no longer here: upload it again.")
    return _folder() / held


def _shown(plan: ImportPlan | None, limit: int = 50) -> list:
    """The first rows that would be created, for the page to show as a sample."""
    return [] if plan is None else plan.good[:limit]
