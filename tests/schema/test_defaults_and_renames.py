"""What a type may leave out (``title_plural``, ``reference_prefix``), and renames and retirement as the
language writes them and the model holds them."""
from __future__ import annotations

import pytest

from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.build import default_prefix, plural_title
from engine.schema.model import Choice

MINIMAL = """\
name: {name}
title: {title}
fields: [{{name: title, type: text, label: Title}}]
statuses: [Open]
"""


@pytest.mark.parametrize("title, plural", [
    ("Evidence search", "Evidence searches"),
    ("Policy", "Policies"),
    ("Analysis", "Analyses"),
    ("Clinical audit", "Clinical audits"),
    ("Quality improvement study", "Quality improvement studies"),
    ("Patient safety incident review", "Patient safety incident reviews"),
    ("PDSA", "PDSAs"),
])
def test_the_plural_title_makes_the_last_word_plural_and_keeps_the_rest(title, plural):
    assert plural_title(title) == plural


@pytest.mark.parametrize("name, prefix", [
    ("clinical-audit", "CA"), ("qi-project", "QP"), ("guideline", "GUI"), ("qi", "QI"),
    ("local-safety-standard-for-invasive-procedures", "LSSFIP"),
])
def test_the_reference_prefix_defaults_to_the_initials_of_the_name(name, prefix):
    assert default_prefix(name) == prefix


def test_a_type_may_leave_out_its_plural_title_and_reference_prefix(project):
    project.write("schemas/evidence-search.yaml", MINIMAL.format(name="evidence-search", title="Evidence search"))
    project.write("instances/library/instance.yaml", "title: Library\nrepositories: [evidence-search]\n")
    search = load_project(project.paths, default_registry()).types["evidence-search"]
    assert (search.title_plural, search.reference_prefix) == ("Evidence searches", "ES")


def test_a_child_with_its_own_title_gets_its_own_plural_and_keeps_its_parents_prefix(project):
    project.write("schemas/review.yaml", "name: review\nextends: audit\ntitle: Policy review\n")
    loaded = load_project(project.paths, default_registry())
    assert (loaded.types["review"].title_plural, loaded.types["review"].reference_prefix) == ("Policy reviews", "AU")
    research = loaded.instances["team"].repository("research")
    assert research.title_plural == "Research projects"


def test_a_field_and_its_choices_can_be_renamed_and_retired(project):
    project.edit("schemas/qi.yaml", "    choices: [Medicine, Surgery]",
                 "    renamed_from: directorate\n"
                 "    choices:\n"
                 "      - {value: Medicine, renamed_from: [Medical, Acute medicine]}\n"
                 "      - {value: Surgery, label: Surgery and theatres}\n"
                 "      - {value: Estates, retired: true}\n"
                 "  - name: old_code\n"
                 "    type: text\n"
                 "    label: Old code\n"
                 "    retired: true")
    division = load_project(project.paths, default_registry()).types["qi"].field("division")
    assert division.renamed_from == ("directorate",)
    assert division.choices == (Choice("Medicine", "Medicine", renamed_from=("Medical", "Acute medicine")),
                                Choice("Surgery", "Surgery and theatres"), Choice("Estates", "Estates", retired=True))
    assert [c.value for c in division.offered_choices] == ["Medicine", "Surgery"]
    assert load_project(project.paths, default_registry()).types["qi"].field("old_code").retired


def test_an_adaptation_can_retire_a_field_and_rename_one_it_drops(project):
    project.edit("instances/team/instance.yaml", "    fields: [{name: funder, type: text, label: Funder}]",
                 "    fields:\n"
                 "      - {name: funder, type: text, label: Funder}\n"
                 "      - {name: results, type: textarea, label: Results, renamed_from: outcomes}\n"
                 "    drop_fields: [outcomes]\n"
                 "    change_fields:\n"
                 "      shared: {retired: true}\n"
                 "      division: {choices: [Cancer, {value: Cardiology, retired: true, renamed_from: Heart}]}")
    research = load_project(project.paths, default_registry()).instances["team"].repository("research")
    assert research.field("results").renamed_from == ("outcomes",)
    assert "outcomes" not in research.field_map
    assert research.field("shared").retired
    assert research.field("shared").default is None      # a retired field asks nothing of a new record
    assert research.field("division").choices[1] == Choice("Cardiology", "Cardiology", True, ("Heart",))
    assert research.revision != load_project(project.paths, default_registry()).types["research"].revision
