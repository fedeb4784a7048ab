"""The field-type registry: ``default_registry()`` holds the built-in types, registered as an extension would.

An extension adds a type the same way: ``registry.register(MyType)`` with a ``FieldType`` subclass; a name
already taken is refused.
"""
from __future__ import annotations

from engine.fields.base import CellError, FieldType, FieldTypeRegistry
from engine.fields.choices import ChoiceType, MultichoiceType, TagsType
from engine.fields.dates import DateType
from engine.fields.files import FileType
from engine.fields.links import EmailType, ReferenceType, UrlType
from engine.fields.numeric import BooleanType, NumberType
from engine.fields.text import PersonType, TextareaType, TextType

#: In the order docs/schema-language.md lists them.
BUILTIN_TYPES: tuple[type[FieldType], ...] = (
    TextType, TextareaType, NumberType, DateType, ChoiceType, MultichoiceType, BooleanType,
    EmailType, UrlType, PersonType, TagsType, FileType, ReferenceType,
)


def default_registry() -> FieldTypeRegistry:
    """A new registry holding every built-in field type (a new one each call: registries live on the app)."""
    registry = FieldTypeRegistry()
    for field_type in BUILTIN_TYPES:
        registry.register(field_type)
    return registry


__all__ = ["BUILTIN_TYPES", "CellError", "FieldType", "FieldTypeRegistry", "default_registry"]
