"""Reading a JSON export (``{"repository": ..., "records": [...]}``, or a bare list of records) into the same
header-and-rows grid a spreadsheet gives, so JSON goes through the same column matching, cell conversion and
report as CSV and XLSX: a record's keys are the columns (field names), its values the cells.
"""
from __future__ import annotations

import json
from typing import Any


class NotRecords(ValueError):
    """The JSON is readable but does not hold a list of records; the message says what was expected."""


def json_grid(data: bytes) -> list[list[Any]]:
    """A header row (every key, in first-seen order) and one row per record; ``ValueError`` when the bytes
    are not JSON, ``NotRecords`` when it is JSON of another shape."""
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except RecursionError:      # thousands of nested brackets: the parser gives up with this, not ValueError
        raise ValueError("it is nested too deeply to be a list of records") from None
    records = loaded.get("records") if isinstance(loaded, dict) else loaded
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise NotRecords('a list of records, or {"records": [...]} as an export writes it')
    headers = list(dict.fromkeys(key for record in records for key in record))
    return [headers, *([_cell(record.get(key)) for key in headers] for record in records)]


def _cell(value: Any) -> Any:
    """Lists stay lists (field types read them as several values); nested objects are not field values."""
    if isinstance(value, dict):
        return json.dumps(value)
    return value
