"""`workflow:`, `notify:`, `review:` and `supersedes: true`: read into the model, checked at their lines, adapted.

Broken files mark each mistake where it must be reported, by a YAML comment on that line:
``#! words the message contains``. One run of `repo-engine check` must report each, and nothing else.
"""
from __future__ import annotations

import re

import pytest

from engine.errors import SchemaError
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.model import Action, Audience, NotifyRule, Review, Source

GUIDELINE = """\
name: guideline
title: Local guideline
reference_prefix: GL
fields:
  - {name: title, type: text, label: Title}
  - {name: lead_email, type: email, label: Lead email}
  - {name: start_date, type: date, label: Start date}
  - {name: review_date, type: date, label: Review date}
  - {name: replaces, type: reference, label: Replaces, target: guideline, multiple: true, supersedes: true}
statuses: [Draft, Proposed, Approved, {name: Superseded, closed: true}]
workflow:
  - action: Submit for review
    from: Draft
    to: Proposed
    who: [creator, contributor]
    comment: none
  - action: Approve
    from: [Proposed]
    to: Approved
    who: [editor, {field: lead_email}]
    requires: [start_date]
    then: {superseded: Superseded}
  - action: Send back
    from: [Proposed, Approved]
    to: Draft
    comment: required
notify:
  - on: submitted
    to: [role: editor]
  - on: {action: Approve}
    to: [field: lead_email, creator, watchers]
  - on: submitted
    webhook: {url_env: TEAMS_QI_WEBHOOK, secret_env: TEAMS_QI_SECRET}
review:
  date: review_date
  owner: lead_email
  remind: [90, 30, 0]
"""

ADAPTED = """\
title: Wards
repositories:
  - extends: guideline
    statuses: [Draft, Published]
    workflow:
      - {action: Publish, from: Draft, to: Published, who: [admin]}
    notify:
      - {on: action, to: [creator]}
"""

TEAM = {"instances/team/instance.yaml": "title: Team\nrepositories: [guideline]\n"}

AUDIT = """\
name: audit
title: Audit
reference_prefix: AU
fields:
  - {name: title, type: text, label: Title}
statuses: [Registered, Completed]
"""


@pytest.fixture
def files(project):
    """A project of just the given files (the fixture's own removed), their ``#!`` marks taken out."""
    def write(given: dict[str, str]) -> None:
        for path in (*project.root.glob("schemas/*.yaml"), *project.root.glob("instances/*/instance.yaml")):
            path.unlink()
        for name, text in given.items():
            project.write(name, re.sub(r"\s*#!.*", "", text))
    return write


def load(project):
    return load_project(project.paths, default_registry())


# -- building ------------------------------------------------------------------------------------------------
def test_a_workflow_is_read_into_actions(project, files):
    files({"schemas/guideline.yaml": GUIDELINE, **TEAM})
    rtype = load(project).types["guideline"]
    submit, approve, send_back = rtype.workflow.actions
    assert submit == Action("Submit for review", ("Draft",), "Proposed",
                            Audience(roles=("contributor",), creator=True), comment="none")
    assert approve == Action("Approve", ("Proposed",), "Approved", Audience(roles=("editor",), fields=("lead_email",)),
                             requires=("start_date",), then_superseded="Superseded")
    assert send_back == Action("Send back", ("Proposed", "Approved"), "Draft", Audience(roles=("editor",)),
                               comment="required")
    assert approve.source == Source("schemas/guideline.yaml", 17)
    assert rtype.workflow.action("send-back") is send_back
    assert rtype.start_statuses == ("Draft",)


def test_notify_review_and_supersedes_are_read(project, files):
    files({"schemas/guideline.yaml": GUIDELINE, **TEAM})
    rtype = load(project).types["guideline"]
    assert rtype.notify == (
        NotifyRule("submitted", to=Audience(roles=("editor",))),
        NotifyRule("action", action="Approve", to=Audience(fields=("lead_email",), creator=True, watchers=True)),
        NotifyRule("submitted", webhook_env="TEAMS_QI_WEBHOOK", secret_env="TEAMS_QI_SECRET"),
    )
    assert [rule.source.line for rule in rtype.notify] == [28, 30, 32]
    assert rtype.review == Review(date="review_date", owner="lead_email", remind=(90, 30, 0))
    assert rtype.review.source == Source("schemas/guideline.yaml", 34)
    assert rtype.superseding_field.name == "replaces"
    assert [f.name for f in rtype.fields if f.supersedes] == ["replaces"]


def test_without_the_blocks_a_type_has_no_workflow_and_defaults(project):
    rtype = load(project).types["qi"]
    assert (rtype.workflow, rtype.notify, rtype.review, rtype.superseding_field) == (None, (), None, None)
    assert rtype.start_statuses == rtype.status_names


def test_review_reminds_30_days_before_and_on_the_day_by_default(project, files):
    files({"schemas/guideline.yaml": GUIDELINE.replace("  remind: [90, 30, 0]\n", ""),
           **TEAM})
    assert load(project).types["guideline"].review == Review(date="review_date", owner="lead_email", remind=(30, 0))


def test_an_instance_adaptation_replaces_the_workflow_and_notify_and_keeps_review(project, files):
    files({"schemas/guideline.yaml": GUIDELINE, "instances/wards/instance.yaml": ADAPTED})
    project_ = load(project)
    adapted = project_.instances["wards"].repository("guideline")
    assert [a.name for a in adapted.workflow.actions] == ["Publish"]
    assert adapted.workflow.actions[0].who == Audience(roles=("admin",))
    assert adapted.workflow.actions[0].source == Source("instances/wards/instance.yaml", 6)
    assert adapted.notify == (NotifyRule("action", to=Audience(creator=True)),)
    assert adapted.review == project_.types["guideline"].review
    assert len(project_.types["guideline"].workflow.actions) == 3


def test_an_empty_workflow_in_an_adaptation_lets_editors_set_the_status_again(project, files):
    adapted = "title: Wards\nrepositories:\n  - {extends: guideline, workflow: [], notify: []}\n"
    files({"schemas/guideline.yaml": GUIDELINE, "instances/wards/instance.yaml": adapted})
    rtype = load(project).instances["wards"].repository("guideline")
    assert (rtype.workflow, rtype.notify) == (None, ())
    assert rtype.start_statuses == ("Draft", "Proposed", "Approved", "Superseded")


def test_an_adaptation_that_keeps_rules_on_actions_it_removed_is_told(project, files, check):
    adapted = ADAPTED.replace("    notify:\n      - {on: action, to: [creator]}\n", "")
    files({"schemas/guideline.yaml": GUIDELINE, "instances/wards/instance.yaml": adapted})
    code, lines = check()
    assert code == 1
    assert lines[:-1] == ["schemas/guideline.yaml:30: notify rule 2: 'on' names action 'Approve', which is not an "
                          "action of the workflow (inherited by 'guideline' at instances/wards/instance.yaml:3)"]
    with pytest.raises(SchemaError):
        load(project)


# -- checking ------------------------------------------------------------------------------------------------
NAMES = {"schemas/guideline.yaml": """\
name: guideline
title: Local guideline
reference_prefix: GL
fields:
  - {name: title, type: text, label: Title}
  - {name: lead, type: person, label: Lead}
  - {name: lead_email, type: email, label: Lead email}
  - {name: notes, type: textarea, label: Notes, supersedes: true}     #! field 'notes': 'supersedes' is for a reference field naming earlier records of this type, and 'notes' is a textarea field
  - {name: follows, type: reference, label: Follows, target: audit, supersedes: true}   #! field 'follows': 'supersedes' needs 'target' to be this type, 'guideline', not 'audit'
statuses:
  - Draft
  - Proposed
  - Approved
  - Archived                     #! status 'Archived' is not reached by any action and is not the first status
workflow:
  - action: Submit
    from: Draf                   #! workflow action 'Submit': 'from' names status 'Draf', which is not a status (did you mean 'Draft'?)
    to: Proposed
    who:
      - creator
      - editr                    #! workflow action 'Submit': 'who': unknown role 'editr' (did you mean 'editor'?); name a role ('reader', 'contributor', 'editor', 'admin'), 'creator' or {field: name}
  - action: Approve
    from: [Proposed, Approved]   #! workflow action 'Approve': 'from' includes 'Approved', the status it moves to: an action must change the status
    to: Approved
    who:
      - role: owner              #! workflow action 'Approve': 'who': unknown role 'owner'; the roles are 'reader', 'contributor', 'editor', 'admin'
      - field: lead              #! workflow action 'Approve': 'who' names field 'lead', a person field, which holds no email address or username: name an email or text field
      - field: lead_mail         #! workflow action 'Approve': 'who' names 'lead_mail', which is not a field (did you mean 'lead_email'?)
      - watchers                 #! workflow action 'Approve': 'who': 'watchers' are told of actions (in 'notify'), but cannot take one
    requires: [start_date]       #! workflow action 'Approve': 'requires' names 'start_date', which is not a field
    then: {superseded: Supersede}    #! workflow action 'Approve': 'then: superseded' names status 'Supersede', which is not a status
  - action: approve              #! workflow action 'approve' is named like action 'Approve' (both are 'approve' in URLs): first at schemas/guideline.yaml:22
    from: Draft
    to: Aproved                  #! workflow action 'approve': 'to' names status 'Aproved', which is not a status (did you mean 'Approved'?)
  - action: Submit               #! workflow action 'Submit' is listed twice: first at schemas/guideline.yaml:16
    from: Proposed
    to: Draft
notify:
  - on: {action: Aprove}         #! notify rule 1: 'on' names action 'Aprove', which is not an action of the workflow (did you mean 'Approve'?)
    to: [creator]
  - on: submitted                #! notify rule 2: give 'to' (who is emailed), 'webhook' (where it is posted) or both
  - on: review_due               #! notify rule 3: 'on' is 'review_due', but the type has no 'review'
    to:
      - admins                   #! notify rule 3: 'to': unknown role 'admins' (did you mean 'admin'?); name a role ('reader', 'contributor', 'editor', 'admin'), 'creator', 'watchers' or {field: name}
      - field: lead              #! notify rule 3: 'to' names field 'lead', a person field
      - watchers
      - {field: lead_email}
""", "schemas/audit.yaml": AUDIT}

NO_WORKFLOW = {"schemas/guideline.yaml": """\
name: guideline
title: Local guideline
reference_prefix: GL
fields:
  - {name: title, type: text, label: Title}
  - {name: lead, type: person, label: Lead}
  - {name: review_on, type: text, label: Review on}
  - {name: replaces, type: reference, label: Replaces, target: guideline, supersedes: true}
  - {name: replaces_too, type: reference, label: Also replaces, target: guideline, supersedes: true}   #! field 'replaces_too': 'supersedes' is already said of field 'replaces': a type has one superseding field
statuses: [Draft, Published]
notify:
  - on: action                   #! notify rule 1: 'on' is an action, but the type has no 'workflow'
    to: [editor]
  - on: {action: Publish}        #! notify rule 2: 'on' is an action, but the type has no 'workflow'
    to: [editor]
review:
  date: review_on                #! review: 'date' names 'review_on', a text field: the review date must be a date field
  owner: lead                    #! review: 'owner' names field 'lead', a person field, which holds no email address or username
"""}

SUPERSEDING = {"schemas/guideline.yaml": """\
name: guideline
title: Local guideline
reference_prefix: GL
fields:
  - {name: title, type: text, label: Title}
  - {name: review_date, type: date, label: Review date}
statuses: [Draft, Published, Superseded]
workflow:
  - action: Publish
    from: Draft
    to: Published
    then: {superseded: Superseded}   #! workflow action 'Publish': 'then: superseded' moves the records this one supersedes, but no field says 'supersedes: true'
  - action: "!!"                 #! workflow action '!!' has no letters or digits to name it by in URLs
    from: Published
    to: Draft
review:
  date: reviw_date               #! review: 'date' names 'reviw_date', which is not a field (did you mean 'review_date'?)
  owner: title
"""}

SHAPE = {"schemas/guideline.yaml": """\
name: guideline
title: Local guideline
reference_prefix: GL
fields:
  - {name: title, type: text, label: Title}
  - {name: review_date, type: date, label: Review date}
  - {name: replaces, type: reference, label: Replaces, target: guideline, supersedes: yes}   #! field 'replaces': 'supersedes' must be true or false
statuses: [Draft, Published, Archived]
workflow:
  - action: Publish              #! workflow action 'Publish': missing required key 'from'
    form: Draft                  #! workflow action 'Publish': unknown key 'form' (did you mean 'from'?)
    to: Published
  - action: Withdraw
    from: Published
    to: Draft
    comment: sometimes           #! workflow action 'Withdraw': 'comment' must be one of 'required', 'optional', 'none'
    who: [{role: editor, field: title}]   #! workflow action 'Withdraw': item 1 of 'who' must have one key only
    then: {supersede: Draft}     #! workflow action 'Withdraw': 'then': unknown key 'supersede' (did you mean 'superseded'?)
notify:
  - on: approved                 #! notify rule 1: 'on' must be one of 'submitted', 'action', 'commented', 'edited', 'review_due', 'review_overdue'
    to: [editor]
  - on: submitted
    webhook: {url_env: teams_hook}   #! notify rule 2: 'webhook.url_env' must be the name of an environment variable: capital letters, digits and underscores, starting with a letter, not 'teams_hook'
review:
  date: review_date
  remind: [30, -1]               #! review: item 2 of 'remind' must be at least 0
  every: 365                     #! review: unknown key 'every'
"""}

CASES = {
    "statuses, roles, fields and actions named": NAMES,
    "rules on actions without a workflow, a review date that is not a date": NO_WORKFLOW,
    "superseding without a superseding field, an action with no name for URLs": SUPERSEDING,
    "the shape of each block": SHAPE,
}


def marked(given: dict[str, str]) -> list[tuple[str, str]]:
    return [(f"{name}:{number}", words.strip())
            for name, text in given.items()
            for number, line in enumerate(text.splitlines(), start=1)
            for words in line.split("#!")[1:]]


@pytest.mark.parametrize("given", CASES.values(), ids=CASES.keys())
def test_one_run_reports_every_mistake_at_its_line(files, check, given):
    hosted = ", ".join(name[len("schemas/"):-len(".yaml")] for name in given)
    files({**given, "instances/team/instance.yaml": f"title: T\nrepositories: [{hosted}]\n"})
    code, lines = check()
    reported = lines[:-1]
    missing = [f"{where}: ...{words}..." for where, words in marked(given)
               if not any(line.startswith(f"{where}: ") and words in line for line in reported)]
    assert code == 1
    assert not missing, "not reported:\n" + "\n".join(missing) + "\n\nreported:\n" + "\n".join(reported)
    assert len(reported) == len(marked(given)), "\n".join(reported)


def test_a_status_reached_only_by_superseding_is_reached(project, files):
    files({"schemas/guideline.yaml": GUIDELINE, **TEAM})
    rtype = load(project).types["guideline"]       # raises SchemaError when a status is not reached
    assert "Superseded" in rtype.status_names
    assert "Superseded" not in {action.to for action in rtype.workflow.actions}


def test_statuses_a_workflow_written_elsewhere_misses_are_told_at_the_workflow(project, files, check):
    adapted = ADAPTED.replace("    statuses: [Draft, Published]\n", "")
    files({"schemas/guideline.yaml": GUIDELINE, "instances/wards/instance.yaml": adapted})
    code, lines = check()
    assert code == 1
    assert lines[:-1] == [
        *(f"instances/wards/instance.yaml:4: workflow: status '{name}' is not reached by any action and is not the "
          f"first status" for name in ("Approved", "Proposed", "Superseded")),
        "instances/wards/instance.yaml:5: workflow action 'Publish': 'to' names status 'Published', which is not a "
        "status",
    ]
