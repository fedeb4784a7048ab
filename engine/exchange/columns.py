"""The spreadsheet columns of a repository: system columns then one per field, their headers, and how a file's
headers are matched to them on import.

Field cells are converted only by the field-type registry (``to_cell``/``from_cell``); this module adds the
system columns (Reference, Status, Created, Created by, Updated, Updated by, and Version, which an import
reads only when it updates records and an export never writes), the guard that keeps Excel
from running a cell as a formula, and drops control characters (``without_controls``) from every cell read
and written: a record stored before the rule with one in it still exports, and a worksheet never refuses it.

Records keep usernames. An export given people's names (``display_names``) writes Created by and Updated by as
people are shown on the pages ("Chris Jones"), each after a column of the usernames ("Created by (username)");
an import reads the first of those two columns the file has, so a file exported here imports back with the
accounts it names, and a file from before (or a tracker's) still has its Created by read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from engine.fields.base import CellError
from engine.fields.dates import EXCEL_EPOCH, read_date
from engine.access.policy import User
from engine.fields.values import cell_text, is_blank, lower_first, quoted, without_controls
from engine.schema.model import Field, RepositoryType
from engine.store.base import Record

#: Times in a spreadsheet are the trust's local time, as SharePoint exports them.
LOCAL = ZoneInfo("Europe/London")
#: Cells starting with these run as formulas in Excel (CSV injection); exports put an apostrophe first.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
_VERSION = re.compile(r"[0-9]{1,9}")
_TIME = re.compile(r"(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?")
#: ``names(username)``: the name a person is shown by, for the Created by and Updated by cells of an export.
Names = Callable[[str], str]
USERNAME_HEADER = "{} (username)"


def display_names(users: Iterable[User]) -> Names:
    """Usernames to display names over ``users`` (``Accounts.users()``, read once for a whole export); a name
    no account has (an imported record's creator, the samples' "seed") is shown as it is."""
    known = {user.username: user.display_name for user in users}
    return lambda username: known.get(username, username)


@dataclass(frozen=True)
class Column:
    """One spreadsheet column. ``field`` is None for a system column; ``imported`` says whether an import
    reads it (Updated and Updated by are set by the engine when the import is written), and
    ``unread_because`` why not, as the report words it."""
    name: str
    label: str
    field: Field | None = None
    imported: bool = True
    unread_because: str = "set by the engine when the import is written"
    names: Names | None = dc_field(default=None, compare=False)    # a people column shown by display name

    @property
    def holds_files(self) -> bool:
        return self.field is not None and self.field.kind.holds_files

    def cell(self, record: Record, value: Any = None) -> Any:
        """The cell written for ``record``; ``value`` replaces the stored value (file names for file ids)."""
        if self.field is None:
            stored = record[self.name]
            shown = self.names(stored) if self.names and stored else stored
            return without_controls(SYSTEM_WRITERS[self.name](shown))
        stored = record.values.get(self.name) if value is None else value
        return guard(without_controls(self.field.kind.to_cell(self.field, stored)))

    def read(self, cell: Any, rtype: RepositoryType) -> Any:
        """The stored value of a cell; ``CellError`` with the message for the import report. Control
        characters go first, as ``Records`` drops them when the row is written: the report checks and
        shows what will be stored."""
        cell = unguard(without_controls(cell))
        if self.field is None:
            return None if is_blank(cell) else SYSTEM_READERS[self.name](cell, rtype)
        return self.field.kind.from_cell(self.field, cell)

    def reading(self, cell: Any) -> str | None:
        """How the field's type read a cell a person might have meant otherwise ("'03/04/2023' read as
        3 April 2023"), for the report; None when there is nothing to say (``FieldType.cell_reading``: most types
        read every cell one way only, and say nothing)."""
        return self.asks(self.field, unguard(without_controls(cell))) if self.asks else None

    @cached_property
    def asks(self) -> Callable[[Field, Any], str | None] | None:
        """The type's ``cell_reading``; a system column has none. Looked up once per column, not once per cell."""
        return self.field.kind.cell_reading if self.field is not None else None


def columns_of(rtype: RepositoryType, names: Names | None = None) -> tuple[Column, ...]:
    """The system columns then one per field; with ``names`` (an export's), the people columns as the module
    says: usernames, then the names people are shown by."""
    system = (Column("reference", "Reference"), Column("status", "Status"), Column("created", "Created"),
              *_people("created_by", "Created by", names), Column("updated", "Updated", imported=False),
              *_people("updated_by", "Updated by", names, imported=False))
    # A retired field is exported with the values records keep, but no longer filled in by an import.
    return system + tuple(Column(f.name, f.label, f, imported=not f.retired) for f in rtype.fields)


def _people(name: str, label: str, names: Names | None, imported: bool = True) -> tuple[Column, ...]:
    if names is None:
        return (Column(name, label, imported=imported),)
    return (Column(name, USERNAME_HEADER.format(label), imported=imported),
            Column(name, label, imported=imported, names=names))


def import_columns(rtype: RepositoryType, *, update: bool = False) -> tuple[Column, ...]:
    """The columns an import matches headers to: the export's, the usernames' headers beside Created by and
    Updated by (whichever of the two comes first in a file is read), and Version, which says what version of
    the record an update started from (an export leaves it out: a new record has none)."""
    version = Column("version", "Version", imported=update,
                     unread_because="read only when updating the records that have the file's references")
    aliases = tuple(Column(column.name, USERNAME_HEADER.format(column.label), imported=column.imported)
                    for column in columns_of(rtype) if column.name in ("created_by", "updated_by"))
    return columns_of(rtype) + aliases + (version,)


def header_key(header: Any) -> str:
    """Headers match whatever their case, spacing, underscores or a stray BOM: 'Start_date ' is 'start date'."""
    text = "" if header is None else str(header).replace("\ufeff", "").replace("_", " ")
    return " ".join(text.split()).casefold()


# -- formulas -------------------------------------------------------------------------------------------------
def guard(cell: Any) -> Any:
    """'=HYPERLINK(...)' is written "'=HYPERLINK(...)" so Excel shows it as text; one more apostrophe
    goes before a cell that already starts with apostrophes and a formula sign, so reading gives it back."""
    return "'" + cell if isinstance(cell, str) and FORMULA_START.match(cell) else cell


def unguard(cell: Any) -> Any:
    return cell[1:] if isinstance(cell, str) and cell.startswith("'") and FORMULA_START.match(cell) else cell


# -- system cells ----------------------------------------------------------------------------------------------
def local_time(moment: datetime) -> datetime:
    """A stored UTC time as the naive local time a spreadsheet shows, to the second."""
    return moment.astimezone(LOCAL).replace(tzinfo=None, microsecond=0)


def read_time(cell: Any, rtype: RepositoryType | None = None) -> datetime:
    """A Created cell: a spreadsheet date-time (local time), an Excel serial, or text like 05/03/2024 14:30,
    2024-03-05T14:30:00 or a date alone (midnight)."""
    if isinstance(cell, datetime):
        moment = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
        moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=float(cell))
    elif isinstance(cell, date):
        moment = datetime.combine(cell, time())
    else:
        moment = _time_from_text(cell_text(cell))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(timezone.utc)


def _time_from_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _TIME.fullmatch(text)
    day_text, clock = (match[1], match.groups()[1:]) if match else (text, ("0", "0", "0"))
    try:
        day = read_date(day_text)
        return datetime.combine(day, time(*(int(part or 0) for part in clock)))
    except (CellError, ValueError):
        raise CellError(f"{quoted(text)} is not a date and time: write it like 31/12/2025 14:30") from None


def read_status(cell: Any, rtype: RepositoryType) -> str:
    wanted = header_key(cell)
    for name in rtype.status_names:
        if header_key(name) == wanted:
            return name
    raise CellError(f"{quoted(cell)} is not a status of {lower_first(rtype.title_plural)}: "
                    f"use one of {', '.join(rtype.status_names)}")


def _text(cell: Any, rtype: RepositoryType | None = None) -> str:
    return cell_text(cell)


def read_version(cell: Any, rtype: RepositoryType | None = None) -> int:
    text = cell_text(cell)
    if not _VERSION.fullmatch(text) or int(text) < 1:
        raise CellError(f"{quoted(cell)} is not a version number: write it as the export does, like 3")
    return int(text)


SYSTEM_WRITERS: dict[str, Callable[[Any], Any]] = {
    "reference": str, "status": str, "created": local_time, "updated": local_time,
    "created_by": guard, "updated_by": guard,
}
SYSTEM_READERS: dict[str, Callable[[Any, RepositoryType], Any]] = {
    "reference": lambda cell, rtype: cell_text(cell).upper(), "status": read_status,
    "created": read_time, "created_by": _text, "version": read_version,
}
