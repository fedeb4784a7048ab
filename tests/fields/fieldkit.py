"""Shared test data for field types: the registry, sample values per type, hand-built fields, one-field forms."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form

from engine.fields import default_registry
from engine.schema.model import Choice, Field

REGISTRY = default_registry()

PRIORITIES = (Choice("low", "Low"), Choice("medium", "Medium"), Choice("high", "High"))

#: For every built-in type: the keys of a typical field and present values in ascending sort order.
SAMPLES: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "text": ({}, ["apple", "Banana", "cherry"]),
    "textarea": ({}, ["Aims\n\nMethod", "background", "Conclusion"]),
    "number": ({}, [-1.5, 2, 1234]),
    "date": ({}, ["2024-12-31", "2025-01-01", "2025-03-05"]),
    "choice": ({"choices": PRIORITIES}, ["low", "medium", "high"]),
    "multichoice": ({"choices": PRIORITIES}, [["low"], ["low", "high"], ["medium"]]),
    "boolean": ({}, [False, True]),
    "email": ({}, ["ann.lee@nhs.net", "bob@example.org"]),
    "url": ({}, ["https://a.example.org", "https://www.nhs.uk/conditions/?q=1"]),
    "person": ({}, ["Ann Lee", "bob Smith"]),
    "tags": ({}, [["falls"], ["sepsis", "audit"]]),
    "file": ({"multiple": True}, [["a1b2"], ["a1b2", "c3d4"]]),
    "reference": ({"target": "qi-project"}, ["QI-0002", "QI-9999", "QI-10000"]),
}


def make_field(type_name: str, label: str = "Label", help: str = "", **keys: Any) -> Field:
    """A field as the schema loader would build it from ``- {name: f, type: <type_name>, ...keys}``."""
    return Field(name="f", type_name=type_name, label=label, kind=REGISTRY[type_name], help=help, **keys)


def bind(field: Field, formdata: dict[str, Any] | None = None, data: Any = None):
    """A form holding just this field, posted with ``formdata`` (a browser's POST) or filled with ``data``."""
    form_class = type("OneFieldForm", (Form,), {field.name: field.kind.form_field(field)})
    posted = None if formdata is None else MultiDict(formdata)
    form = form_class(formdata=posted, data=None if data is None else {field.name: data})
    return form, form[field.name]
