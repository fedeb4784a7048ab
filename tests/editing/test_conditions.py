"""Conditions: every form the YAML may take decided by one code (``Condition.holds``) and said in words."""
from __future__ import annotations

import pytest

from engine.schema.conditions import parse_condition

LABELS = {"methodology": "Methodology", "budget": "Budget", "end_date": "End date", "domains": "Domains"}

CASES = [
    # (condition as written, values, holds)
    ({"methodology": "Other"}, {"methodology": "Other"}, True),
    ({"methodology": "Other"}, {"methodology": "Lean"}, False),
    ({"methodology": ["Lean", "Other"]}, {"methodology": "Lean"}, True),
    ({"methodology": {"one_of": ["Lean", "Other"]}}, {"methodology": "PDSA"}, False),
    ({"methodology": {"not": "Lean"}}, {"methodology": "PDSA"}, True),
    ({"methodology": {"not": "Lean"}}, {"methodology": "Lean"}, False),
    ({"methodology": {"not": "Lean"}}, {}, True),                            # empty is not Lean
    ({"methodology": {"not": ["Lean", "PDSA"]}}, {"methodology": "PDSA"}, False),
    ({"domains": "Safe"}, {"domains": ["Effective", "Safe"]}, True),         # a list matches on any item
    ({"domains": {"not": "Safe"}}, {"domains": ["Effective", "Safe"]}, False),
    ({"end_date": {"empty": True}}, {"end_date": None}, True),
    ({"end_date": {"empty": True}}, {"end_date": ""}, True),
    ({"end_date": {"empty": False}}, {"end_date": "2026-01-01"}, True),
    ({"domains": {"empty": True}}, {"domains": []}, True),
    ({"budget": {"greater_than": 5000}}, {"budget": 5000.5}, True),
    ({"budget": {"greater_than": 5000}}, {"budget": 5000}, False),
    ({"budget": {"at_least": 5000}}, {"budget": 5000}, True),
    ({"budget": {"less_than": 10}}, {"budget": None}, False),                # empty never compares
    ({"budget": {"at_most": 10}}, {"budget": "9"}, False),                   # text is not a number
    ({"end_date": {"less_than": "2026-04-01"}}, {"end_date": "2026-03-31"}, True),
    ({"end_date": {"at_least": "2026-04-01"}}, {"end_date": "2026-03-31"}, False),
    ({"budget": {"greater_than": 10, "less_than": 20}}, {"budget": 15}, True),
    ({"budget": {"greater_than": 10, "less_than": 20}}, {"budget": 25}, False),
    ({"any": [{"status": "Completed"}, {"budget": {"greater_than": 100}}]}, {"status": "Proposed", "budget": 200}, True),
    ({"any": [{"status": "Completed"}, {"budget": {"greater_than": 100}}]}, {"status": "Proposed", "budget": 2}, False),
    ({"all": [{"status": "Completed"}, {"methodology": "Lean"}]}, {"status": "Completed", "methodology": "Lean"}, True),
    ({"all": [{"status": "Completed"}, {"methodology": "Lean"}]}, {"status": "Completed", "methodology": "PDSA"}, False),
    ({"status": "Completed", "any": [{"methodology": "Lean"}, {"budget": {"empty": False}}]},
     {"status": "Completed", "budget": 1}, True),
]


@pytest.mark.parametrize("written, values, expected", CASES)
def test_each_condition_form_holds_when_it_should(written, values, expected):
    assert parse_condition(written).holds(values) is expected


@pytest.mark.parametrize("written, words", [
    ({"methodology": "Other"}, "methodology is Other"),
    ({"methodology": ["Lean", "Other"]}, "methodology is Lean or Other"),
    ({"methodology": {"not": "Lean"}}, "methodology is not Lean"),
    ({"methodology": {"not": ["Lean", "PDSA"]}}, "methodology is none of Lean, PDSA"),
    ({"end_date": {"empty": False}}, "end date is filled in"),
    ({"budget": {"greater_than": 5000}}, "budget is more than 5000"),
    ({"any": [{"status": "Completed"}, {"all": [{"methodology": "Lean"}, {"budget": {"at_most": 3}}]}]},
     "status is Completed or (methodology is Lean and budget is at most 3)"),
])
def test_a_condition_says_itself_in_words(written, words):
    assert parse_condition(written).describe(LABELS) == words


def test_a_condition_names_every_field_it_reads_once():
    condition = parse_condition({"any": [{"status": "Completed"}, {"budget": {"greater_than": 1}}],
                                 "budget": {"less_than": 9}})
    assert condition.field_names == ("status", "budget")
