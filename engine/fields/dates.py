"""The date field type, and reading dates the ways people write them: cells, URL filters and ranges."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from engine.fields.base import CellError, FieldType
from engine.fields.conditions import Condition, Terms, Within
from engine.fields.formfields import DateInputField
from engine.fields.values import cell_text, is_blank, quoted, split_range, whole

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field

DATE_PATTERN = whole(r"\d{4}-\d{2}-\d{2}")


def _any_case(word: str) -> str:
    """``word`` as a JSON Schema pattern that matches it in any case, as ``strptime`` reads month names (JSON
    Schema's patterns take no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


#: The month names the readers take (``_MONTHS``, ``_WORDS``: ``strptime``'s %B and %b, and "Sept"), in any case.
_MONTH_NAMES = "(?:" + "|".join(_any_case(name) for name in dict.fromkeys(
    [*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"])) + ")"
_DAY, _MONTH = "(?:0?[1-9]|[12][0-9]|3[01])", "(?:0?[1-9]|1[0-2])"
#: The shapes a date filter is written in, as the readers take them: a day (2025-03-31, 31/03/2025, 31 March
#: 2025), a month (2025-03, March 2025) or a year. A day past its month's end (31/02/2025) has the shape, and
#: the reader refuses it ("not a real date").
FILTER_SHAPES = (
    {"pattern": rf"^\d{{4}}-{_MONTH}-{_DAY}$"},
    {"pattern": rf"^{_DAY}/{_MONTH}/\d{{4}}$"},
    {"pattern": rf"^({_DAY} )?{_MONTH_NAMES} \d{{4}}$"},
    {"pattern": rf"^\d{{4}}-{_MONTH}$"},
    {"pattern": r"^\d{4}$"},
)
FILTER_WORDS = "a day (2025-03-31, 31/03/2025 or 31 March 2025), a month (2025-03 or March 2025) or a year (2025)"
#: Day 0 of Excel's (1900) date system, allowing for its pretend 29 February 1900.
EXCEL_EPOCH = date(1899, 12, 30)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]*)?")
_UK = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: [\d:.]*)?")
_WORDS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")
#: A month without a day ("May 2024"): a date field takes its first day, a filter the whole month.
_MONTHS = ("%B %Y", "%b %Y")
#: "1st May 2023", "May 22nd, 2023": the suffix and the comma go before the words are read.
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)
#: What a month alone looks like ("May 2024", "Sept, 2024"): checked before the slower strptime is tried.
_MONTH_ALONE = re.compile(r"[A-Za-z]{3,9}\.?,?\s+\d{4}")
#: An Excel serial date that reached a CSV as text (45658 or 45658.75): five digits, never a year.
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def long_date(day: date) -> str:
    """5 March 2026, as the NHS.UK style guide writes dates."""
    return f"{day.day} {day:%B %Y}"


def as_date(value: Any) -> date | None:
    """A stored ISO value as a date; None when empty or unreadable (old or hand-edited data)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and re.match(DATE_PATTERN, value) else None
    except ValueError:
        return None


def read_date(cell: Any) -> date:
    """A date from a spreadsheet cell: date/datetime objects, Excel serial numbers, 31/12/2025 (day first, as
    the UK writes it: 03/04/2023 is 3 April), 2025-12-31, 31 December 2025, 1st May 2023, or a month alone
    (May 2024, its first day). ``CellError`` says whether the text is no date at all or an impossible one."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 0 < cell < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(cell))
    text = cell_text(cell)
    if _SERIAL.fullmatch(text):
        return read_date(float(text))
    parts = _numeric_parts(text)
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            raise CellError(f"{quoted(text)} is not a real date") from None
    day = _in_words(text, _WORDS) or _in_words(text, _MONTHS)
    if day is None:
        raise CellError(f"{quoted(text)} is not a date: write it like 31/12/2025 or 2025-12-31")
    return day


def _in_words(text: str, patterns: tuple[str, ...]) -> date | None:
    plain = _SEPT.sub("Sep", " ".join(_ORDINAL.sub("", text.replace(",", " ")).split()))
    for pattern in patterns:
        try:
            return datetime.strptime(plain, pattern).date()
        except ValueError:
            pass
    return None


def how_read(cell: Any) -> str | None:
    """How a cell that could mean another date was read: 03/04/2023 (3 April here, 4 March in the US) and a
    month without a day; None for a cell that can mean one date only."""
    text = cell_text(cell) if isinstance(cell, str) else ""
    uk = _UK.fullmatch(text)
    ambiguous = uk and int(uk[1]) <= 12 and int(uk[2]) <= 12 and int(uk[1]) != int(uk[2])
    if not (ambiguous or (_MONTH_ALONE.fullmatch(text) and _in_words(text, _MONTHS))):
        return None
    try:
        return f"{quoted(text)} read as {long_date(read_date(text))}"
    except CellError:
        return None


def _numeric_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from ISO or UK day-first text; None when the text has neither shape."""
    if match := _ISO.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if match := _UK.fullmatch(text):
        return int(match[3]), int(match[2]), int(match[1])
    return None


@dataclass(frozen=True)
class DateRange:
    """A date filter: both ends included, either open. ``words`` is the phrase it was asked in, when that
    reads better than its two ends: 'is in 2025' for a whole year, 'from 1 January 2025 to 31 March 2025'
    for two dates typed in the filter panel."""
    start: date | None
    end: date | None
    words: str = ""

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        if self.words:
            return self.words
        if self.start and self.end:
            return f"is between {long_date(self.start)} and {long_date(self.end)}"
        if self.start:
            return f"is on or after {long_date(self.start)}"
        return f"is on or before {long_date(self.end)}"


def read_period(raw: str) -> DateRange:
    """``2025`` (a year), ``2025-03`` (a month) or ``2025-03-01`` / ``01/03/2025`` (a day)."""
    text = raw.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return DateRange(date(int(text), 1, 1), date(int(text), 12, 31), f"is in {text}")
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return _whole_month(date(int(match[1]), int(match[2]), 1))
    except ValueError:
        raise CellError(f"{quoted(text)} is not a real date") from None
    if month := _in_words(text, _MONTHS):       # "May 2024" is the month, not its first day
        return _whole_month(month)
    day = read_date(text)
    return DateRange(day, day, f"is on {long_date(day)}")


def _whole_month(first: date) -> DateRange:
    """The month ``first`` opens. Made from the date itself, not text: ``%Y`` writes the year 99 as "99",
    which no reader takes back."""
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return DateRange(first, last, f"is in {first:%B %Y}")


def read_date_filter(raw: str) -> DateRange:
    """A period, or a range of periods ``2025-01..2025-06`` with either side left open."""
    ends = split_range(raw)
    if ends is None:
        return read_period(raw)
    if not any(ends):
        raise CellError(f"{quoted(raw)} is not a date or a range like 2025-01-01..2025-06-30")
    start, end = _ends(*ends)
    if start and end and start > end:
        raise CellError(f"{quoted(raw)} ends before it starts")
    return DateRange(start, end)


def read_typed_range(start: str, end: str) -> DateRange:
    """The filter panel's From and To boxes, either left empty: From counts from the first day of what it
    names (a day, a month or a year), To up to the last day of its own."""
    if not (start.strip() or end.strip()):
        raise CellError("Enter a from date, a to date or both")
    first, last = _ends(start, end)
    if first and last and first > last:
        raise CellError(f"the to date ({long_date(last)}) is before the from date ({long_date(first)})")
    words = f"from {long_date(first)} to {long_date(last)}" if first and last else ""
    return DateRange(first, last, words)


def _ends(start: str, end: str) -> tuple[date | None, date | None]:
    """The first day of ``start``'s period and the last day of ``end``'s; an empty side is left open."""
    return (read_period(start).start if start.strip() else None,
            read_period(end).end if end.strip() else None)


class DateType(FieldType):
    """A calendar date, such as when a project started; ``min``/``max`` (ISO dates) bound it. Stored as
    ``YYYY-MM-DD``, entered in day, month and year boxes, shown as 5 March 2026, faceted by year."""

    name = "date"
    options = frozenset({"min", "max"})
    facetable = True
    template = "date"

    def json_schema(self, field: Field) -> dict[str, Any]:
        # The pattern pins the shape; format "date" (checked by FormatChecker) refuses 2025-02-31.
        return {"type": "string", "pattern": DATE_PATTERN, "format": "date"}

    def invalid_message(self, field: Field, value: Any) -> str:
        return f"{field.label} must be a real date"

    def check(self, field: Field, value: Any) -> str | None:
        day, earliest, latest = as_date(value), as_date(field.minimum), as_date(field.maximum)
        if day is None:
            return None
        if earliest and latest and not earliest <= day <= latest:
            return f"{field.label} must be between {long_date(earliest)} and {long_date(latest)}"
        if earliest and day < earliest:
            return f"{field.label} must be the same as or after {long_date(earliest)}"
        if latest and day > latest:
            return f"{field.label} must be the same as or before {long_date(latest)}"
        return None

    def form_field(self, field: Field) -> UnboundField:
        return DateInputField(field.label, description=field.help)

    def from_form(self, field: Field, data: Any) -> str | None:
        return data.isoformat() if isinstance(data, date) else None

    def to_form(self, field: Field, value: Any) -> date | None:
        return as_date(value)

    def display_text(self, field: Field, value: Any) -> str:
        day = as_date(value)
        return long_date(day) if day else super().display_text(field, value)

    def facet_keys(self, field: Field, value: Any) -> Iterable[str]:
        day = as_date(value)
        return (str(day.year),) if day else ()

    def parse_filter(self, field: Field, raw: str) -> DateRange:
        return read_date_filter(raw)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        # What the browse page's filter and its From and To boxes read, so a browse URL works as an API query:
        # the shapes are described; whether such a day exists (31/02/2025) is the reader's to say.
        return {"type": "string", "anyOf": list(FILTER_SHAPES), "description": FILTER_WORDS}

    ranged = True
    #: What the filter panel's From and To boxes take (``parse_range_filter``), said under them.
    range_hint = "From, to or both: each a date like 31/12/2025, a month like 2025-03 or a year"

    def parse_range_filter(self, field: Field, start: str, end: str) -> DateRange:
        """``?<field>_from=&<field>_to=``, the filter panel's From and To boxes (``read_typed_range``)."""
        return read_typed_range(start, end)

    def matches(self, field: Field, value: Any, wanted: DateRange) -> bool:
        day = as_date(value)
        return day is not None and wanted.contains(day)

    def filter_terms(self, field: Field, value: Any) -> Terms:
        """The day as its number (``date.toordinal``), so a range of days is a range of numbers."""
        day = as_date(value)
        return Terms(point=day.toordinal() if day else None)

    def filter_condition(self, field: Field, wanted: DateRange) -> Condition:
        return Within(*(None if end is None else end.toordinal() for end in (wanted.start, wanted.end)))

    def describe_filter(self, field: Field, wanted: DateRange) -> str:
        return wanted.describe()

    def sort_key(self, field: Field, value: Any) -> Any:
        day = as_date(value)
        return (0, day.isoformat()) if day else (1, "")

    def to_cell(self, field: Field, value: Any) -> date | None:
        return as_date(value)

    def from_cell(self, field: Field, cell: Any) -> str | None:
        return None if is_blank(cell) else read_date(cell).isoformat()

    def cell_reading(self, field: Field, cell: Any) -> str | None:
        """What an import's report says of a cell that could mean another date ("'03/04/2023' read as
        3 April 2023"), so the person sees the day-first reading before anything is written."""
        return how_read(cell)
