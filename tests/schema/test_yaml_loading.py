"""Reading YAML for schemas: plain data, the line of every key, and words authors understand."""
from __future__ import annotations

import pytest

from engine.schema.yamlfile import YamlProblem, load_document


def load(tmp_path, text):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def test_every_key_and_item_knows_its_line(tmp_path):
    doc = load(tmp_path, "name: qi\nfields:\n  - name: title\n    label: Title\n  - name: aim\n")
    assert doc.data == {"name": "qi", "fields": [{"name": "title", "label": "Title"}, {"name": "aim"}]}
    assert doc.line(("fields", 0, "label")) == 4
    assert doc.line(("fields", 1)) == 5
    assert doc.line(("fields", 1, "type")) == 5     # a missing key: the line of its mapping


def test_only_true_and_false_are_booleans_and_dates_stay_text(tmp_path):
    doc = load(tmp_path, "choices: [Yes, No, On]\nmin: 2025-01-31\nrequired: true\n")
    assert doc.data == {"choices": ["Yes", "No", "On"], "min": "2025-01-31", "required": True}


@pytest.mark.parametrize("text, line, words", [
    ("a: 1\nb:\n\t- x\n", 3, "tab characters are not allowed for indentation"),
    ("a: 1\na: 2\n", 2, "duplicate key 'a' (first given on line 1)"),
    ("a: [1, 2\n", 1, "YAML syntax error"),
    ("# only a comment\n", 1, "the file is empty"),
])
def test_unreadable_files_say_where_and_why(tmp_path, text, line, words):
    with pytest.raises(YamlProblem) as raised:
        load(tmp_path, text)
    assert raised.value.line == line
    assert words in str(raised.value)
