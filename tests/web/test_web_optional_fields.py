"""The form says "(optional)" after the label of every field that may be left empty, as NHS.UK forms do; a
field required under a condition is not marked while that condition holds. Email and name boxes tell a
phone which keyboard and which saved answers to offer."""
from __future__ import annotations

import json

import pytest

from daykit import PROJECTS, SEARCHES, chris, day_app, improvement_project, store  # noqa: F401
from engine.web.forms import negated
from webpages import html


def label_text(page, field: str) -> str:
    """What a field's label or legend says as the page is served, a hidden mark left out."""
    node = page.select_one(f"#field-{field} legend") or page.select_one(f"label[for={field}]")
    for hidden in node.select("[hidden]"):
        hidden.decompose()
    return node.get_text(" ", strip=True)


@pytest.mark.parametrize("field, shown", [
    ("title", "Project title"),                          # required
    ("aim", "Aim"),
    ("division", "Division"),
    ("start_date", "Start date"),
    ("cqc_domains", "Quality domains (optional)"),       # checkboxes
    ("lead_email", "Project lead's email (optional)"),
    ("team", "Project team (optional)"),                 # keywords typed in one box
    ("specialty", "Specialty or service (optional)"),    # a long list: a drop-down
    ("expected_end_date", "Expected end date (optional)"),
    ("documents", "Project documents (optional)"),
])
def test_a_field_that_may_be_left_empty_says_so_after_its_label(chris, field, shown):
    assert label_text(html(chris.get(PROJECTS + "new")), field) == shown


def test_a_yes_or_no_checkbox_is_never_marked_it_is_answered_either_way(client):
    """tests/web's own type: 'Patient facing' is one checkbox, unticked meaning no."""
    page = html(client.get("/qi/qi-project/new"))
    assert page.select_one("label[for=patient_facing]").get_text(strip=True) == "Patient facing"


def test_a_field_shown_only_when_it_is_required_is_never_marked(chris):
    """'Other method' is asked for, and required, when the method is Other: no "(optional)" would ever be seen."""
    for method in ("Other", "Lean"):
        page = html(chris.post(PROJECTS + "new", data=improvement_project(title="", methodology=method)))
        assert page.select_one("label[for=methodology_other]").get_text(" ", strip=True) == "Other method"


def test_a_conditional_mark_carries_the_opposite_of_its_condition_for_the_browser(chris, day_app):
    """The librarian is required once a search is In progress or Completed: the mark shows while it is not."""
    page = html(chris.get(SEARCHES + "new"))
    mark = page.select_one("label[for=librarian] .app-optional")
    assert not mark.has_attr("hidden")
    assert json.loads(mark["data-show-when"]) == {"field": "status", "op": "not_in",
                                                  "values": ["In progress", "Completed"]}


@pytest.mark.parametrize("status, shown", [("Received", "Librarian (optional)"), ("In progress", "Librarian")])
def test_a_field_required_by_the_status_is_marked_by_the_status_the_record_has(chris, day_app, status, shown):
    """An evidence search needs its librarian once it is In progress; before that the field is optional."""
    store(day_app, "evidence-search").insert({"topic": "Falls", "question": "Do hip protectors help?"},
                                            user="cjones", status=status)
    assert label_text(html(chris.get(SEARCHES + "ES-0001/edit")), "librarian") == shown


def test_an_email_box_is_an_email_input_and_a_name_box_offers_saved_names(chris):
    page = html(chris.get(PROJECTS + "new"))
    email = page.select_one("input#lead_email")
    assert (email["type"], email["autocomplete"], email["spellcheck"]) == ("email", "email", "false")
    assert page.select_one("input#project_lead")["autocomplete"] == "name"
    assert page.select_one("input#title")["type"] == "text"


@pytest.mark.parametrize("condition, opposite", [
    ({"field": "status", "op": "in", "values": ["Completed"]},
     {"field": "status", "op": "not_in", "values": ["Completed"]}),
    ({"field": "end_date", "op": "filled", "values": []}, {"field": "end_date", "op": "empty", "values": []}),
    ({"field": "cost", "op": "greater_than", "values": [5000]},       # an empty cost is not more than 5000
     {"any": [{"field": "cost", "op": "empty", "values": []}, {"field": "cost", "op": "at_most", "values": [5000]}]}),
    ({"all": [{"field": "status", "op": "in", "values": ["Completed"]}, {"field": "shared", "op": "in", "values": [True]}]},
     {"any": [{"field": "status", "op": "not_in", "values": ["Completed"]},
              {"field": "shared", "op": "not_in", "values": [True]}]}),
])
def test_the_opposite_of_a_condition_is_given_to_the_browser_in_its_own_terms(condition, opposite):
    assert negated(condition) == opposite
