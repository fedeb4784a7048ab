"""The one rule for text: control characters go (C0 but tab and line breaks, DEL, C1), everything else stays."""
from __future__ import annotations

import pytest

from engine.fields.values import without_controls


@pytest.mark.parametrize("sent, kept", [
    ("a\x00b", "ab"),
    ("bell\x07", "bell"),
    ("esc\x1b[31mred", "esc[31mred"),
    ("del\x7f", "del"),
    ("vt\x0bff\x0c", "vtff"),
    ("next line\x85 and CSI\x9b and \x80\x9f", "next line and CSI and "),
    ("tab\tnew line\nreturn\r", "tab\tnew line\nreturn\r"),
    ("\U0001F469\u200D\u2695\uFE0F nurse-led \U0001F3E5", "\U0001F469\u200D\u2695\uFE0F nurse-led \U0001F3E5"),
    ("\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"),
    ("Caf\u00e9 \u00a0\u00ff \u4e2d\u6587", "Caf\u00e9 \u00a0\u00ff \u4e2d\u6587"),
    ("Ward \u202eevil\u202c 12 zero\u200bwidth\ufeff", "Ward \u202eevil\u202c 12 zero\u200bwidth\ufeff"),
    ("half \ud83d of an emoji\udfff and \ud800\udc00 two halves", "half  of an emoji and  two halves"),
])
def test_only_control_characters_are_dropped(sent, kept):
    assert without_controls(sent) == kept


def test_every_character_the_rule_drops_and_no_other():
    dropped = {chr(n) for n in range(0x10000) if without_controls(chr(n)) == ""}
    assert dropped == (({chr(n) for n in range(0x20)} - set("\t\n\r")) | {chr(n) for n in range(0x7f, 0xa0)}
                       | {chr(n) for n in range(0xd800, 0xe000)})


def test_text_inside_lists_and_objects_is_cleaned_and_other_values_are_kept():
    values = {"title": "a\x00b", "keywords": ["x\x07", "y"], "pair": ("p\x1b", 1), "budget": 12.5,
              "patient_facing": True, "aim": None}
    assert without_controls(values) == {"title": "ab", "keywords": ["x", "y"], "pair": ("p", 1), "budget": 12.5,
                                        "patient_facing": True, "aim": None}


def test_nesting_no_field_holds_is_left_for_the_validator_to_refuse():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert without_controls({"title": deep}) == {"title": deep}
