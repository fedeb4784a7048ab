"""One run of `repo-engine check` reports every mistake of every file, shape and meaning alike, at its line.

Each case is a set of broken files. A mistake is marked where it must be reported, by a YAML comment on that
line: ``#! words the message contains``. The run must report each marked mistake at its line, and nothing else.
"""
from __future__ import annotations

import re

import pytest

from engine.errors import SchemaError
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.loader import TypeSet
from engine.schema.problems import Problems

AUDIT = """\
name: audit
title: Audit
reference_prefix: AU
fields:
  - {name: title, type: text, label: Audit title}
statuses: [Registered, Completed]
"""

SHAPE_AND_MEANING = {"schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - name: title                  #! field 'title': missing required key 'label'
    type: text
  - name: shade
    type: colour                 #! field 'shade': unknown type 'colour'
    label: Shade
statuses: [Proposed, Completed]
"""}

MISSING_TITLE = {"schemas/qi.yaml": """\
name: qi                         #! the file: missing required key 'title'
fields:
  - name: title
    type: text
    label: Title
  - name: shade
    type: colour                 #! field 'shade': unknown type 'colour'
    label: Shade
  - name: title                  #! field 'title' is defined twice (first at schemas/qi.yaml:3)
    type: textarea
    label: Again
  - name: status                 #! field 'status': 'status' is a reserved name
    type: text
    label: Status
statuses: [Proposed, Completed]
listing:
  facets: [status, shade]
"""}

WRONG_VALUES_SET_ASIDE = {"schemas/qi.yaml": """\
name: qi
title: Improvement project
reference_prefix: qi             #! 'reference_prefix' must be 1 to 10 capital letters or digits
sections:
  - {title: About}               #! section 1: missing required key 'name'
fields:
  - name: title
    type: text
    label: Title
    section: about
  - name: division
    type: choice
    label: Division
    choices: Medicine            #! field 'division': 'choices' must be a list
  - name: notes
    type: textarea
    label: Notes
    required: yes                #! field 'notes': 'required' must be true or false
    show_when: {division: Surgery}
    max_length: many             #! field 'notes': 'max_length' must be a whole number
  - name: cost
    type: number
    label: Cost
    min: low                     #! field 'cost': 'min' 'low' is not a valid number value
statuses:
  - Proposed
  - [Completed]                  #! status 2 must be text or a mapping
  - Stopped
  - Proposed                     #! status 'Proposed' is listed twice
listing:
  columns: [reference, title, titel]   #! listing: column 'titel' is not a field or system field
  per_page: 1000                 #! listing: 'per_page' must be at most 500
"""}

BROKEN_FIELDS = {"schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - type: text                   #! field 1: missing required key 'name'
    label: Nameless
  - name: Methodology            #! field 'Methodology': 'name' must be lowercase letters
    type: choice
    label: Method
    choices: [Lean, Other]
  - name: approach
    type: [choice]               #! field 'approach': 'type' must be text
    label: Approach
    choices: [A, B]
  - name: notes
    type: textarea
    label: Notes
    show_when: {approach: C}
  - name: method_other
    type: text
    label: Other method
    show_when: {notes: {greater_than: 3}}    #! 'show_when' compares 'notes' with 'greater_than', which works on number and date fields only
statuses: [Proposed, Completed]
listing:
  columns: [reference, Methodology, approach, notes]
  facets: [status, approach, notes]     #! listing: facet 'notes' is a textarea field, which cannot be a facet
"""}

CONDITIONS = {"schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - {name: title, type: text, label: Title}
  - name: division
    type: choice
    label: Division
    choices: [Medicine, {value: Surgery, retired: true}]
  - {name: cost, type: number, label: Cost}
  - {name: start, type: date, label: Start}
  - name: a
    type: text
    label: A
    show_when: {cost: {greater: 3}}         #! field 'a': 'show_when.cost': unknown operator 'greater' (did you mean 'greater_than'?)
  - name: b
    type: text
    label: B
    show_when: {division: {not: Cardio}}    #! field 'b': 'show_when' 'Cardio' is not a choice of 'division'
    required_when: {division: Surgery, start: {at_least: soon}}   #! field 'b': 'required_when' compares 'start' with 'soon', which is not a valid date value
  - name: c
    type: text
    label: C
    show_when:
      any:
        - {status: Complete}                #! field 'c': 'show_when' names status 'Complete', which is not a status (did you mean 'Completed'?)
        - {title: {empty: maybe}}           #! field 'c': 'show_when.any.title.empty' must be true or false
        - all:
            - {divison: Medicine}           #! field 'c': 'show_when' names 'divison', which is not a field (did you mean 'division'?)
            - {cost: {at_most: 5, less_than: 10}}
            - {title: {less_than: M}}       #! field 'c': 'show_when' compares 'title' with 'less_than', which works on number and date fields only
  - name: all                               #! field 'all': 'all' is a reserved name
    type: text
    label: All
statuses: [Proposed, Completed]
"""}

RENAMES = {"schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - {name: title, type: text, label: Title}
  - name: aim
    type: textarea
    label: Aim
    renamed_from: title                     #! field 'aim': 'renamed_from' names 'title', which is still a field of this type
  - name: lessons
    type: textarea
    label: Lessons
    renamed_from: [lessons_learned, learning]
  - name: learning_points
    type: textarea
    label: Learning points
    renamed_from: learning                  #! field 'learning_points': 'renamed_from' names 'learning', which field 'lessons'
  - name: division
    type: choice
    label: Division
    choices:
      - {value: Medicine, renamed_from: Surgery}        #! choice 'Medicine': 'renamed_from' names 'Surgery', which is still a choice of this field
      - {value: Surgery, renamed_from: [General surgery]}
      - {value: Theatres, renamed_from: General surgery, label: Theatres and anaesthesia}   #! choice 'Theatres': 'renamed_from' names 'General surgery', which choice 'Surgery' already took over
      - {value: Old, retired: yes}                      #! field 'division': 'choices.retired' must be true or false
  - name: old_notes
    type: textarea
    label: Old notes
    retired: true
    required: true                          #! field 'old_notes' is retired, so it cannot be required
  - name: old_flag
    type: boolean
    label: Old flag
    retired: true
    default: false                          #! field 'old_flag' is retired, so no new record fills it in
  - name: old_place
    type: choice
    label: Old place
    choices: [Here, {value: There, retired: true}]
    default: There                          #! field 'old_place': 'default' is choice 'There', which is retired
  - name: Renamed_badly                    #! field 'Renamed_badly': 'name' must be lowercase
    type: text
    label: Renamed badly
    renamed_from: [Old Name]                #! field 'Renamed_badly': item 1 of 'renamed_from' must be lowercase
statuses: [Proposed, Completed]
"""}

PARENT_AND_CHILD = {
    "schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - {name: title, type: text, label: Title, requird: true}   #! field 'title': unknown key 'requird'
  - {name: division, type: choice, label: Division, choices: [Medicine, Surgery]}
  - {name: notes, type: textarea, label: Notes, show_when: {division: Surgery}}   #! 'Surgery' is not a choice of 'division' (inherited by 'research' at schemas/research.yaml:1)
statuses: [Proposed, Completed]
""",
    "schemas/research.yaml": """\
name: research
extends: qi
title: Research project
reference_prefix: 7R                        #! 'reference_prefix' must be 1 to 10 capital letters or digits
change_fields:
  division: {choices: [Cancer, Cardiology]}
  divison: {label: Team}                    #! change_fields: 'divison' is not a field of qi (did you mean 'division'?)
fields:
  - {name: funder, type: txt, label: Funder}   #! field 'funder': unknown type 'txt' (did you mean 'text'?)
  - {name: ethics, type: text, label: Ethics, after: titel}   #! field 'ethics': 'after' names 'titel'
listing:
  facets: [status, fundr]                   #! listing: facet 'fundr' is not a field
""",
}

INSTANCE_ADAPTATIONS = {
    "schemas/audit.yaml": AUDIT,
    "schemas/qi.yaml": """\
name: qi
title: Improvement project
fields:
  - {name: title, type: text, label: Title}
  - {name: division, type: choice, label: Division, choices: [Medicine, Surgery]}
  - {name: lessons, type: textarea, label: Lessons}
statuses: [Proposed, Completed]
""",
    "instances/team/instance.yaml": """\
titel: Team                                 #! unknown key 'titel' (did you mean 'title'?) #! the file: missing required key 'title'
repositories:
  - audit
  - audti                                   #! repository 'audti' is not a repository type (did you mean 'audit'?)
  - extends: qi
    reference_prefix: AU                    #! repository 'qi': reference prefix 'AU' is already used by repository 'audit' (at schemas/audit.yaml:3)
    fields:
      - {name: funder, type: text, requird: true}   #! repository 'qi': field 'funder': unknown key 'requird' #! repository 'qi': field 'funder': missing required key 'label'
      - {name: cost, type: numbr, label: Cost}      #! field 'cost': unknown type 'numbr' (did you mean 'number'?)
      - {name: learning, type: textarea, label: Learning, renamed_from: lessons}
    drop_fields: [lessons]
    change_fields:
      division:
        choices: [Medicine, Medicine]       #! field 'division': choice 'Medicine' is listed twice
        retired: true
        required: true                      #! field 'division' is retired, so it cannot be required
      titel: {label: Name}                  #! change_fields: 'titel' is not a field of qi (did you mean 'title'?)
""",
}

PREFIXES = {
    "schemas/audit.yaml": AUDIT,
    "schemas/clinical-audit.yaml": """\
name: clinical-audit
title: Clinical audit
fields: [{name: title, type: text, label: Title}]
statuses: [Registered]
""",
    "schemas/community-assessment.yaml": """\
name: community-assessment                  #! reference prefix 'CA' (made from the initials of 'community-assessment', as no reference_prefix is given) is already used by repository type 'clinical-audit'
title: Community assessment
fields: [{name: title, type: text, label: Title}]
statuses: [Open]
""",
    "schemas/re-audit.yaml": """\
name: re-audit
extends: audit
title: Re-audit
""",
    "instances/team/instance.yaml": """\
title: Team
repositories:
  - audit
  - re-audit                                #! repository 're-audit': reference prefix 'AU' (inherited from 'audit') is already used by repository 'audit'
  - {extends: audit, name: local-audit, reference_prefix: RA}
  - {extends: clinical-audit, name: ward-audit}
""",
}

CASES = {
    "a missing label and an unknown type": SHAPE_AND_MEANING,
    "a missing title hides no meaning problem": MISSING_TITLE,
    "values of the wrong kind are set aside and the rest checked": WRONG_VALUES_SET_ASIDE,
    "a field without a usable name or type is checked for the rest": BROKEN_FIELDS,
    "every term of every condition": CONDITIONS,
    "renames and retirement": RENAMES,
    "a parent's shape and a child's meaning": PARENT_AND_CHILD,
    "an instance's adaptation": INSTANCE_ADAPTATIONS,
    "reference prefixes": PREFIXES,
}


def marked(files: dict[str, str]) -> list[tuple[str, str]]:
    """(``file:line``, words) for every ``#!`` mark in the files."""
    found = []
    for name, text in files.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for words in line.split("#!")[1:]:
                found.append((f"{name}:{number}", words.strip()))
    return found


@pytest.fixture
def broken(project):
    """A project of just the given files (the fixture's valid ones removed)."""
    def write(files: dict[str, str]) -> None:
        for path in (*project.root.glob("schemas/*.yaml"), *project.root.glob("instances/*/instance.yaml")):
            path.unlink()
        for name, text in files.items():
            project.write(name, re.sub(r"\s*#!.*", "", text))
        if not any(name.startswith("instances/") for name in files):
            project.write("instances/solo/instance.yaml", "title: Solo\nrepositories: [audit]\n")
            project.write("schemas/audit.yaml", AUDIT)
    return write


@pytest.mark.parametrize("files", CASES.values(), ids=CASES.keys())
def test_one_run_reports_every_mistake_at_its_line(broken, check, files):
    broken(files)
    code, lines = check()
    reported = lines[:-1]
    missing = [f"{where}: ...{words}..." for where, words in marked(files)
               if not any(line.startswith(f"{where}: ") and words in line for line in reported)]
    assert code == 1
    assert not missing, "not reported:\n" + "\n".join(missing) + "\n\nreported:\n" + "\n".join(reported)
    assert len(reported) == len(marked(files)), "\n".join(reported)
    assert lines[-1].endswith("found")


def test_a_type_with_a_mistake_is_checked_but_never_frozen(project):
    project.edit("schemas/qi.yaml", "    required: true", "    requird: true")
    problems = Problems()
    types = TypeSet(default_registry(), problems)
    types.read_folder(project.root / "schemas")
    types.resolve_all()
    assert len(problems) == 1
    assert set(types.frozen) == {"audit"}       # research is built on qi
    with pytest.raises(SchemaError):
        load_project(project.paths, default_registry())


def test_setting_an_item_aside_keeps_the_lines_of_the_items_after_it(project, check):
    project.edit("schemas/qi.yaml", "statuses: [Proposed, In progress, Completed]",
                 "statuses:\n  - [Proposed]\n  - In progress\n  - In progress")
    code, lines = check()
    assert lines[:-1] == ["schemas/qi.yaml:36: status 1 must be text or a mapping (key: value)",
                          "schemas/qi.yaml:38: status 'In progress' is listed twice"]
