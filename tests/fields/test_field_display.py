"""Displaying values: escaped HTML for the record page and plain text for lists, in the NHS.UK style."""
from __future__ import annotations

import pytest
from markupsafe import Markup

from fieldkit import PRIORITIES, REGISTRY, SAMPLES, make_field
from engine.schema.model import Choice

SCRIPT = "<script>alert(1)</script>"
HOSTILE_CHOICES = (Choice("x", SCRIPT),)

#: A value of each type carrying a script, as a hostile submitter or an old import might store it.
HOSTILE = {
    "text": ({}, SCRIPT),
    "textarea": ({}, f"{SCRIPT}\n\n{SCRIPT}"),
    "number": ({}, SCRIPT),
    "date": ({}, SCRIPT),
    "choice": ({"choices": HOSTILE_CHOICES}, "x"),
    "multichoice": ({"choices": HOSTILE_CHOICES}, ["x", SCRIPT]),
    "boolean": ({}, True),
    "email": ({}, f"{SCRIPT}@example.org"),
    "url": ({}, f"https://example.org/{SCRIPT}"),
    "person": ({}, SCRIPT),
    "tags": ({}, [SCRIPT]),
    "file": ({}, [SCRIPT]),
    "reference": ({"target": "qi-project"}, SCRIPT),
}


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_display_escapes_markup_in_every_type(kind):
    keys, value = HOSTILE[kind.name]
    field = make_field(kind.name, **keys)
    html = field.kind.display(field, value)
    assert isinstance(html, Markup)
    assert "<script" not in html


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_an_empty_value_displays_as_nothing(kind):
    field = make_field(kind.name, **SAMPLES[kind.name][0])
    assert field.kind.display(field, None) == "" and field.kind.display_text(field, None) == ""


#: type, field keys, stored value, HTML on the record page, plain text
SHOWN = [
    ("text", {}, "Falls & trips", "Falls &amp; trips", "Falls & trips"),
    ("textarea", {}, "Aims\nline two\n\nMethod", "<p>Aims<br>line two</p><p>Method</p>",
     "Aims\nline two\n\nMethod"),
    ("number", {}, 1234, "1,234", "1,234"),
    ("number", {}, 0.1 + 0.2, "0.3", "0.3"),
    ("date", {}, "2026-03-05", "5 March 2026", "5 March 2026"),
    ("choice", {"choices": PRIORITIES}, "medium", "Medium", "Medium"),
    ("multichoice", {"choices": PRIORITIES}, ["low", "high"],
     '<ul class="nhsuk-list nhsuk-list--bullet"><li>Low</li><li>High</li></ul>', "Low, High"),
    ("boolean", {}, True, "Yes", "Yes"),
    ("boolean", {}, False, "No", "No"),
    ("email", {}, "ann@nhs.net", '<a href="mailto:ann@nhs.net">ann@nhs.net</a>', "ann@nhs.net"),
    ("url", {}, "https://www.nhs.uk/?a=1&b=2",
     '<a href="https://www.nhs.uk/?a=1&amp;b=2" rel="noopener noreferrer">https://www.nhs.uk/?a=1&amp;b=2</a>',
     "https://www.nhs.uk/?a=1&b=2"),
    ("url", {}, "javascript:alert(1)", "javascript:alert(1)", "javascript:alert(1)"),
    ("person", {}, "Ann Lee", "Ann Lee", "Ann Lee"),
    ("tags", {}, ["sepsis", "falls"], '<ul class="nhsuk-list app-tag-list"><li>sepsis</li><li>falls</li></ul>',
     "sepsis, falls"),
    ("file", {"multiple": True}, ["a", "b"], "2 files", "2 files"),
    ("file", {}, ["a"], "1 file", "1 file"),
    ("reference", {"target": "qi-project", "multiple": True}, ["QI-0001", "QI-0002"], "QI-0001, QI-0002",
     "QI-0001, QI-0002"),
]


@pytest.mark.parametrize("type_name, keys, value, html, text", SHOWN, ids=[f"{s[0]}-{i}" for i, s in enumerate(SHOWN)])
def test_values_are_shown_as_people_read_them(type_name, keys, value, html, text):
    field = make_field(type_name, **keys)
    assert str(field.kind.display(field, value)) == html
    assert field.kind.display_text(field, value) == text


@pytest.mark.parametrize("type_name, keys, value, words", [
    ("choice", {"choices": PRIORITIES}, "high", "high"),
    ("multichoice", {"choices": PRIORITIES}, ["low", "high"], "low high"),
    ("tags", {}, ["Sepsis"], "sepsis"),
    ("reference", {"target": "qi-project"}, "QI-0001", "qi-0001"),
    ("textarea", {}, "Reduce FALLS", "reduce falls"),
])
def test_free_text_search_sees_what_readers_see(type_name, keys, value, words):
    field = make_field(type_name, **keys)
    assert field.kind.searchable
    assert all(word in field.kind.search_text(field, value).casefold() for word in words.split())
