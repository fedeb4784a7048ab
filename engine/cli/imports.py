"""``repo-engine import INSTANCE REPO FILE [--dry-run] [--skip-invalid] [--update] [--map "HEADER=FIELD"]...
[--attachments DIR] [--user NAME]``.

Reads a CSV or XLSX file (an export of this engine, a SharePoint list export, a department's tracker) or a JSON
export, matches its columns to the repository's by label or name (or as ``--map`` and the choices remembered on
the import page say), converts and checks every row, and then either reports (``--dry-run``: row by row, what
would be created or updated and every problem) or writes every row. ``--update``: a row whose reference is a
record of the repository updates it. Any problem writes nothing, unless ``--skip-invalid`` (the good rows are
written, the rest reported).

Exit status: 0 every row imported (or a clean dry run); 1 nothing written (problems, or a file or name that
cannot be read); 3 imported with ``--skip-invalid`` but some rows were left out.
"""
from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from engine.cli.export import open_repository
from engine.cli.messages import explain
from engine.errors import EngineError

SKIPPED_ROWS = 3


def register(sub) -> None:
    parser = sub.add_parser("import", help="import records from a CSV, XLSX or JSON file (--dry-run to only check)")
    parser.add_argument("instance")
    parser.add_argument("repository")
    parser.add_argument("file", help="a .csv or .xlsx file whose first row names the columns, or a .json export")
    parser.add_argument("--dry-run", action="store_true", help="report row by row what would happen; write nothing")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="write the rows without problems and report the others (default: write nothing)")
    parser.add_argument("--update", action="store_true",
                        help="rows whose Reference is a record here update it (default: every row is a new record)")
    parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                        help='read a column into a field, e.g. --map "Lead E-mail=lead_email" (nothing after = '
                             'ignores it); repeatable')
    parser.add_argument("--attachments", metavar="DIR", help="folder holding the files that file columns name")
    parser.add_argument("--user", default=None, help="who the import is recorded as (default: your login name)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from engine.exchange.readers import read_table
    path = Path(args.file)
    try:
        data = path.read_bytes()
        table = read_table(data, path.name)
        opened = open_repository(args)
    except OSError as error:
        print(f"Cannot read {args.file}: {error.strerror}.", file=sys.stderr)
        return 1
    except EngineError as error:
        print(explain(error), file=sys.stderr)
        return 1
    try:
        return _import(args, opened, table)
    finally:
        opened.stores.close()


def _import(args, opened, table) -> int:
    from engine.exchange.plan import plan_import
    from engine.exchange.report import report_lines
    from engine.access.accounts import Accounts
    from engine.records import open_records
    from engine.store.places import site_place
    people = Accounts(site_place(opened.stores.paths))
    records = open_records(opened.stores, opened.instance, opened.rtype, people=people)
    folder = Path(args.attachments) if args.attachments else None
    if folder is not None and not folder.is_dir():
        print(f"There is no folder {folder} (--attachments).", file=sys.stderr)
        return 1
    try:
        options = _options(args, opened, table)
    except EngineError as error:
        print(f"{error}\nNothing was imported.", file=sys.stderr)
        return 1
    started = time.perf_counter()
    with _bar(args, len(table.rows), "Checking") as bar:
        plan = plan_import(records, table, folder, bar.update, options)
    for line in report_lines(plan, every_row=args.dry_run):
        print(line)
    if args.dry_run:
        print("Dry run: nothing was written.")
        return 0 if plan.ok else 1
    return _write(args, opened, records, plan, started)


def _options(args, opened, table):
    """The import's options: the column choices remembered on the import page, then ``--map`` over them
    (each naming a column of the file and a field), ``--update``, and the site's accounts."""
    from engine.access.accounts import Accounts
    from engine.exchange.columns import header_key
    from engine.exchange.matching import known_choices, read_choice
    from engine.exchange.people import account_finder
    from engine.exchange.plan import ImportOptions
    from engine.exchange.remembered import RememberedColumns
    from engine.store.places import site_place
    place = site_place(opened.stores.paths)
    columns = known_choices(opened.rtype, RememberedColumns(place, opened.instance.name, opened.rtype.name).load())
    headers = {header_key(header) for header in table.headers}
    for given in args.map:
        header, name = read_choice(opened.rtype, given, update=args.update)
        if header_key(header) not in headers:
            raise EngineError(f"--map '{given}': {table.name} has no column '{header}'. "
                              f"Its columns: {', '.join(h for h in table.headers if h)}")
        columns[header_key(header)] = name
    return ImportOptions(columns=columns, update=args.update,
                         people=account_finder(Accounts(place).users()),
                         history=True)      # the command line is run by the people who run the site


def _write(args, opened, records, plan, started: float) -> int:
    from engine.exchange.applying import carry_out_all
    from engine.exchange.write import ImportRefused
    try:
        with _bar(args, plan.writes, "Writing") as bar:
            outcome = carry_out_all(plan, records, user=args.user or _login_name(),
                                    skip_invalid=args.skip_invalid, progress=bar.update)
    except ImportRefused as refused:
        for problem in refused.problems if plan.ok else ():      # found only while writing: not yet shown
            print(f"Row {problem.row}, column {problem.column}: {problem.message}")
        print(f"{refused} Fix the file and import it again"
              f"{'' if plan.missing else ', or use --skip-invalid to import the rows without problems'}.")
        return 1
    except EngineError as error:
        print(f"Nothing was imported: {explain(error)}")
        return 1
    print(f"{outcome.message} in {opened.instance.name} / {opened.rtype.name} "
          f"in {time.perf_counter() - started:.1f} s.")
    return SKIPPED_ROWS if len(plan.good) < len(plan.rows) else 0


def _login_name() -> str:
    """Who is running the command; some containers have no user name to give."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "import"


def _bar(args, total: int, what: str):
    """A progress bar on standard error, only when someone is watching it."""
    from tqdm import tqdm
    return tqdm(total=total, desc=what, unit=" rows", file=sys.stderr, leave=False,
                disable=args.quiet or not sys.stderr.isatty())
