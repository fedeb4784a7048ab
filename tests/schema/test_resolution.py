"""A valid project passes `repo-engine check`; `extends` and instance adaptations resolve into merged types."""
from __future__ import annotations

import dataclasses

import pytest

from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.conditions import Term
from engine.schema.model import Source

GUIDELINE = """\
name: guideline
title: Local guideline
title_plural: Local guidelines
reference_prefix: GL
fields:
  - name: title
    type: text
    label: Guideline title
    required: true
  - name: category
    type: choice
    label: Category
    choices: [Clinical, Non-clinical]
  - name: review_date
    type: date
    label: Review date
statuses:
  - Draft
  - {name: Published, closed: false}
  - {name: Withdrawn, closed: true, help: No longer in use.}
listing:
  facets: [status, category]
"""


def test_check_passes_a_valid_project_and_says_what_it_checked(check):
    code, lines = check()
    assert (code, lines) == (0, ["3 repository types, 2 instances, every repository's data read from the "
                                 "embedded store: no problems found"])


def test_a_new_repository_type_needs_only_a_yaml_file(project, check):
    project.write("schemas/guideline.yaml", GUIDELINE)
    project.write("instances/governance/instance.yaml", "title: Governance\nrepositories: [guideline]\n")
    code, lines = check()
    assert (code, lines) == (0, ["4 repository types, 3 instances, every repository's data read from the "
                                 "embedded store: no problems found"])
    guideline = load_project(project.paths, default_registry()).instances["governance"].repository("guideline")
    assert guideline.status_names == ("Draft", "Published", "Withdrawn")
    assert guideline.closed_statuses == ("Withdrawn",)
    assert guideline.record_title == "title"
    assert guideline.listing.columns == ("reference", "title", "status", "updated")
    assert guideline.field("review_date").kind.name == "date"


@pytest.fixture
def loaded(project):
    return load_project(project.paths, default_registry())


def test_extends_appends_places_changes_and_drops_fields(loaded):
    research = loaded.types["research"]
    assert [f.name for f in research.fields] == [
        "title", "ethics_reference", "division", "outcomes", "related", "shared"]
    assert research.field("division").choice_values == ("Cancer", "Cardiology")
    assert research.extends == "qi"
    assert (research.title, research.reference_prefix) == ("Research project", "RP")
    assert research.status_names == ("Proposed", "In progress", "Completed")


def test_an_adapting_instance_sees_the_merged_type(loaded):
    team = loaded.instances["team"]
    research = team.repository("research")
    assert research.field("funder").label == "Funder"
    assert research.field("division").choice_values == ("Cancer", "Cardiology")
    assert "compliance" not in research.field_map
    assert loaded.types["research"].field_map.keys() == research.field_map.keys() - {"funder"}


def test_an_instance_can_host_an_adapted_type_under_its_own_name(project):
    project.edit("instances/solo/instance.yaml", "repositories: [audit]",
                 "repositories:\n  - audit\n  - {extends: audit, name: local-audit, reference_prefix: LA, drop_fields: [title]}")
    solo = load_project(project.paths, default_registry()).instances["solo"]
    assert [r.name for r in solo.repositories] == ["audit", "local-audit"]
    assert solo.repository("local-audit").fields == ()
    assert solo.repository("local-audit").record_title == "reference"


def test_resolved_types_are_frozen_typed_and_know_where_they_were_written(loaded):
    qi = loaded.types["qi"]
    title = qi.field("title")
    assert title.kind is not None and title.kind.name == "text"
    assert title.source == Source("schemas/qi.yaml", 9)
    assert qi.field("compliance").minimum == 0 and qi.field("compliance").maximum == 100
    assert qi.field("outcomes").required_when == Term("status", "in", ("Completed",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        title.label = "Changed"
    with pytest.raises(TypeError):
        loaded.types["new"] = qi


def test_an_inherited_field_keeps_the_line_of_its_parent_file(loaded):
    research = loaded.types["research"]
    assert research.field("title").source == Source("schemas/qi.yaml", 9)
    assert research.field("ethics_reference").source == Source("schemas/research.yaml", 7)
