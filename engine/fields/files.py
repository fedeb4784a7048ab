"""The file field type: documents attached to a record. The value is the list of the attachments' ids."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from flask_wtf.file import FileField, MultipleFileField

from engine.fields.base import FieldType
from engine.fields.conditions import Condition, Terms, yes_no_condition, yes_no_keys
from engine.fields.formfields import AcceptedFiles
from engine.fields.numeric import read_yes_no
from engine.fields.values import as_list, join_cell, split_cell
from engine.store.attachments import KINDS
from engine.store.base import Upload

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field

DEFAULT_MAX_SIZE_MB = 20
#: The kinds of file the store recognises, by extension and by the content type it serves them with, as a
#: reader calls them: "Word document", not application/vnd.openxmlformats-officedocument...
_BY_EXTENSION = {extension: kind.name for extension, kind in KINDS.items()}
_BY_CONTENT_TYPE = {kind.content_type: kind.name for kind in KINDS.values()}


class FileType(FieldType):
    """Documents such as a project report or poster; ``accept`` lists extensions, ``max_size_mb`` (default 20)
    bounds each file, ``multiple: true`` allows several. ``Records`` keeps the value: it appends the ids of
    files uploaded with a save and drops removed ones, so the form never sets it (``from_form`` is None)."""

    name = "file"
    options = frozenset({"accept", "max_size_mb", "multiple"})
    template = "file"
    missing_verb = "Upload"
    holds_files = True
    searchable = True           # the text of its files, extracted when uploaded, counting least of all
    search_weight = 0.5

    def json_schema(self, field: Field) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}
        if not field.multiple:
            schema["maxItems"] = 1
        return schema

    def invalid_message(self, field: Field, value: Any) -> str:
        if not field.multiple and isinstance(value, list) and len(value) > 1:
            return f"{field.label} can hold only one file: remove one before adding another"
        return f"{field.label} must list attached files"

    def form_field(self, field: Field) -> UnboundField:
        form_class = MultipleFileField if field.multiple else FileField
        accept = {"accept": ",".join(field.accept)} if field.accept else None
        checks = [AcceptedFiles(field.accept, field.max_size_mb or DEFAULT_MAX_SIZE_MB)]
        return form_class(field.label, description=field.help, validators=checks, render_kw=accept)

    def from_form(self, field: Field, data: Any) -> None:
        return None

    def to_form(self, field: Field, value: Any) -> None:
        return None     # browsers never pre-fill a file input

    def uploads(self, field: Field, data: Any) -> list[Upload]:
        return [Upload(filename=item.filename, stream=item.stream, content_type=item.mimetype or None)
                for item in as_list(data) if getattr(item, "filename", "")]

    def file_kind(self, filename: str, content_type: str | None) -> str:
        """What a reader calls an attached file: "Word document", "PDF", "Text file"; "File" when unknown."""
        extension = os.path.splitext(filename)[1].lower()
        name = _BY_EXTENSION.get(extension) or _BY_CONTENT_TYPE.get(content_type or "") or "file"
        return name[:1].upper() + name[1:]

    def display_text(self, field: Field, value: Any) -> str:
        count = len(as_list(value))
        return "" if not count else ("1 file" if count == 1 else f"{count} files")

    def search_text(self, field: Field, value: Any) -> str:
        return ""

    def facet_keys(self, field: Field, value: Any) -> tuple[str, ...]:
        return ()

    def parse_filter(self, field: Field, raw: str) -> bool:
        """``?report=yes``: records that have (or with ``no``, lack) a file in this field."""
        return read_yes_no(raw)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        """``true``: records with a file in this field; ``false``: those without."""
        return {"type": "boolean"}

    def matches(self, field: Field, value: Any, wanted: bool) -> bool:
        return bool(as_list(value)) == wanted

    def filter_terms(self, field: Field, value: Any) -> Terms:
        """Every record has a key, "no" included: a filter for records without files must find the ones
        that never had the field."""
        return Terms(keys=yes_no_keys(bool(as_list(value))))

    def filter_condition(self, field: Field, wanted: Any) -> Condition:
        return yes_no_condition(wanted)

    def describe_filter(self, field: Field, wanted: bool) -> str:
        return "has files" if wanted else "has no files"

    def sort_key(self, field: Field, value: Any) -> Any:
        count = len(as_list(value))
        return (0, count) if count else (1, 0)

    def to_cell(self, field: Field, value: Any) -> str | None:
        return join_cell(as_list(value))

    def from_cell(self, field: Field, cell: Any) -> list[str] | None:
        return split_cell(cell) or None
