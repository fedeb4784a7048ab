"""Which fields of a repository type search looks in, and how much a match in each counts.

The field type says both (``FieldType.searchable``, ``FieldType.search_weight``); the YAML may say otherwise
per field (``searchable: false``, ``search_weight: 3``). The field that titles a record counts most of all
unless the YAML gives it a weight. A file field is searched through the text of its files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.schema.model import Field, RepositoryType

#: A record's title: what people remember and type first.
TITLE_WEIGHT = 5.0


@dataclass(frozen=True)
class Searched:
    field: "Field"
    weight: float

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def files(self) -> bool:
        return self.field.kind.holds_files


def weight(rtype: "RepositoryType", field: "Field") -> float:
    if not field.searchable:
        return 0.0
    if field.search_weight is not None:
        return float(field.search_weight)
    return TITLE_WEIGHT if field.name == rtype.record_title else field.kind.search_weight


def searched_fields(rtype: "RepositoryType") -> tuple[Searched, ...]:
    """The searched fields, the heaviest first (snippets look there first)."""
    found = [Searched(field, weight(rtype, field)) for field in rtype.fields]
    return tuple(sorted((one for one in found if one.weight > 0), key=lambda one: -one.weight))
