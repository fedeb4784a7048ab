"""The registry: every built-in type is complete and documented, and names are never registered twice."""
from __future__ import annotations

import pytest
from wtforms.fields.core import UnboundField

from engine.fields import FieldType, default_registry
from fieldkit import REGISTRY, SAMPLES, make_field

DOCUMENTED_TYPES = ("text textarea number date choice multichoice boolean email url person tags file "
                    "reference").split()


def test_the_registry_holds_every_type_the_schema_language_documents():
    assert REGISTRY.names() == tuple(DOCUMENTED_TYPES)


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_every_type_is_documented_and_complete(kind: FieldType):
    cls = type(kind)
    assert (cls.__dict__.get("__doc__") or "").strip(), f"{cls.__name__} has no docstring"
    assert cls.json_schema is not FieldType.json_schema, f"{kind.name} has no json_schema of its own"
    assert cls.form_field is not FieldType.form_field, f"{kind.name} has no form_field"
    assert kind.template and kind.template != "default"
    assert kind.required_options <= kind.options
    keys, _ = SAMPLES[kind.name]
    assert isinstance(kind.form_field(make_field(kind.name, **keys)), UnboundField)


def test_registering_a_name_twice_is_refused(registry):
    class AnotherText(FieldType):
        """A second text type."""
        name = "text"

    with pytest.raises(ValueError, match="'text' is registered twice"):
        registry.register(AnotherText)
    assert type(registry["text"]).__name__ == "TextType"


def test_an_extension_registers_its_own_type_the_same_way(registry):
    class ColourType(FieldType):
        """A colour such as #005eb8."""
        name = "colour"

        def json_schema(self, field):
            return {"type": "string", "pattern": "^#[0-9a-f]{6}$"}

    registry.register(ColourType)
    assert "colour" in registry and registry.names()[-1] == "colour"


def test_each_call_builds_a_fresh_registry_so_apps_do_not_share_state():
    first, second = default_registry(), default_registry()
    assert first is not second and first["text"] is not second["text"]


@pytest.mark.parametrize("type_name, verb", [("text", "Enter"), ("date", "Enter"), ("choice", "Select"),
                                             ("multichoice", "Select"), ("reference", "Select"),
                                             ("file", "Upload")])
def test_a_required_field_left_empty_is_asked_for_with_the_right_verb(type_name, verb):
    assert REGISTRY[type_name].missing_verb == verb
