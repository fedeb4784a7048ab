"""Each type's JSON Schema fragment accepts good values and refuses bad ones, and the refusal is worded for users."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from fieldkit import PRIORITIES, make_field

#: type, field keys, values that must pass, values that must be refused
CASES = [
    ("text", {}, ["Falls audit", "x" * 250], ["x" * 251, 5, None, ["a"]]),
    ("text", {"min_length": 3, "max_length": 5}, ["abc", "abcde"], ["ab", "abcdef"]),
    ("textarea", {}, ["x" * 20000, "a\nb"], ["x" * 20001, 1]),
    ("number", {}, [0, 2.5, -3], ["1", True, None]),
    ("number", {"integer": True, "minimum": 0, "maximum": 10}, [0, 10, 5], [-1, 11, 2.5, "5"]),
    ("date", {}, ["2025-02-28", "2024-02-29"],
     ["2025-02-29", "2025-13-01", "2025-2-3", "05/03/2025", "20250305", "2025-W10-1", 20250305, "2025-03-05\n"]),
    ("choice", {"choices": PRIORITIES}, ["low", "high"], ["Low", "urgent", "", ["low"]]),
    ("multichoice", {"choices": PRIORITIES}, [["low", "high"], []], [["low", "low"], ["urgent"], "low"]),
    ("multichoice", {"choices": PRIORITIES, "minimum": 1, "maximum": 2}, [["low"], ["low", "high"]],
     [[], ["low", "medium", "high"]]),
    ("boolean", {}, [True, False], ["yes", 1, None]),
    ("email", {}, ["ann.lee@nhs.net", "a+b@example.co.uk"],
     ["ann@nhs", "not an email", "a b@nhs.net", "@nhs.net", "ann@nhs.net\n"]),
    ("url", {}, ["https://www.nhs.uk/a?b=1", "http://intranet.example.org"],
     ["javascript:alert(1)", "ftp://files.example.org", "www.nhs.uk", "https://", "https:// x.org",
      "https://www.nhs.uk\n"]),
    ("person", {}, ["Ann Lee"], ["x" * 201, 7]),
    ("tags", {}, [["sepsis", "falls"], []], [[""], [" "], ["a", "a"], "sepsis", ["x" * 101]]),
    ("tags", {"maximum": 2}, [["a", "b"]], [["a", "b", "c"]]),
    ("file", {}, [["a1b2"], []], [["a1b2", "c3d4"], [""], "a1b2"]),
    ("file", {"multiple": True}, [["a1b2", "c3d4"]], [["a1b2", "a1b2"]]),
    ("reference", {"target": "qi-project"}, ["QI-0001", "AB1-12345"],
     ["qi-0001", "QI-1", "QI0001", ["QI-0001"], "QI-0001\n", "QI-" + "9" * 10]),
    ("reference", {"target": "qi-project", "multiple": True}, [["QI-0001", "QI-0002"]],
     ["QI-0001", ["QI-0001", "QI-0001"], ["QI-1"]]),
]


def validator(field):
    return Draft202012Validator(field.kind.json_schema(field), format_checker=FormatChecker())


@pytest.mark.parametrize("type_name, keys, good, bad", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_schema_accepts_good_values_and_refuses_bad_ones(type_name, keys, good, bad):
    field = make_field(type_name, **keys)
    Draft202012Validator.check_schema(field.kind.json_schema(field))
    checker = validator(field)
    assert [v for v in good if not checker.is_valid(v)] == []
    assert [v for v in bad if checker.is_valid(v)] == []


#: type, field keys, a refused value, the message the user sees
MESSAGES = [
    ("text", {}, "x" * 251, "Project title must be 250 characters or fewer"),
    ("text", {"min_length": 10}, "short", "Project title must be 10 characters or more"),
    ("number", {"integer": True}, 2.5, "Project title must be a whole number"),
    ("number", {"minimum": 1, "maximum": 1000}, 1001, "Project title must be between 1 and 1,000"),
    ("number", {"minimum": 0}, -1, "Project title must be 0 or more"),
    ("date", {}, "2025-02-31", "Project title must be a real date"),
    ("date", {"minimum": "2020-01-01"}, "2019-12-31", "Project title must be the same as or after 1 January 2020"),
    ("date", {"minimum": "2020-01-01", "maximum": "2020-12-31"}, "2021-01-01",
     "Project title must be between 1 January 2020 and 31 December 2020"),
    ("choice", {"choices": PRIORITIES}, "urgent", "Select project title from the options given"),
    ("multichoice", {"choices": PRIORITIES, "maximum": 1}, ["low", "high"],
     "Select no more than 1 option for project title"),
    ("email", {}, "ann@nhs", "Enter project title in the correct format, like name@example.com"),
    ("url", {}, "www.nhs.uk", "Enter project title starting with https:// or http://, like https://www.nhs.uk"),
    ("tags", {"maximum": 1}, ["a", "b"], "Enter no more than 1 entry for project title"),
    ("file", {}, ["a", "b"], "Project title can hold only one file: remove one before adding another"),
    ("reference", {"target": "qi-project"}, "QI-1", "Select project title from the list of records"),
]


@pytest.mark.parametrize("type_name, keys, value, message", MESSAGES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MESSAGES)])
def test_a_refused_value_is_explained_in_the_users_words(type_name, keys, value, message):
    field = make_field(type_name, label="Project title", **keys)
    assert field.kind.problem(field, value) == message


def test_an_acceptable_value_has_no_problem():
    field = make_field("date", minimum="2020-01-01")
    assert field.kind.problem(field, "2020-01-01") is None
