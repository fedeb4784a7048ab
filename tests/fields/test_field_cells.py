"""Spreadsheet cells: what exports write, what imports read, and the messages for cells that cannot be read."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from fieldkit import PRIORITIES, REGISTRY, SAMPLES, make_field
from engine.fields import CellError

QI = {"target": "qi-project"}


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_every_value_survives_an_export_and_import(kind):
    keys, values = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    for value in values:
        cell = field.kind.to_cell(field, value)
        assert isinstance(cell, (str, int, float, bool, date))
        assert field.kind.from_cell(field, cell) == value, "XLSX keeps the cell's type"
        assert field.kind.from_cell(field, str(cell)) == value, "CSV makes every cell text"


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_an_empty_value_is_an_empty_cell_and_back(kind):
    field = make_field(kind.name, **SAMPLES[kind.name][0])
    assert field.kind.to_cell(field, None) is None
    assert field.kind.from_cell(field, None) is None
    assert field.kind.from_cell(field, "   ") is None


#: type, field keys, stored value, the cell written
WRITTEN = [
    ("date", {}, "2026-03-05", date(2026, 3, 5)),
    ("number", {}, 1234, 1234),
    ("boolean", {}, True, "Yes"),
    ("boolean", {}, False, "No"),
    ("choice", {"choices": PRIORITIES}, "high", "High"),
    ("multichoice", {"choices": PRIORITIES}, ["low", "high"], "Low; High"),
    ("tags", {}, ["sepsis", "falls"], "sepsis; falls"),
    ("reference", {**QI, "multiple": True}, ["QI-0001", "QI-0002"], "QI-0001; QI-0002"),
]


@pytest.mark.parametrize("type_name, keys, value, cell", WRITTEN, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRITTEN)])
def test_exports_write_cells_a_spreadsheet_understands(type_name, keys, value, cell):
    field = make_field(type_name, **keys)
    assert field.kind.to_cell(field, value) == cell


#: type, field keys, the cell as a spreadsheet or CSV gives it, the stored value
READ = [
    ("date", {}, "05/03/2026", "2026-03-05"),
    ("date", {}, "5/3/2026", "2026-03-05"),
    ("date", {}, "2026-03-05", "2026-03-05"),
    ("date", {}, "2026-03-05 00:00:00", "2026-03-05"),
    ("date", {}, "5 March 2026", "2026-03-05"),
    ("date", {}, "5 Mar 2026", "2026-03-05"),
    ("date", {}, datetime(2026, 3, 5, 14, 30), "2026-03-05"),
    ("date", {}, 45658, "2025-01-01"),
    ("date", {}, 45658.75, "2025-01-01"),
    ("number", {}, "1,234.5", 1234.5),
    ("number", {}, " 12 ", 12),
    ("number", {}, 12.0, 12),
    ("number", {"integer": True}, "7.0", 7),
    ("boolean", {}, "Y", True),
    ("boolean", {}, "no", False),
    ("boolean", {}, "TRUE", True),
    ("boolean", {}, 0, False),
    ("boolean", {}, 1, True),
    ("choice", {"choices": PRIORITIES}, "MEDIUM", "medium"),
    ("choice", {"choices": PRIORITIES}, " high ", "high"),
    ("multichoice", {"choices": PRIORITIES}, "High;low; high", ["high", "low"]),
    ("tags", {}, "sepsis; falls, Sepsis", ["sepsis", "falls"]),
    ("reference", QI, " qi-0001 ", "QI-0001"),
    ("reference", {**QI, "multiple": True}, "QI-0001;QI-0002", ["QI-0001", "QI-0002"]),
    ("text", {}, 2024.0, "2024"),
    ("url", {}, "HTTPS://www.nhs.uk", "https://www.nhs.uk"),
]


@pytest.mark.parametrize("type_name, keys, cell, value", READ, ids=[f"{r[0]}-{i}" for i, r in enumerate(READ)])
def test_imports_read_cells_the_ways_people_write_them(type_name, keys, cell, value):
    field = make_field(type_name, **keys)
    assert field.kind.from_cell(field, cell) == value


#: type, field keys, a cell that cannot be read, the message in the import report
REFUSED = [
    ("date", {}, "31/02/2025", "'31/02/2025' is not a real date"),
    ("date", {}, "2025-02-29", "'2025-02-29' is not a real date"),
    ("date", {}, "soon", "'soon' is not a date: write it like 31/12/2025 or 2025-12-31"),
    ("number", {}, "about 12", "'about 12' is not a number"),
    ("number", {}, True, "'True' is not a number"),
    ("number", {"integer": True}, 2.5, "'2.5' is not a whole number"),
    ("boolean", {}, "perhaps", "'perhaps' is not Yes or No"),
    ("choice", {"choices": PRIORITIES}, "Urgent", "'Urgent' is not one of the options: Low, Medium, High"),
    ("multichoice", {"choices": PRIORITIES}, "low; urgent", "'urgent' is not one of the options: Low, Medium, High"),
    ("reference", QI, "QI-0001; QI-0002", "'QI-0001; QI-0002' names more than one record; this column takes one"),
    ("reference", QI, "project 1", "'project 1' is not a record reference like QI-0001"),
]


@pytest.mark.parametrize("type_name, keys, cell, message", REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)])
def test_a_cell_that_cannot_be_read_says_why_in_the_users_terms(type_name, keys, cell, message):
    field = make_field(type_name, **keys)
    with pytest.raises(CellError) as refused:
        field.kind.from_cell(field, cell)
    assert str(refused.value) == message
