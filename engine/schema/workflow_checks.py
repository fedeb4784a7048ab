"""Meaning checks of a type's ``workflow:``, ``notify:`` and ``review:`` and of ``supersedes: true`` fields.

The meta-schema has vouched for their shape; these checks need the rest of the type: the statuses, roles and
fields they name, the actions a rule is on, the one field that may supersede. Each problem is reported at the
line where it was written, all in one run (docs/workflow.md, docs/schema-language.md).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from engine.schema.build import parse_status
from engine.schema.draft import TypeDraft
from engine.schema.model import Field, slug_of
from engine.schema.problems import Spot, did_you_mean, quoted_list
from engine.schema.workflow_build import CREATOR, WATCHERS

#: Field types whose value names a person the engine can find: an email address, or a username in plain text.
#: (A ``person`` field holds a name as written, which matches no account.)
ADDRESS_TYPES = ("email", "text")
#: The field type a review date must be.
DATE_TYPE = "date"
#: The only field type that can supersede: it names earlier records.
REFERENCE_TYPE = "reference"
REVIEW_EVENTS = ("review_due", "review_overdue")


def roles() -> tuple[str, ...]:
    # Imported when checking: engine.access.policy imports the schema model, which loads this package.
    from engine.access.policy import ROLES
    return ROLES


class WorkflowChecks:
    """Checks one draft's workflow, notify and review blocks; problems go to ``report(spot, message)``."""

    def __init__(self, draft: TypeDraft, fields: Mapping[str, Field], report: Callable[[Spot, str], None]):
        self.draft, self.fields, self.report = draft, fields, report
        values = draft.values
        # An item whose required key was set aside (reported) is left out; its index keeps its line.
        self.actions = [(index, item) for index, item in enumerate(values.get("workflow", []))
                        if {"action", "from", "to"} <= item.keys()]
        self.statuses = (None if "statuses" in draft.unusable
                         else [parse_status(item).name for item in values.get("statuses", [])])
        self.field_names = None if "fields" in draft.unusable else draft.field_names()

    def run(self) -> None:
        for index, item in self.actions:
            self._check_action(item, self.draft.spot("workflow") / index)
        self._check_action_names()
        self._check_reached()
        for index, rule in enumerate(self.draft.values.get("notify", [])):
            if "on" in rule:
                self._check_rule(rule, self.draft.spot("notify") / index, f"notify rule {index + 1}")
        self._check_review()
        self._check_supersedes()

    # -- actions ----------------------------------------------------------------------------------------------
    def _check_action(self, item: dict[str, Any], spot: Spot) -> None:
        word = f"workflow action '{item['action']}'"
        written = item["from"]
        froms = [(spot / "from", written)] if isinstance(written, str) else \
            [(spot / "from" / index, status) for index, status in enumerate(written)]
        for where, status in froms:
            self._status(where, f"{word}: 'from'", status)
            if status == item["to"]:
                self.report(where, f"{word}: 'from' includes '{status}', the status it moves to: an action "
                                   "must change the status")
        self._status(spot / "to", f"{word}: 'to'", item["to"])
        for index, person in enumerate(item.get("who", [])):
            self._person(spot / "who" / index, f"{word}: 'who'", person, told=False)
        for index, name in enumerate(item.get("requires", [])):
            self._field_named(spot / "requires" / index, f"{word}: 'requires'", name)
        superseded = item.get("then", {}).get("superseded")
        if superseded is not None:
            where = spot / "then" / "superseded"
            self._status(where, f"{word}: 'then: superseded'", superseded)
            if self.field_names is not None and not any(f.values.get("supersedes") is True
                                                        for f in self.draft.fields):
                self.report(where, f"{word}: 'then: superseded' moves the records this one supersedes, but no "
                                   "field says 'supersedes: true'")

    def _check_action_names(self) -> None:
        """Actions are found by their names in URLs (``send-back``): two may not come to the same one."""
        seen: dict[str, tuple[str, Spot]] = {}
        for index, item in self.actions:
            name, where = item["action"], self.draft.spot("workflow") / index / "action"
            slug = slug_of(name)
            if not slug:
                self.report(where, f"workflow action '{name}' has no letters or digits to name it by in URLs")
            elif slug in seen:
                first, first_spot = seen[slug]
                same = "is listed twice" if first == name else \
                    f"is named like action '{first}' (both are '{slug}' in URLs)"
                self.report(where, f"workflow action '{name}' {same}: first at {first_spot}")
            else:
                seen[slug] = (name, where)

    def _check_reached(self) -> None:
        """A status no action moves to can never be given (a new record takes the first)."""
        if not self.actions or self.statuses is None or self._set_aside("workflow"):
            return
        reached = {item["to"] for _, item in self.actions}
        reached |= {item["then"]["superseded"] for _, item in self.actions if "superseded" in item.get("then", {})}
        statuses, workflow = self.draft.spot("statuses"), self.draft.spot("workflow")
        # Statuses written elsewhere (a parent's) are fine there: the workflow written here misses them.
        elsewhere = statuses.doc is not workflow.doc
        for index, name in enumerate(self.statuses):
            if index and name not in reached:
                self.report(workflow if elsewhere else statuses / index,
                            ("workflow: " if elsewhere else "") +
                            f"status '{name}' is not reached by any action and is not the first status")

    # -- notify rules ------------------------------------------------------------------------------------------
    def _check_rule(self, rule: dict[str, Any], spot: Spot, word: str) -> None:
        on = rule["on"]
        if "to" not in rule and "webhook" not in rule and not self._set_aside("notify"):
            self.report(spot, f"{word}: give 'to' (who is emailed), 'webhook' (where it is posted) or both")
        if on == "action" or isinstance(on, dict):
            self._check_rule_action(on, spot / "on", word)
        if on in REVIEW_EVENTS and "review" not in self.draft.values and "review" not in self.draft.unusable:
            self.report(spot / "on", f"{word}: 'on' is '{on}', but the type has no 'review'")
        for index, person in enumerate(rule.get("to", [])):
            self._person(spot / "to" / index, f"{word}: 'to'", person, told=True)

    def _check_rule_action(self, on: Any, spot: Spot, word: str) -> None:
        if self._set_aside("workflow"):
            return
        if not self.actions:
            self.report(spot, f"{word}: 'on' is an action, but the type has no 'workflow'")
            return
        if isinstance(on, dict) and "action" in on:
            wanted, names = on["action"], [item["action"] for _, item in self.actions]
            if slug_of(wanted) not in {slug_of(name) for name in names}:
                self.report(spot / "action", f"{word}: 'on' names action '{wanted}', which is not an action of "
                                             f"the workflow{did_you_mean(wanted, names)}")

    # -- review --------------------------------------------------------------------------------------------------
    def _check_review(self) -> None:
        review = self.draft.values.get("review")
        if review is None or "date" not in review:
            return
        spot = self.draft.spot("review")
        date = review["date"]
        field = self.fields.get(date)
        if self._field_named(spot / "date", "review: 'date'", date) and field is not None \
                and field.type_name != DATE_TYPE:
            self.report(spot / "date", f"review: 'date' names '{date}', a {field.type_name} field: the review "
                                       "date must be a date field")
        if "owner" in review:
            self._person_field(spot / "owner", "review: 'owner'", review["owner"])

    # -- supersedes --------------------------------------------------------------------------------------------
    def _check_supersedes(self) -> None:
        first: str | None = None
        for draft in self.draft.fields:
            if draft.values.get("supersedes") is not True or draft.broken:
                continue
            where, word = draft.spot("supersedes"), f"field '{draft.name}'"
            type_name, target = draft.values.get("type"), draft.values.get("target")
            if type_name != REFERENCE_TYPE:
                self.report(where, f"{word}: 'supersedes' is for a reference field naming earlier records of this "
                                   f"type, and '{draft.name}' is a {type_name} field")
                continue
            if isinstance(target, str) and target != self.draft.name and "target" not in draft.unusable:
                self.report(where, f"{word}: 'supersedes' needs 'target' to be this type, '{self.draft.name}', "
                                   f"not '{target}': a record supersedes records of its own type")
            if first is not None:
                self.report(where, f"{word}: 'supersedes' is already said of field '{first}': a type has one "
                                   "superseding field")
            first = first or draft.name

    # -- what is named -------------------------------------------------------------------------------------------
    def _status(self, spot: Spot, prefix: str, status: str) -> None:
        if self.statuses is not None and status not in self.statuses:
            self.report(spot, f"{prefix} names status '{status}', which is not a status"
                              f"{did_you_mean(status, self.statuses)}")

    def _person(self, spot: Spot, prefix: str, person: Any, told: bool) -> None:
        """One item of ``who:`` (``told`` False) or ``to:``: a role, ``creator``, ``watchers``, or a mapping."""
        known = roles()
        if isinstance(person, dict):
            if "field" in person:
                self._person_field(spot, prefix, person["field"])
            elif person["role"] not in known:
                self.report(spot, f"{prefix}: unknown role '{person['role']}'{did_you_mean(person['role'], known)}"
                                  f"; the roles are {quoted_list(known)}")
            return
        words = (CREATOR, WATCHERS) if told else (CREATOR,)
        if person == WATCHERS and not told:
            self.report(spot, f"{prefix}: 'watchers' are told of actions (in 'notify'), but cannot take one")
        elif person not in known and person not in words:
            self.report(spot, f"{prefix}: unknown role '{person}'{did_you_mean(person, (*known, *words))}; name "
                              f"a role ({quoted_list(known)}), {quoted_list(words)} or {{field: name}}")

    def _person_field(self, spot: Spot, prefix: str, name: str) -> None:
        """A field naming a person to reach: it must hold an email address or a username."""
        field = self.fields.get(name)
        if self._field_named(spot, prefix, name) and field is not None and field.type_name not in ADDRESS_TYPES:
            self.report(spot, f"{prefix} names field '{name}', a {field.type_name} field, which holds no email "
                              f"address or username: name an email or text field")

    def _field_named(self, spot: Spot, prefix: str, name: str) -> bool:
        """Does ``name`` name a field? Reported when it does not; True when it cannot be told (fields set aside)."""
        if self.field_names is None or name in self.field_names:
            return True
        self.report(spot, f"{prefix} names '{name}', which is not a field{did_you_mean(name, self.field_names)}")
        return False

    def _set_aside(self, key: str) -> bool:
        """Was anything of ``key`` set aside by the meta-schema? Then what it lost is unknown, and not missed."""
        if key in self.draft.unusable:
            return True
        spot = self.draft.spots.get(key)
        size = len(spot.path) if spot else 0
        return spot is not None and any(bad[:size] == spot.path for bad in spot.doc.unusable)
