"""The import page for a repository's admins: ``/<instance>/<repo>/import``.

Upload a CSV, XLSX or JSON file, or a ZIP of one with the files it names (an export with its attachments), and
see the dry-run report: every problem with its row and column, a column that matches no field with a choice
of the field to read it into (remembered for the next import of the repository), rows that look like records
already here; choose whether rows naming a record here update it; confirm to write. Between the steps the
file waits where the site keeps its data (``engine.exchange.held``: the data folder, or the database) under a
random name (the forms carry only that name), beside a note of its own name and of the versions of the
records it would update, as first read: an update starts from those.
It is checked again when confirmed, as the repository may have changed meanwhile.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from engine.errors import DataDamaged, EngineError, OutOfSpace
from engine.exchange.applying import carry_out_all
from engine.exchange.bundle import unpacked
from engine.exchange.columns import header_key
from engine.exchange.files import FileFolder
from engine.exchange.held import NAME as HELD_NAME, held_files
from engine.exchange.matching import IGNORE, choosable, known_choices
from engine.exchange.people import account_finder
from engine.exchange.plan import ImportOptions, ImportPlan, plan_import
from engine.exchange.readers import Table, UnreadableFile, read_table
from engine.exchange.remembered import RememberedColumns
from engine.exchange.write import ImportRefused
from engine.web.auth.session import current_user
from engine.web.site import HostedRepository
from engine.web.views import hosted, require, site, user

bp = Blueprint("imports", __name__)

SUFFIXES = (".csv", ".xlsx", ".json", ".zip")
_COLUMN = re.compile(r"column-(\d{1,4})")
CHANGED_SINCE = ("Nothing was imported: the repository changed since you checked the file, and some rows now have "
                 "problems (below). Confirm to import the other rows, or upload the file again to start from the "
                 "records as they are now")
NO_FILES = ("names files: to bring them, upload a ZIP file holding this spreadsheet and the files it names "
            "(an export with its attachments)")


def _page(repository: HostedRepository, *, plan: ImportPlan | None = None, held: str = "", error: str = "",
          code: int = 200):
    html = render_template("import.html", hosted=repository, instance=repository.instance, rtype=repository.rtype,
                           plan=plan, held=held, error=error, shown=_shown(plan), update=_update_asked(),
                           **_column_choices(repository, plan))
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
        return _page(repository, error="Select a CSV, Excel, JSON or ZIP file to import", code=400)
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUFFIXES:
        return _page(repository, error="The selected file must be a CSV, Excel (.xlsx), JSON export or ZIP file",
                     code=400)
    data = upload.read()
    return _checked(repository, data, Path(upload.filename).name, _held().hold(data, suffix))


@bp.post("/<instance>/<repo>/import/columns")
def recheck(instance: str, repo: str):
    """The held file's report again, read with the columns (and the update choice) the person chose."""
    repository = hosted(instance, repo)
    require(repository.instance, "import")
    held, data = _held_file()
    if data is None:
        return _page(repository, error=GONE, code=400)
    return _checked(repository, data, _held().note(held).get("filename", held), held)


GONE = "The file to import is no longer here: upload it again"


def _held_file() -> tuple[str, bytes | None]:
    """The held file the posted form names, and its content (None when it is gone)."""
    held = request.form.get("held", "")
    if not HELD_NAME.fullmatch(held):
        abort(400, description=GONE + ".")
    return held, _held().read(held)


def _plan(repository: HostedRepository, table, files, note: dict):
    """The import plan of a read file, with the choices the person made and the versions first read."""
    options = _options(repository, note.get("versions", {}))
    return plan_import(site().records(repository), table, files, options=options)


def _checked(repository: HostedRepository, data: bytes, filename: str, held: str):
    try:
        with _opened(data, filename) as (table, files):
            plan = _plan(repository, table, files, _held().note(held))
    except UnreadableFile as error:
        _held().discard(held)
        return _page(repository, error=str(error), code=400)
    _note(held, filename, plan)
    return _page(repository, plan=plan, held=held, code=200 if plan.ok else 400)


@bp.post("/<instance>/<repo>/import/confirm")
def confirm(instance: str, repo: str):
    repository = hosted(instance, repo)
    require(repository.instance, "import")
    held, data = _held_file()
    if data is None:
        return _page(repository, error=GONE, code=400)
    note = _held().note(held)
    filename = note.get("filename", held)
    try:
        with _opened(data, filename) as (table, files):
            plan = _plan(repository, table, files, note)
            if _worse(plan, note):
                _note(held, filename, plan)
                return _page(repository, plan=plan, held=held, error=CHANGED_SINCE, code=409)
            outcome = carry_out_all(plan, site().records(repository), user=user(), skip_invalid=True)
    except ImportRefused as refused:     # found only while writing (a file refused for what it holds)
        return _page(repository, error=_refusal(refused), code=400)
    except UnreadableFile as refused:
        return _page(repository, error=str(refused), code=400)
    except (DataDamaged, OutOfSpace):   # the site's 503 and 507 pages, logged for the service team
        raise
    except EngineError as error:    # e.g. a reference someone else took since the check
        return _page(repository, error=f"Nothing was imported: {error}", code=409)
    _remember(repository, plan)
    _held().discard(held)
    flash(f"{outcome.message}.")
    return redirect(url_for("browse.browse", instance=instance, repo=repo))


def _refusal(refused: ImportRefused) -> str:
    """'Nothing was imported: 1 problem. Row 4, column Report: ...': the problems, as the report words them."""
    found = " ".join(f"Row {p.row}, column {p.column}: {p.message}." for p in refused.problems[:5])
    return f"{refused} {found}".strip()


def _worse(plan: ImportPlan, note: dict) -> bool:
    """Has a row that was fine when the person last checked the file a problem now (someone changed a record
    it updates, or took its reference)? Then they are shown it before anything is written."""
    good = set(note.get("good", ()))
    return any(row.row in good for row in plan.rows if not row.ok)


# -- reading the file ----------------------------------------------------------------------------------------
@contextmanager
def _opened(data: bytes, filename: str) -> Iterator[tuple[Table, FileFolder | None]]:
    """The table in the file, and the files that came with it (a ZIP's, unpacked until the block ends)."""
    if Path(filename).suffix.lower() != ".zip":
        yield read_table(data, filename), None
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 50 * 1024 * 1024
    with unpacked(data, filename, limit=limit, within=_held().scratch) as bundle:
        yield read_table(bundle.sheet, bundle.sheet_name), bundle.files


def _options(repository: HostedRepository, versions: dict) -> ImportOptions:
    """Remembered column choices under the ones posted (``column-<position>``), the update choice, the
    accounts a person cell may name, the versions first read, and whether statuses are taken as given (an
    admin importing history; anyone else gives new records only the statuses a workflow starts them in)."""
    rtype = repository.rtype
    remembered = RememberedColumns(site().place, repository.instance.name, rtype.name).load()
    posted = {int(match[1]): name for key, name in request.form.items() if (match := _COLUMN.fullmatch(key))}
    return ImportOptions(columns=known_choices(rtype, remembered), positions=posted, update=_update_asked(),
                         versions={str(k): int(v) for k, v in versions.items()},
                         people=account_finder(site().accounts.users()), no_files=NO_FILES,
                         history=current_user().has_role(repository.instance.name, "admin"))


def _update_asked() -> bool:
    return request.form.get("mode") == "update"


def _column_choices(repository: HostedRepository, plan: ImportPlan | None) -> dict:
    """For the page: the columns a header matching nothing may be read into, and each one's current choice."""
    if plan is None:
        return {"offered": (), "selected": {}}
    by_name = {column.name for header, column in plan.matched if header not in plan.chosen}
    offered = [column for column in choosable(repository.rtype, update=plan.update) if column.name not in by_name]
    selected = {index: plan.choices.get(header_key(header), IGNORE) for index, header in plan.unmatched}
    return {"offered": offered, "selected": selected}


def _remember(repository: HostedRepository, plan: ImportPlan) -> None:
    """Keep the choices made for headers that match nothing, for the next import of this repository."""
    chosen = known_choices(plan.rtype, {header_key(header): plan.choices.get(header_key(header), IGNORE)
                                        for _, header in plan.unmatched})
    RememberedColumns(site().place, repository.instance.name, repository.rtype.name).remember(chosen)


# -- the held file (engine.exchange.held) ---------------------------------------------------------------------
def _held():
    return held_files(site().place)


def _note(held: str, filename: str, plan: ImportPlan) -> None:
    """Beside the held file: its own name, the version of each record it would update as first read (a later
    check adds the records it did not name before and keeps the versions read already), and its good rows."""
    versions = {row.target.reference: row.target.version for row in plan.rows if row.updates}
    versions.update(_held().note(held).get("versions", {}))
    _held().set_note(held, {"filename": filename, "versions": versions, "good": [row.row for row in plan.good]})


def _shown(plan: ImportPlan | None, limit: int = 50) -> list:
    """The first rows that would be written (or are unchanged), for the page to show as a sample."""
    return [] if plan is None else plan.good[:limit]
