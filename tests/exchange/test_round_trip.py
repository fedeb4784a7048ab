"""The export is the import template: an export imported into an empty instance gives back every record, every
field of every type, statuses, references, creation dates and creators, and the attached files."""
from __future__ import annotations

import pytest

from exchangekit import FULL

FORMATS = ("csv", "xlsx", "json")
TYPES = ["text", "textarea", "number", "date", "choice", "multichoice", "boolean", "email", "url", "person",
         "tags", "file", "reference"]


@pytest.fixture(params=FORMATS)
def round_trip(request, site, empty, cli, tmp_path):
    """Fill one instance, export it with its files, import the file into an empty one; both stores."""
    site.fill()
    exported = tmp_path / f"tracker.{request.param}"
    status, _, err = cli("export", "qi", "tracker", "-o", str(exported), "--attachments", str(tmp_path / "files"))
    assert status == 0, err
    status, out, err = cli("import", "qi", "tracker", str(exported), "--attachments", str(tmp_path / "files"),
                           "--user", "importer", data="other-data")
    assert status == 0, out + err
    assert "Imported 3 records" in out
    return site.store, empty.store, request.param


def test_the_round_trip_covers_every_field_type(site):
    assert sorted({field.type_name for field in site.rtype.fields}) == sorted(TYPES)


@pytest.mark.parametrize("type_name", TYPES)
def test_every_field_type_comes_back_the_same(round_trip, site, type_name):
    before, after, _ = round_trip
    field, = [f for f in site.rtype.fields if f.type_name == type_name]
    for reference in ("QI-0001", "QI-0002", "QI-0003"):
        original, imported = before.get(reference), after.get(reference)
        if field.kind.holds_files:      # new ids, the same files
            assert _files(before, reference) == _files(after, reference)
        else:
            assert imported.values.get(field.name) == original.values.get(field.name), reference


def test_system_fields_come_back_the_same(round_trip):
    before, after, fmt = round_trip
    for original in before.iter_all():
        imported = after.get(original.reference)
        assert (imported.status, imported.created_by) == (original.status, original.created_by)
        # Spreadsheets show times to the second; JSON keeps the stored time whole.
        assert imported.created == (original.created if fmt == "json" else original.created.replace(microsecond=0))
        assert imported.updated_by == "importer"
    assert after.count() == before.count() == 3


def test_values_that_look_like_formulas_come_back_as_typed(round_trip):
    _, after, _ = round_trip
    assert after.get("QI-0001").values["title"] == FULL[0]["title"]
    assert after.get("QI-0002").values["title"] == "@Falls: fewer falls"
    assert after.get("QI-0002").values["lead"] == "-Bob Smith"


def test_new_records_after_a_round_trip_continue_after_the_imported_references(round_trip, empty):
    assert empty.records.create({"title": "Next"}, user="ann").reference == "QI-0004"


def _files(store, reference):
    found = []
    for attachment in store.attachments(reference):
        _, stream = store.open_attachment(reference, attachment.id)
        with stream:
            found.append((attachment.field, attachment.filename, stream.read()))
    return found
