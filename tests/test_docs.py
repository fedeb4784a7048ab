"""docs/schema-language.md documents every field type and every key the meta-schemas accept."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.fields import default_registry
from engine.schema.checks import COMMON_KEYS

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "schema-language.md").read_text(encoding="utf-8")
META = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "schemas" / "meta").glob("*.json"))]


def keys_of(schema) -> set[str]:
    """Every key an author can write: the property names found anywhere in a meta-schema."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= set(schema.get("properties", {}))
        for value in schema.values():
            found |= keys_of(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= keys_of(item)
    return found


META_KEYS = sorted(set().union(*(keys_of(schema) for schema in META)))
REGISTRY = default_registry()
TYPE_KEYS = sorted(COMMON_KEYS | {option for kind in REGISTRY for option in kind.options})


def test_the_meta_schemas_name_the_keys_of_every_part():
    for key in ("reference_prefix", "required_when", "choices", "columns", "closed", "organisation", "target"):
        assert key in META_KEYS


@pytest.mark.parametrize("type_name", REGISTRY.names())
def test_every_field_type_has_its_own_section_with_an_example(type_name):
    section = re.search(rf"^#### `{type_name}`\n(.*?)(?=^#)", DOC, re.S | re.M)
    assert section, f"no '#### `{type_name}`' section in docs/schema-language.md"
    assert f"type: {type_name}" in section.group(1), f"the `{type_name}` section has no example"


@pytest.mark.parametrize("key", sorted(set(META_KEYS) | set(TYPE_KEYS)))
def test_every_key_is_documented(key):
    assert f"`{key}`" in DOC, f"key '{key}' is not documented in docs/schema-language.md"
