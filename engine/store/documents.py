"""The stored shape of records, versions and attachments, and their conversion to ``engine.store.base`` values.

A record is stored as one flat JSON object: the system fields beside the field values (field names can never
be system names, the schema forbids it), so plain TinyDB queries such as ``where("division") == "Surgery"``
work on the same file. Timestamps are ISO 8601 strings in UTC with an explicit offset.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Mapping

from engine.errors import ValidationFailed
from engine.store.base import Attachment, Comment, Record

#: The revision of the repository type (``RepositoryType.revision``) a record was last written under.
TYPE_REVISION = "type_revision"
#: Keys of a stored record that are not field values.
SYSTEM_KEYS = frozenset({"reference", "status", "created", "created_by", "updated", "updated_by", "version",
                         "deleted", TYPE_REVISION})


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """A timezone-aware ISO string; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    # Fixed width, so that stored timestamps sort as text in time order.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def format_reference(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


def reference_number(reference: str) -> int | None:
    """``QI-0042`` -> 42; None when the text is not a reference."""
    _, _, digits = reference.rpartition("-")
    # At most 18 digits: no reference is longer, and int() of a hostile 5,000-digit address would raise.
    return int(digits) if digits.isdigit() and digits.isascii() and len(digits) <= 18 else None


def field_values(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in doc.items() if name not in SYSTEM_KEYS}


def to_record(doc: Mapping[str, Any]) -> Record:
    return Record(
        reference=doc["reference"],
        status=doc["status"],
        created=parse_stamp(doc["created"]),
        created_by=doc["created_by"],
        updated=parse_stamp(doc["updated"]),
        updated_by=doc["updated_by"],
        version=doc["version"],
        values=field_values(doc),
        deleted=bool(doc.get("deleted")),
        type_revision=doc.get(TYPE_REVISION) or "",
    )


def to_attachment(doc: Mapping[str, Any]) -> Attachment:
    return Attachment(
        id=doc["id"], reference=doc["reference"], field=doc["field"], filename=doc["filename"],
        content_type=doc["content_type"], size=doc["size"], sha256=doc["sha256"],
        uploaded=parse_stamp(doc["uploaded"]), uploaded_by=doc["uploaded_by"],
    )


def to_comment(doc: Mapping[str, Any]) -> Comment:
    return Comment(id=doc["id"], reference=doc["reference"], text=doc["text"], by=doc["by"],
                   at=parse_stamp(doc["at"]))


def attachment_doc(attachment: Attachment, reference: str) -> dict[str, Any]:
    return {
        "id": attachment.id, "reference": reference, "field": attachment.field, "filename": attachment.filename,
        "content_type": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256,
        "uploaded": stamp(attachment.uploaded), "uploaded_by": attachment.uploaded_by,
    }


def storable_values(values: Mapping[str, Any], label_of: Mapping[str, str]) -> dict[str, Any]:
    """The values as they will read back from disk (tuples become lists, empty values are dropped).

    Refuses, before anything is written, what JSON cannot hold faithfully: objects it cannot encode,
    NaN and infinities, non-string keys, and names reserved for system fields.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        label = label_of.get(name, name)
        if not isinstance(name, str) or name in SYSTEM_KEYS:
            errors[str(name)] = f"{label} is not a field of this repository"
            continue
        if value is None:
            continue
        try:
            cleaned[name] = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError):
            errors[name] = f"{label} holds a value that cannot be saved"
    if errors:
        raise ValidationFailed(errors)
    return cleaned
