"""What the field types derive from a record's values for filters, facet counts and sort in SQL: the five
JSONB columns of its row (``keys``, ``facets``, ``points``, ``texts``, ``sorts``), made at every write.

Each column maps a field's name to what its type says (``FieldType.filter_terms``, ``facet_keys``,
``sort_key``), so that SQL only compares what Python has already decided:

- ``keys``: the exact keys a filter finds the value by (``AnyKey``), searched through a GIN index;
- ``texts``: the folded text a "contains" filter looks in (``Contains``);
- ``points``: a number or a day's number, for a range (``Within``);
- ``facets``: the facet keys the value counts under, each once;
- ``sorts``: ``sortcode.sort_code`` of the sort key, absent for an empty value (empties sort last).

The system filters (status, creator, year created: ``engine.store.query.SYSTEM_FILTERS``) are keys and
facets too, and the people's sort keys (folded as Python folds) sorts: no SQL imitates ``casefold``.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.fields.conditions import string_items
from engine.schema.model import Field, RepositoryType
from engine.store.index import value_of
from engine.store.postgres.sortcode import sort_code
from engine.store.query import SYSTEM_FILTERS

COLUMNS = ("keys", "facets", "points", "texts", "sorts")
#: System fields sorted by a derived key; the others sort by their own column (see ``clauses``).
PEOPLE = ("created_by", "updated_by")


def derive(rtype: RepositoryType, doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The derived columns of the record document ``doc`` (JSON-ready), by column name."""
    derived: dict[str, dict[str, Any]] = {column: {} for column in COLUMNS}
    for field in rtype.fields:
        _derive_field(derived, field, doc.get(field.name))
    for name in SYSTEM_FILTERS:
        value = value_of(doc, name)
        if isinstance(value, str):
            derived["keys"][name] = derived["facets"][name] = [value]
    for name in PEOPLE:
        if doc.get(name) is not None:
            derived["sorts"][name] = sort_code(str(doc[name]).casefold())
    return derived


def _derive_field(derived: dict[str, dict[str, Any]], field: Field, value: Any) -> None:
    kind, name = field.kind, field.name
    terms = kind.filter_terms(field, value)
    if terms.keys:
        derived["keys"][name] = list(terms.keys)
    if terms.text:
        derived["texts"][name] = terms.text
    if terms.point is not None:
        derived["points"][name] = terms.point
    if kind.facetable:
        keys = list(string_items(kind.facet_keys(field, value)))
        if keys:
            derived["facets"][name] = keys
    if not kind.is_empty(value):
        try:
            derived["sorts"][name] = sort_code(kind.sort_key(field, value))
        except (AttributeError, TypeError, ValueError):
            # A stored value no form makes (a tags list holding a number) has no sort key: the embedded
            # store fails to sort by it, and a write must not fail for it. Without a code it sorts last.
            pass
