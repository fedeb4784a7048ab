"""`repo-engine check` on a project with one mistake: exit 1, the mistake's file:line, and words naming it."""
from __future__ import annotations

import pytest

QI, RESEARCH = "schemas/qi.yaml", "schemas/research.yaml"
SOLO = "instances/solo/instance.yaml"

# (what the author got wrong, file, line replaced ('' appends), new line, where reported, words in the message)
MISTAKES = [
    ("misspelt key", QI, "    required: true", "    requird: true",
     "schemas/qi.yaml:12", "field 'title': unknown key 'requird' (did you mean 'required'?)"),
    ("misspelt top-level key", QI, "listing:", "lisitng:",
     "schemas/qi.yaml:36", "unknown key 'lisitng' (did you mean 'listing'?)"),
    ("tab in indentation", QI, "    type: text", "\ttype: text",
     "schemas/qi.yaml:10", "tab characters are not allowed for indentation"),
    ("unclosed bracket", QI, "    choices: [Medicine, Surgery]", "    choices: [Medicine, Surgery",
     "schemas/qi.yaml:18", "flow sequence that starts on line 17"),
    ("duplicate key", QI, "    section: about", "    label: Again",
     "schemas/qi.yaml:13", "duplicate key 'label' (first given on line 11)"),
    ("missing label", QI, "    label: Project title", "    help: A name",
     "schemas/qi.yaml:9", "field 'title': missing required key 'label'"),
    ("choices not a list", QI, "    choices: [Medicine, Surgery]", "    choices: Medicine",
     "schemas/qi.yaml:17", "field 'division': 'choices' must be a list"),
    ("empty choices", QI, "    choices: [Medicine, Surgery]", "    choices: []",
     "schemas/qi.yaml:17", "field 'division': 'choices' must not be empty"),
    ("repeated choice", QI, "    choices: [Medicine, Surgery]", "    choices: [Medicine, Medicine]",
     "schemas/qi.yaml:17", "field 'division': choice 'Medicine' is listed twice"),
    ("field name twice", QI, "  - name: outcomes", "  - name: title",
     "schemas/qi.yaml:18", "field 'title' is defined twice (first at schemas/qi.yaml:9)"),
    ("reserved field name", QI, "  - name: outcomes", "  - name: status",
     "schemas/qi.yaml:18", "field 'status': 'status' is a reserved name"),
    ("paging parameter as a field name", QI, "  - name: outcomes", "  - name: per_page",
     "schemas/qi.yaml:18", "field 'per_page': 'per_page' is a reserved name"),
    ("badly formed field name", QI, "  - name: outcomes", "  - name: Outcomes",
     "schemas/qi.yaml:18", "field 'Outcomes': 'name' must be lowercase letters, digits and underscores"),
    ("name differs from file name", QI, "name: qi", "name: qip",
     "schemas/qi.yaml:1", "name 'qip' must match the file name"),
    ("badly formed prefix", QI, "reference_prefix: QI", "reference_prefix: qi",
     "schemas/qi.yaml:4", "'reference_prefix' must be 1 to 10 capital letters or digits"),
    ("unknown field type", QI, "    type: text", "    type: texty",
     "schemas/qi.yaml:10", "field 'title': unknown type 'texty' (did you mean 'text'?)"),
    ("key the type does not accept", QI, "    min: 0", "    choices: [a]",
     "schemas/qi.yaml:25", "field 'compliance': type 'number' does not accept 'choices'"),
    ("bound of the wrong type", QI, "    min: 0", "    min: low",
     "schemas/qi.yaml:25", "field 'compliance': 'min' 'low' is not a valid number value"),
    ("type missing what it needs", QI, "    target: audit", "    help: Which audit",
     "schemas/qi.yaml:27", "field 'related': type 'reference' needs 'target'"),
    ("unknown section", QI, "    section: about", "    section: abut",
     "schemas/qi.yaml:13", "field 'title': unknown section 'abut' (did you mean 'about'?)"),
    ("default of the wrong type", QI, "    default: false", "    default: maybe",
     "schemas/qi.yaml:34", "field 'shared': 'default' 'maybe' is not a valid boolean value"),
    ("column not a field", QI, "  columns: [reference, title, status]", "  columns: [reference, titel, status]",
     "schemas/qi.yaml:37", "listing: column 'titel' is not a field or system field (did you mean 'title'?)"),
    ("facet not a field", QI, "  facets: [status, division]", "  facets: [status, divison]",
     "schemas/qi.yaml:38", "listing: facet 'divison' is not a field (did you mean 'division'?)"),
    ("facet on free text", QI, "  facets: [status, division]", "  facets: [status, outcomes]",
     "schemas/qi.yaml:38", "listing: facet 'outcomes' is a textarea field, which cannot be a facet"),
    ("sort not a field", QI, "  sort: -updated", "  sort: -updatd",
     "schemas/qi.yaml:39", "listing: sort '-updatd' is not a field or system field (did you mean 'updated'?)"),
    ("record title not a field", QI, "", "record_title: titel",
     "schemas/qi.yaml:40", "'record_title' names 'titel', which is not a field (did you mean 'title'?)"),
    ("no statuses", QI, "statuses: [Proposed, In progress, Completed]", "statuses: []",
     "schemas/qi.yaml:35", "'statuses' must not be empty"),
    ("status twice", QI, "statuses: [Proposed, In progress, Completed]", "statuses: [Proposed, Proposed, Completed]",
     "schemas/qi.yaml:35", "status 'Proposed' is listed twice"),
    ("condition on an unknown field", QI, "    required_when: {status: Completed}",
     "    required_when: {divison: Medicine}",
     "schemas/qi.yaml:21", "field 'outcomes': 'required_when' names 'divison', which is not a field"),
    ("condition on an unknown choice", QI, "    required_when: {status: Completed}",
     "    show_when: {division: Cardio}",
     "schemas/qi.yaml:21", "field 'outcomes': 'show_when' 'Cardio' is not a choice of 'division'"),
    ("condition on an unknown status", QI, "    required_when: {status: Completed}",
     "    required_when: {status: Complete}",
     "schemas/qi.yaml:21", "names status 'Complete', which is not a status (did you mean 'Completed'?)"),
    ("condition on a boolean that is not true or false", QI, "    required_when: {status: Completed}",
     "    show_when: {shared: maybe}",
     "schemas/qi.yaml:21", "field 'outcomes': 'show_when' 'maybe' is not a value 'shared' can take"),
    ("reference to an unknown type", QI, "    target: audit", "    target: audits",
     "schemas/qi.yaml:30", "field 'related': 'target' names 'audits', which is not a repository type"),
    ("change_fields without extends", QI, "", "change_fields: {title: {label: Name}}",
     "schemas/qi.yaml:40", "'change_fields' is only allowed with 'extends'"),
    ("extends an unknown type", RESEARCH, "extends: qi", "extends: qj",
     "schemas/research.yaml:2", "'extends' names 'qj', which is not a repository type (did you mean 'qi'?)"),
    ("extends in a circle", QI, "", "extends: research",
     "schemas/research.yaml:2", "'extends' goes round in a circle: qi -> research -> qi"),
    ("change of an unknown field", RESEARCH, "  division: {choices: [Cancer, Cardiology]}",
     "  divisions: {choices: [Cancer]}",
     "schemas/research.yaml:12", "change_fields: 'divisions' is not a field of qi (did you mean 'division'?)"),
    ("change to a key the type does not accept", RESEARCH, "  division: {choices: [Cancer, Cardiology]}",
     "  division: {max_length: 3}",
     "schemas/research.yaml:12", "field 'division': type 'choice' does not accept 'max_length'"),
    ("drop of an unknown field", RESEARCH, "drop_fields: [compliance]", "drop_fields: [complience]",
     "schemas/research.yaml:13", "drop_fields: 'complience' is not a field of qi (did you mean 'compliance'?)"),
    ("after an unknown field", RESEARCH, "    after: title", "    after: titel",
     "schemas/research.yaml:10", "field 'ethics_reference': 'after' names 'titel', which is not a field"),
    ("new field that is already inherited", RESEARCH, "  - name: ethics_reference", "  - name: outcomes",
     "schemas/research.yaml:7", "field 'outcomes' is already a field of qi; change it with change_fields"),
    ("instance hosting an unknown type", SOLO, "repositories: [audit]", "repositories: [audti]",
     "instances/solo/instance.yaml:2", "repository 'audti' is not a repository type (did you mean 'audit'?)"),
    ("instance hosting a type twice", SOLO, "repositories: [audit]", "repositories: [audit, audit]",
     "instances/solo/instance.yaml:2", "repository 'audit' is hosted twice"),
    ("instance missing a reference target", SOLO, "repositories: [audit]", "repositories: [qi]",
     "instances/solo/instance.yaml:2", "repository 'qi': field 'related' refers to 'audit', which this instance "
                                       "does not host"),
    ("instance with a misspelt key", SOLO, "title: Solo", "titel: Solo",
     "instances/solo/instance.yaml:1", "unknown key 'titel' (did you mean 'title'?)"),
    ("instance without repositories", SOLO, "repositories: [audit]", "repositories: []",
     "instances/solo/instance.yaml:2", "'repositories' must not be empty"),
    ("misspelt key in an adapted field", "instances/team/instance.yaml",
     "    fields: [{name: funder, type: text, label: Funder}]",
     "    fields: [{name: funder, type: text, label: Funder, requird: true}]",
     "instances/team/instance.yaml:6", "repository 'research': field 'funder': unknown key 'requird' "
                                       "(did you mean 'required'?)"),
    ("misspelt key in a status", QI, "statuses: [Proposed, In progress, Completed]",
     "statuses: [Proposed, {name: Completed, closd: true}]",
     "schemas/qi.yaml:35", "status 'Completed': unknown key 'closd' (did you mean 'closed'?)"),
    ("status of the wrong kind", QI, "statuses: [Proposed, In progress, Completed]",
     "statuses: [Proposed, [Completed]]",
     "schemas/qi.yaml:35", "status 2 must be text or a mapping (key: value)"),
    ("adaptation extending an unknown type", "instances/team/instance.yaml", "  - extends: research",
     "  - extends: reserch",
     "instances/team/instance.yaml:5", "'extends' names 'reserch', which is not a repository type"),
]


@pytest.mark.parametrize("file, old, new, where, words",
                         [case[1:] for case in MISTAKES], ids=[case[0] for case in MISTAKES])
def test_check_reports_the_mistake_at_its_line(project, check, file, old, new, where, words):
    project.edit(file, old, new)
    code, lines = check()
    assert code == 1
    assert any(line.startswith(f"{where}: ") and words in line for line in lines), "\n".join(lines)


def test_every_problem_is_reported_not_only_the_first(project, check):
    project.edit(QI, "    required: true", "    requird: true")
    project.edit(QI, "  facets: [status, division]", "  facets: [status, divison]")
    project.edit(SOLO, "repositories: [audit]", "repositories: [audti]")
    code, lines = check()
    assert code == 1
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        "instances/solo/instance.yaml:2", "schemas/qi.yaml:12", "schemas/qi.yaml:38"]
    assert lines[-1] == "3 problems found"


def test_a_condition_broken_only_by_a_child_names_the_child(project, check):
    project.edit(QI, "    required_when: {status: Completed}", "    show_when: {division: Surgery}")
    code, lines = check()
    assert code == 1
    assert lines[:-1] == [("schemas/qi.yaml:21: field 'outcomes': 'show_when' 'Surgery' is not a choice of 'division' "
                           "(inherited by 'research' at schemas/research.yaml:1)")]


def test_a_problem_in_an_inherited_field_is_reported_once_where_it_was_written(project, check):
    project.edit(QI, "    default: false", "    default: maybe")
    code, lines = check()
    assert code == 1
    assert [line for line in lines if "default" in line] == [
        "schemas/qi.yaml:34: field 'shared': 'default' 'maybe' is not a valid boolean value for this field"]


def test_a_file_that_is_not_a_mapping_says_so(project, check):
    project.write(SOLO, "- Solo\n- audit\n")
    code, lines = check()
    assert (code, lines) == (1, ["instances/solo/instance.yaml:1: the file must be a mapping (key: value)",
                                 "1 problem found"])


@pytest.mark.parametrize("name", ["assets", "api", "search"])     # /search: the trust-wide search
def test_an_instance_named_like_the_sites_own_pages_is_refused(project, check, name):
    project.write(f"instances/{name}/instance.yaml", "title: Shadowed\nrepositories: [audit]\n")
    code, lines = check()
    assert code == 1
    assert lines[0].startswith(f"instances/{name}/instance.yaml:1: instance folder '{name}' has a name the site uses")
